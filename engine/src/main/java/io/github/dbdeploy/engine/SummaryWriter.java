package io.github.dbdeploy.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes {@code summary.json} (for machines) and {@code summary.md} (for a build page) of a run. */
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

    public static String toJson(RunSummary s) {
        StringBuilder b = new StringBuilder(256 + 128 * s.changesets().size());
        b.append("{\n");
        field(b, "command", s.command()).append(",\n");
        field(b, "status", s.status()).append(",\n");
        field(b, "environment", s.environment()).append(",\n");
        field(b, "deploymentId", s.deploymentId()).append(",\n");
        b.append("  \"dryRun\": ").append(s.dryRun()).append(",\n");
        b.append("  \"applied\": ").append(s.applied()).append(",\n");
        b.append("  \"skipped\": ").append(s.skipped()).append(",\n");
        b.append("  \"durationMs\": ").append(s.durationMs()).append(",\n");
        field(b, "error", s.error()).append(",\n");
        b.append("  \"changesets\": [");
        String sep = "\n";
        for (ChangesetOutcome c : s.changesets()) {
            b.append(sep).append("    {\"id\": ").append(Json.quote(c.id()))
                    .append(", \"author\": ").append(Json.quote(c.author()))
                    .append(", \"file\": ").append(Json.quote(c.file()))
                    .append(", \"durationMs\": ").append(c.durationMs())
                    .append(", \"status\": ").append(Json.quote(c.status().label())).append('}');
            sep = ",\n";
        }
        b.append(s.changesets().isEmpty() ? "]\n" : "\n  ]\n");
        return b.append("}\n").toString();
    }

    public static String toMarkdown(RunSummary s) {
        StringBuilder b = new StringBuilder();
        b.append("### dbdeploy ").append(s.command()).append(" on `").append(s.environment()).append("`: ")
                .append(statusText(s)).append("\n\n");
        b.append("| Deployment | Applied | Skipped | Duration |\n|---|---|---|---|\n");
        b.append("| `").append(s.deploymentId() == null ? "none" : s.deploymentId()).append("` | ").append(s.applied()).append(" | ")
                .append(s.skipped()).append(" | ").append(seconds(s.durationMs())).append(" |\n");
        if (s.error() != null) {
            b.append("\n**Error:** ").append(cell(s.error())).append('\n');
        }
        if (!s.changesets().isEmpty()) {
            b.append("\n| Changeset | File | Duration | Status |\n|---|---|---|---|\n");
            for (ChangesetOutcome c : s.changesets()) {
                b.append("| `").append(cell(c.id())).append("` (").append(cell(c.author())).append(") | `")
                        .append(cell(c.file())).append("` | ").append(seconds(c.durationMs())).append(" | ")
                        .append(c.status().label()).append(" |\n");
            }
        }
        return b.toString();
    }

    private static String statusText(RunSummary s) {
        String text = switch (s.status()) {
            case RunSummary.SUCCESS -> "success";
            case RunSummary.ROLLED_BACK -> "failed, rolled back";
            default -> "FAILED";
        };
        return s.dryRun() ? text + " (dry run, nothing changed)" : text;
    }

    static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>");
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        return b.append("  \"").append(name).append("\": ").append(Json.quote(value));
    }
}
