package io.github.dbdeploy.remote;

import java.util.List;

import io.github.dbdeploy.engine.ChangesetOutcome;
import io.github.dbdeploy.engine.CheckOutcome;
import io.github.dbdeploy.engine.RunSummary;

/**
 * What one host did: SSM's view (status, details, exit code, output) and, when the runner got that far, the run
 * summary it printed.
 *
 * @param summary the host's summary.json as parsed, or null when the host printed none (it failed before the runner
 *                ran, or the output was cut off by SSM and no output bucket was set)
 */
public record HostResult(String instanceId, String ssmStatus, String ssmStatusDetails, int responseCode,
                         String stdout, String stderr, RunSummary summary) {

    public boolean succeeded() {
        return "Success".equals(ssmStatus) && (summary == null || summary.succeeded());
    }

    /** success, failed or rolled_back: the runner's word when there is one, else SSM's. */
    public String status() {
        if (summary != null) {
            return "Success".equals(ssmStatus) || !summary.succeeded() ? summary.status() : RunSummary.FAILED;
        }
        return "Success".equals(ssmStatus) ? "success" : "failed";
    }

    public int applied() {
        return summary == null ? 0 : summary.applied();
    }

    public int skipped() {
        return summary == null ? 0 : summary.skipped();
    }

    /** The engine's time on the host, as its summary reports it. */
    public long durationMs() {
        return summary == null ? 0 : summary.durationMs();
    }

    /** The changesets the host reported, each tagged with this host. */
    public List<ChangesetOutcome> changesets() {
        return summary == null ? List.of() : summary.changesets().stream().map(c -> c.onHost(instanceId)).toList();
    }

    /** The post-deploy checks the host ran (or listed), each tagged with this host. */
    public List<CheckOutcome> checks() {
        return summary == null ? List.of() : summary.checks().stream().map(c -> c.onHost(instanceId)).toList();
    }

    /** This host's line in the summary files. */
    public RunSummary.HostSummary toSummary() {
        return new RunSummary.HostSummary(instanceId, status(), ssmStatus, ssmStatusDetails, responseCode, applied(),
                skipped(), durationMs(), error());
    }

    /** Why this host failed, in a line or a few: the runner's error, else SSM's status and the tail of stderr. */
    public String error() {
        if (succeeded()) {
            return null;
        }
        String runnerError = summary == null ? null : summary.error();
        StringBuilder b = new StringBuilder();
        b.append("SSM status ").append(ssmStatus);
        if (ssmStatusDetails != null && !ssmStatusDetails.equals(ssmStatus)) {
            b.append(" (").append(ssmStatusDetails).append(')');
        }
        if (responseCode >= 0) {
            b.append(", exit code ").append(responseCode);
        }
        if (runnerError != null) {
            b.append(": ").append(runnerError);
        } else if (stderr != null && !stderr.isBlank()) {
            b.append(": ").append(tail(stderr, 15));
        } else if ("TimedOut".equals(ssmStatus) && "DeliveryTimedOut".equals(ssmStatusDetails)) {
            b.append(": the host never picked the command up. Check that its SSM agent is running and online"
                    + " (aws ssm describe-instance-information) and that it can reach the SSM endpoints.");
        } else if ("Cancelled".equals(ssmStatus)) {
            b.append(": the command was cancelled (dbdeploy.ssm.maxErrors was reached on other hosts before this one"
                    + " started, or someone cancelled it). Run dbdeploy:status against this host to see where it stands.");
        } else if ("TimedOut".equals(ssmStatus)) {
            b.append(": the command ran longer than dbdeploy.ssm.executionTimeoutSeconds and was stopped.");
        }
        return b.toString();
    }

    static String tail(String text, int lines) {
        String[] all = text.strip().split("\\R");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
    }
}
