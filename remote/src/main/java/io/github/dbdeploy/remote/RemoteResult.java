package io.github.dbdeploy.remote;

import java.util.ArrayList;
import java.util.List;

import io.github.dbdeploy.engine.ChangesetOutcome;
import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.RunSummary;

/**
 * The outcome of one remote command over all its hosts.
 *
 * @param bundleUploaded whether the bundle was uploaded (false: it was in S3 already)
 * @param runnerUploaded whether the runner jar was uploaded
 * @param durationMs     the whole remote run, from packaging to the last host's output
 */
public record RemoteResult(Command command, String environment, String deploymentId, String commandId,
                           List<HostResult> hosts, boolean bundleUploaded, boolean runnerUploaded, long bundleBytes,
                           long durationMs) {
    public RemoteResult {
        hosts = List.copyOf(hosts);
    }

    public boolean succeeded() {
        return !hosts.isEmpty() && hosts.stream().allMatch(HostResult::succeeded);
    }

    /** success; rolled_back when every failed host rolled back; else failed. */
    public String status() {
        if (succeeded()) {
            return "success";
        }
        boolean allRolledBack = hosts.stream().filter(h -> !h.succeeded()).allMatch(h -> "rolled_back".equals(h.status()));
        return allRolledBack ? "rolled_back" : "failed";
    }

    /** The host-side engine time: the longest durationMs reported by a host's summary. */
    public long hostEngineMs() {
        return hosts.stream().mapToLong(HostResult::durationMs).max().orElse(0);
    }

    /** The summary files' view of this run: the same schema as a local run, with hosts and the SSM command. */
    public RunSummary toSummary() {
        List<ChangesetOutcome> changesets = new ArrayList<>();
        hosts.forEach(h -> changesets.addAll(h.changesets()));
        return new RunSummary(RunSummary.SCHEMA_VERSION, command, status(), environment, RunSummary.SSM, deploymentId,
                hosts.stream().anyMatch(h -> h.summary() != null && h.summary().dryRun()),
                hosts.stream().mapToInt(HostResult::applied).sum(), hosts.stream().mapToInt(HostResult::skipped).sum(),
                durationMs, succeeded() ? null : failureMessage(), changesets,
                hosts.stream().map(HostResult::toSummary).toList(),
                new RunSummary.RemoteDetails(commandId, hostEngineMs(), bundleUploaded, runnerUploaded))
                .withChecks(hosts.stream().flatMap(h -> h.checks().stream()).toList());
    }

    /** The message a failed build ends with: each failed host with its status and reason, and where to look. */
    public String failureMessage() {
        StringBuilder b = new StringBuilder();
        long failed = hosts.stream().filter(h -> !h.succeeded()).count();
        b.append("dbdeploy ").append(command).append(" failed on ").append(failed).append(" of ").append(hosts.size())
                .append(" host(s) (SSM command ").append(commandId).append("):");
        for (HostResult h : hosts) {
            if (!h.succeeded()) {
                b.append("\n[").append(h.instanceId()).append("] ").append(h.error());
            }
        }
        List<String> rolledBack = hosts.stream().filter(h -> "rolled_back".equals(h.status()))
                .map(HostResult::instanceId).toList();
        if (!rolledBack.isEmpty()) {
            b.append("\nThe database of ").append(String.join(", ", rolledBack)).append(" was rolled back by the engine"
                    + " on the host to its state before deployment ").append(deploymentId).append('.');
        }
        return b.toString();
    }
}
