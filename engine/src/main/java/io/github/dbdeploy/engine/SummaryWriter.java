package io.github.dbdeploy.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

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
            b.append("\n| Post-deploy check | Duration | Status |\n|---|---|---|\n");
            for (CheckOutcome c : s.checks()) {
                b.append("| ").append(cell(c.name())).append(" | ").append(seconds(c.durationMs())).append(" | ")
                        .append(c.status()).append(c.error() == null ? "" : ": " + cell(c.error())).append(" |\n");
            }
        }
        return b.toString();
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
