package io.github.dbdeploy.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes {@code summary.json} (for machines; the schema is {@link RunSummary}) and {@code summary.md} (for a build
 * page) of a run. The one writer of both files, for local runs, remote runs and the host runner.
 */
public final class SummaryWriter {
    public static final String JSON = "summary.json";
    public static final String MARKDOWN = "summary.md";

    private SummaryWriter() {
    }

    public static void write(RunSummary summary, Path directory) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(JSON), toJson(summary), StandardCharsets.UTF_8);
            Files.writeString(directory.resolve(MARKDOWN), toMarkdown(summary), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot write the run summary to " + directory + ": " + e.getMessage(), e);
        }
    }

    public static String toJson(RunSummary summary) {
        return JsonMapper.write(summary);
    }

    /** Reads what {@link #toJson} wrote (a host's summary, for instance). */
    public static RunSummary parse(String json) {
        return JsonMapper.read(json, RunSummary.class);
    }

    public static String toMarkdown(RunSummary s) {
        StringBuilder b = new StringBuilder();
        boolean remote = RunSummary.SSM.equals(s.target());
        b.append("### dbdeploy ").append(s.command()).append(" on `").append(s.environment()).append('`')
                .append(remote ? " via SSM" : "").append(": ").append(statusText(s)).append("\n\n");
        b.append("| Deployment | Applied | Skipped | Duration |\n|---|---|---|---|\n");
        b.append("| `").append(s.deploymentId() == null ? "none" : s.deploymentId()).append("` | ").append(s.applied())
                .append(" | ").append(s.skipped()).append(" | ").append(seconds(s.durationMs())).append(" |\n");
        if (s.remote() != null) {
            b.append("\nSSM command `").append(s.remote().commandId()).append("`, ").append(s.hosts().size())
                    .append(" host(s).\n");
        }
        if (s.error() != null) {
            b.append("\n**Error:** ").append(cell(s.error())).append('\n');
        }
        if (!s.hosts().isEmpty()) {
            b.append("\n| Host | Result | SSM status | Applied | Skipped | Host time |\n|---|---|---|---|---|---|\n");
            for (RunSummary.HostSummary h : s.hosts()) {
                b.append("| `").append(h.instanceId()).append("` | ").append(h.status()).append(" | ")
                        .append(h.ssmStatus())
                        .append(h.ssmStatusDetails() != null && !h.ssmStatusDetails().equals(h.ssmStatus())
                                ? " (" + h.ssmStatusDetails() + ")" : "")
                        .append(" | ").append(h.applied()).append(" | ").append(h.skipped()).append(" | ")
                        .append(seconds(h.durationMs())).append(" |\n");
            }
        }
        if (!s.changesets().isEmpty()) {
            b.append(remote ? "\n| Host | Changeset | File | Duration | Status |\n|---|---|---|---|---|\n"
                    : "\n| Changeset | File | Duration | Status |\n|---|---|---|---|\n");
            for (ChangesetOutcome c : s.changesets()) {
                if (remote) {
                    b.append("| `").append(cell(c.instanceId())).append("` ");
                }
                b.append("| `").append(cell(c.id())).append("` (").append(cell(c.author())).append(") | `")
                        .append(cell(c.file())).append("` | ").append(seconds(c.durationMs())).append(" | ")
                        .append(c.status().label()).append(" |\n");
            }
        }
        if (!s.checks().isEmpty()) {
            b.append(remote ? "\n| Host | Post-deploy check | Duration | Status |\n|---|---|---|---|\n"
                    : "\n| Post-deploy check | Duration | Status |\n|---|---|---|\n");
            for (CheckOutcome c : s.checks()) {
                if (remote) {
                    b.append("| `").append(cell(c.instanceId())).append("` ");
                }
                b.append("| ").append(cell(c.name())).append(" | ").append(seconds(c.durationMs())).append(" | ")
                        .append(c.status()).append(c.error() == null ? "" : ": " + cell(c.error())).append(" |\n");
            }
        }
        if (!s.rehearsal().isEmpty()) {
            appendRehearsal(b, s.rehearsal());
        }
        return b.toString();
    }

    /** One row per rehearsed changeset, then what a row cannot hold: rollback diffs and the database's errors. */
    private static void appendRehearsal(StringBuilder b, List<ChangesetRehearsal> rehearsal) {
        b.append("\n| Changeset | File | Apply | Rollback | Reapply | Locks | Rewrites | Breaking | Data loss | Fails |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> details = new ArrayList<>();
        for (ChangesetRehearsal r : rehearsal) {
            b.append("| `").append(cell(r.id())).append("` (").append(cell(r.author())).append(") | `")
                    .append(cell(r.file())).append("` | ").append(r.apply()).append(" | ")
                    .append(r.rollback() == null ? "" : r.rollback()).append(" | ")
                    .append(r.reapply() == null ? "" : r.reapply()).append(" | ")
                    .append(cell(r.locks().stream().map(l -> l.mode() + " on " + l.relation())
                            .collect(Collectors.joining(", ")))).append(" | ")
                    .append(cell(String.join(", ", r.rewrites()))).append(" | ")
                    .append(cell(r.breaking().stream().map(x -> x.object() + ": " + x.reason())
                            .collect(Collectors.joining(", ")))).append(" | ")
                    .append(r.dataLoss() ? "yes" : "no").append(" | ")
                    .append(r.failedChecks().isEmpty() ? "" : "**" + String.join(", ", r.failedChecks()) + "**")
                    .append(r.waived().isEmpty() ? "" : (r.failedChecks().isEmpty() ? "" : " ") + "(allows "
                            + String.join(", ", r.waived()) + ")")
                    .append(" |\n");
            String name = "`" + r.id() + "`";
            if (r.applyError() != null) {
                details.add(name + " failed to apply: " + r.applyError());
            }
            if (r.rollbackError() != null) {
                details.add(name + " rollback failed: " + r.rollbackError());
            }
            if (!r.rollbackDiff().isEmpty()) {
                details.add(name + " rollback differs from the schema before it:<br>"
                        + r.rollbackDiff().stream().map(d -> "`" + d.replace("`", "'") + "`")
                            .collect(Collectors.joining("<br>")));
            }
            if (r.reapplyError() != null) {
                details.add(name + " failed to apply again after its rollback: " + r.reapplyError());
            }
        }
        if (!details.isEmpty()) {
            b.append('\n');
            details.forEach(d -> b.append("- ").append(d.replace("\r", "").replace("\n", "<br>")).append('\n'));
        }
    }

    private static String statusText(RunSummary s) {
        String text = switch (s.status()) {
            case RunSummary.SUCCESS -> "success";
            case RunSummary.ROLLED_BACK -> "failed, rolled back";
            case RunSummary.ERROR -> "ERROR";
            default -> "FAILED";
        };
        return s.dryRun() ? text + " (dry run, nothing changed)" : text;
    }

    public static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>");
    }
}
