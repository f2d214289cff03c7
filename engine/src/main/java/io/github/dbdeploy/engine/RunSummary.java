package io.github.dbdeploy.engine;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The result of one command: the one schema of {@code summary.json}, written alike by local runs, remote runs (with
 * {@code hosts} and {@code remote} filled in) and the host runner. Every field is always present; the README
 * documents each.
 *
 * @param schemaVersion {@value #SCHEMA_VERSION}; raised only when a field changes meaning or disappears
 * @param status        {@code success}; {@code failed} (changes may remain: see {@code error}); {@code rolled_back}
 *                      (the run failed and the database was returned to its state before the run); {@code error}
 *                      (the run stopped before it could finish: bad configuration, no connection, lock timeout;
 *                      {@code error} says what happened and whether anything changed)
 * @param target        {@code local} (JDBC from this machine) or {@code ssm} (on hosts through AWS SSM)
 * @param skipped       changesets already applied before this run
 * @param error         what went wrong and what to do next, or null
 * @param checks        the post-deploy checks ({@code dbdeploy.checks}): run by migrate, listed by status; empty
 *                      otherwise
 * @param hosts         one entry per host for {@code target=ssm}; empty for local runs
 * @param remote        the SSM command and uploads for {@code target=ssm}; null for local runs
 * @param rehearsal     {@code rehearse}: what each rehearsed changeset did; empty for other commands
 */
@JsonPropertyOrder({"schemaVersion", "command", "status", "environment", "target", "deploymentId", "dryRun", "applied",
        "skipped", "durationMs", "error", "changesets", "checks", "hosts", "remote",
        "rehearsal"})
public record RunSummary(int schemaVersion, Command command, String status, String environment, String target,
                         String deploymentId, boolean dryRun, int applied, int skipped, long durationMs, String error,
                         List<ChangesetOutcome> changesets, List<HostSummary> hosts, RemoteDetails remote,
                         List<CheckOutcome> checks, List<ChangesetRehearsal> rehearsal) {
    public static final int SCHEMA_VERSION = 1;
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String ROLLED_BACK = "rolled_back";
    public static final String ERROR = "error";
    public static final String LOCAL = "local";
    public static final String SSM = "ssm";

    public RunSummary {
        changesets = changesets == null ? List.of() : List.copyOf(changesets);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        checks = checks == null ? List.of() : List.copyOf(checks);
        rehearsal = rehearsal == null ? List.of() : List.copyOf(rehearsal);
    }

    /** A run without post-deploy checks or rehearsal. */
    public RunSummary(int schemaVersion, Command command, String status, String environment, String target,
                      String deploymentId, boolean dryRun, int applied, int skipped, long durationMs, String error,
                      List<ChangesetOutcome> changesets, List<HostSummary> hosts, RemoteDetails remote) {
        this(schemaVersion, command, status, environment, target, deploymentId, dryRun, applied, skipped, durationMs,
                error, changesets, hosts, remote, List.of(), List.of());
    }

    /** The same summary with {@code checks}. */
    public RunSummary withChecks(List<CheckOutcome> checks) {
        return new RunSummary(schemaVersion, command, status, environment, target, deploymentId, dryRun, applied,
                skipped, durationMs, error, changesets, hosts, remote, checks, rehearsal);
    }

    /** The same summary with the per-changeset results of {@code rehearse}. */
    public RunSummary withRehearsal(List<ChangesetRehearsal> rehearsal) {
        return new RunSummary(schemaVersion, command, status, environment, target, deploymentId, dryRun, applied,
                skipped, durationMs, error, changesets, hosts, remote, checks, rehearsal);
    }

    /** A run on this machine. */
    public RunSummary(Command command, String status, String environment, String deploymentId, int applied,
                      int skipped, long durationMs, List<ChangesetOutcome> changesets, String error, boolean dryRun) {
        this(SCHEMA_VERSION, command, status, environment, LOCAL, deploymentId, dryRun, applied, skipped, durationMs,
                error, changesets, List.of(), null);
    }

    /** A run that stopped with an error before it could report anything else. */
    public static RunSummary error(Command command, String environment, String deploymentId, String message) {
        return new RunSummary(command, ERROR, environment, deploymentId, 0, 0, 0, List.of(), message, false);
    }

    @JsonIgnore
    public boolean succeeded() {
        return SUCCESS.equals(status);
    }

    /** One host of a remote run: SSM's view and, when the runner got that far, what the runner reported. */
    @JsonPropertyOrder({"instanceId", "status", "ssmStatus", "ssmStatusDetails", "responseCode", "applied", "skipped",
            "durationMs", "error"})
    public record HostSummary(String instanceId, String status, String ssmStatus, String ssmStatusDetails,
                              int responseCode, int applied, int skipped, long durationMs, String error) {
    }

    /**
     * @param commandId      the SSM command id ({@code aws ssm list-command-invocations --command-id ...})
     * @param hostDurationMs the longest engine time a host reported
     * @param bundleUploaded false when the bundle was in S3 already (content-addressed)
     * @param runnerUploaded false when the runner jar was in S3 already
     */
    @JsonPropertyOrder({"commandId", "hostDurationMs", "bundleUploaded", "runnerUploaded"})
    public record RemoteDetails(String commandId, long hostDurationMs, boolean bundleUploaded, boolean runnerUploaded) {
    }
}
