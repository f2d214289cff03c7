package io.github.dbdeploy.engine;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One post-deploy check of a run ({@code dbdeploy.checks}).
 *
 * @param name   the comment line above the query in the checks file, else {@code line N}
 * @param status {@link #PASSED}, {@link #FAILED} or {@link #NOT_RUN} ({@code status} lists checks without running
 *               them; migrate leaves the rest unrun once the transaction of a deployment is lost)
 * @param error  why it failed, or null
 * @param instanceId the host it ran on, for {@code target=ssm}; null for local runs
 */
@JsonPropertyOrder({"name", "status", "durationMs", "error", "instanceId"})
public record CheckOutcome(String name, String status, long durationMs, String error, String instanceId) {
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    public static final String NOT_RUN = "not_run";

    public CheckOutcome(String name, String status, long durationMs, String error) {
        this(name, status, durationMs, error, null);
    }

    /** The same outcome, as seen from a remote run: tagged with the host it ran on. */
    public CheckOutcome onHost(String instance) {
        return new CheckOutcome(name, status, durationMs, error, instance);
    }

    public boolean failed() {
        return FAILED.equals(status);
    }
}
