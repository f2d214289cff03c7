package io.github.dbdeploy.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.SummaryWriter;
import io.github.dbdeploy.engine.Json;

/**
 * Writes {@code summary.json} and {@code summary.md} of a remote run: the fields of a local run's summary (status,
 * environment, deploymentId, applied, skipped, durationMs, error, changesets) with, in addition, {@code target: ssm},
 * the SSM command id, the instance id (with one host), a {@code hosts} list with one entry per host, and each
 * changeset's {@code instanceId}.
 */
public final class RemoteSummaryWriter {
    private RemoteSummaryWriter() {
    }

    public static void write(RemoteResult r, Path directory) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(SummaryWriter.JSON), toJson(r), StandardCharsets.UTF_8);
            Files.writeString(directory.resolve(SummaryWriter.MARKDOWN), toMarkdown(r), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot write the run summary to " + directory + ": " + e.getMessage(), e);
        }
    }

    static String toJson(RemoteResult r) {
        StringBuilder b = new StringBuilder(1024);
        b.append("{\n");
        b.append("  \"command\": ").append(Json.quote(r.command())).append(",\n");
        b.append("  \"status\": ").append(Json.quote(r.status())).append(",\n");
        b.append("  \"environment\": ").append(Json.quote(r.environment())).append(",\n");
        b.append("  \"deploymentId\": ").append(Json.quote(r.deploymentId())).append(",\n");
        b.append("  \"target\": \"ssm\",\n");
        b.append("  \"commandId\": ").append(Json.quote(r.commandId())).append(",\n");
        b.append("  \"instanceId\": ").append(Json.quote(r.hosts().size() == 1 ? r.hosts().get(0).instanceId() : null))
                .append(",\n");
        b.append("  \"dryRun\": ").append(r.hosts().stream().anyMatch(h -> h.summary() != null
                && Boolean.TRUE.equals(h.summary().get("dryRun")))).append(",\n");
        b.append("  \"applied\": ").append(r.hosts().stream().mapToLong(h -> h.number("applied")).sum()).append(",\n");
        b.append("  \"skipped\": ").append(r.hosts().stream().mapToLong(h -> h.number("skipped")).sum()).append(",\n");
        b.append("  \"durationMs\": ").append(r.durationMs()).append(",\n");
        b.append("  \"hostDurationMs\": ").append(r.hostEngineMs()).append(",\n");
        b.append("  \"bundleUploaded\": ").append(r.bundleUploaded()).append(",\n");
        b.append("  \"runnerUploaded\": ").append(r.runnerUploaded()).append(",\n");
        b.append("  \"error\": ").append(Json.quote(r.succeeded() ? null : r.failureMessage())).append(",\n");
        b.append("  \"hosts\": [");
        String sep = "\n";
        for (HostResult h : r.hosts()) {
            b.append(sep).append("    {\"instanceId\": ").append(Json.quote(h.instanceId()))
                    .append(", \"status\": ").append(Json.quote(h.status()))
                    .append(", \"ssmStatus\": ").append(Json.quote(h.ssmStatus()))
                    .append(", \"ssmStatusDetails\": ").append(Json.quote(h.ssmStatusDetails()))
                    .append(", \"responseCode\": ").append(h.responseCode())
                    .append(", \"applied\": ").append(h.number("applied"))
                    .append(", \"skipped\": ").append(h.number("skipped"))
                    .append(", \"durationMs\": ").append(h.number("durationMs"))
                    .append(", \"error\": ").append(Json.quote(h.error())).append('}');
            sep = ",\n";
        }
        b.append(r.hosts().isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"changesets\": [");
        sep = "\n";
        boolean any = false;
        for (HostResult h : r.hosts()) {
            for (Map<String, Object> c : h.changesets()) {
                any = true;
                b.append(sep).append("    {\"instanceId\": ").append(Json.quote(h.instanceId()))
                        .append(", \"id\": ").append(Json.quote(str(c.get("id"))))
                        .append(", \"author\": ").append(Json.quote(str(c.get("author"))))
                        .append(", \"file\": ").append(Json.quote(str(c.get("file"))))
                        .append(", \"durationMs\": ").append(c.get("durationMs") instanceof Number n ? n.longValue() : 0)
                        .append(", \"status\": ").append(Json.quote(str(c.get("status")))).append('}');
                sep = ",\n";
            }
        }
        b.append(any ? "\n  ]\n" : "]\n");
        return b.append("}\n").toString();
    }

    static String toMarkdown(RemoteResult r) {
        StringBuilder b = new StringBuilder();
        String status = switch (r.status()) {
            case "success" -> "success";
            case "rolled_back" -> "failed, rolled back";
            default -> "FAILED";
        };
        b.append("### dbdeploy ").append(r.command()).append(" on `").append(r.environment()).append("` via SSM: ")
                .append(status).append("\n\n");
        b.append("Deployment `").append(r.deploymentId()).append("`, SSM command `").append(r.commandId()).append("`, ")
                .append(r.hosts().size()).append(" host(s), ").append(seconds(r.durationMs())).append(" in all.\n\n");
        b.append("| Host | Result | SSM status | Applied | Skipped | Host time |\n|---|---|---|---|---|---|\n");
        for (HostResult h : r.hosts()) {
            b.append("| `").append(h.instanceId()).append("` | ").append(h.status()).append(" | ").append(h.ssmStatus())
                    .append(h.ssmStatusDetails() != null && !h.ssmStatusDetails().equals(h.ssmStatus())
                            ? " (" + h.ssmStatusDetails() + ")" : "")
                    .append(" | ").append(h.number("applied")).append(" | ").append(h.number("skipped")).append(" | ")
                    .append(seconds(h.number("durationMs"))).append(" |\n");
        }
        List<String> errors = new ArrayList<>();
        for (HostResult h : r.hosts()) {
            if (!h.succeeded()) {
                errors.add("- `" + h.instanceId() + "`: " + cell(h.error()));
            }
        }
        if (!errors.isEmpty()) {
            b.append("\n**Errors**\n\n").append(String.join("\n", errors)).append('\n');
        }
        boolean header = false;
        for (HostResult h : r.hosts()) {
            for (Map<String, Object> c : h.changesets()) {
                if (!header) {
                    b.append("\n| Host | Changeset | File | Duration | Status |\n|---|---|---|---|---|\n");
                    header = true;
                }
                b.append("| `").append(h.instanceId()).append("` | `").append(cell(str(c.get("id")))).append("` | `")
                        .append(cell(str(c.get("file")))).append("` | ")
                        .append(seconds(c.get("durationMs") instanceof Number n ? n.longValue() : 0)).append(" | ")
                        .append(cell(str(c.get("status")))).append(" |\n");
            }
        }
        return b.toString();
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>");
    }
}
