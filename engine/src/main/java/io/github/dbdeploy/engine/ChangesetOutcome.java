package io.github.dbdeploy.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What happened to one changeset in a run.
 *
 * @param instanceId the host it ran on, for {@code target=ssm}; null for local runs
 */
@JsonPropertyOrder({"id", "author", "file", "durationMs", "status", "instanceId"})
public record ChangesetOutcome(String id, String author, String file, long durationMs, Status status,
                               String instanceId) {

    public ChangesetOutcome(String id, String author, String file, long durationMs, Status status) {
        this(id, author, file, durationMs, status, null);
    }

    /** The same outcome, as seen from a remote run: tagged with the host it ran on. */
    public ChangesetOutcome onHost(String instance) {
        return new ChangesetOutcome(id, author, file, durationMs, status, instance);
    }

    public enum Status {
        APPLIED("applied"), FAILED("failed"), ROLLED_BACK("rolled_back"), PENDING("pending"),
        /** adopt and baseline: recorded as applied without running it. */
        RECORDED("recorded");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        @JsonValue
        public String label() {
            return label;
        }

        @JsonCreator
        public static Status of(String label) {
            for (Status s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown changeset status '" + label + "'");
        }
    }
}
