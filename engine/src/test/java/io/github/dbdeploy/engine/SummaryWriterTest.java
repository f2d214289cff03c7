package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** summary.json is a public schema: every field present, in every kind of run, and it reads back unchanged. */
class SummaryWriterTest {
    private static final List<String> FIELDS = List.of("schemaVersion", "command", "status", "environment", "target",
            "deploymentId", "dryRun", "applied", "skipped", "durationMs", "error", "changesets", "checks", "hosts", "remote",
            "rehearsal");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(RunSummary s) throws Exception {
        return new ObjectMapper().readValue(SummaryWriter.toJson(s), Map.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLocalRunWritesEveryFieldOfTheSchema() throws Exception {
        RunSummary local = new RunSummary(Command.MIGRATE, RunSummary.ROLLED_BACK, "prod", "1.0-x", 1, 2, 30,
                List.of(new ChangesetOutcome("004", "dev", "sql/004.sql", 12, ChangesetOutcome.Status.FAILED)),
                "Changeset 004 failed: \"quoted\"\nsecond line", false);
        Map<String, Object> json = fields(local);
        assertEquals(FIELDS, List.copyOf(json.keySet()));
        assertEquals("migrate", json.get("command"));
        assertEquals("local", json.get("target"));
        assertEquals(List.of(), json.get("hosts"));
        assertEquals(null, json.get("remote"));
        assertEquals(List.of(), json.get("rehearsal"));
        assertEquals(Map.of("id", "004", "author", "dev", "file", "sql/004.sql", "durationMs", 12, "status", "failed",
                "instanceId", "null"), stringNulls(((List<Map<String, Object>>) json.get("changesets")).get(0)));
        assertEquals(local, SummaryWriter.parse(SummaryWriter.toJson(local)));
    }

    @Test
    void anErrorSummaryHasTheSameShape() throws Exception {
        RunSummary error = RunSummary.error(Command.STATUS, "staging", null, "Cannot connect to localhost:1");
        Map<String, Object> json = fields(error);
        assertEquals(FIELDS, List.copyOf(json.keySet()));
        assertEquals("error", json.get("status"));
        assertTrue(SummaryWriter.toMarkdown(error).contains("**Error:** Cannot connect to localhost:1"));
    }

    @Test
    void aRemoteRunAddsHostsAndTheCommandWithoutChangingTheRest() throws Exception {
        RunSummary remote = new RunSummary(RunSummary.SCHEMA_VERSION, Command.MIGRATE, RunSummary.SUCCESS, "prod",
                RunSummary.SSM, "d-1", false, 2, 0, 900,  null,
                List.of(new ChangesetOutcome("1", "a", "f.sql", 5, ChangesetOutcome.Status.APPLIED, "i-1")),
                List.of(new RunSummary.HostSummary("i-1", "success", "Success", "Success", 0, 2, 0, 400, null)),
                new RunSummary.RemoteDetails("cmd-1", 400, true, false));
        Map<String, Object> json = fields(remote);
        assertEquals(FIELDS, List.copyOf(json.keySet()));
        assertEquals(remote, SummaryWriter.parse(SummaryWriter.toJson(remote)));
        assertTrue(SummaryWriter.toMarkdown(remote).contains("| `i-1` | success | Success | 2 | 0 | 0.40 s |"),
                SummaryWriter.toMarkdown(remote));
    }

    private static Map<String, Object> stringNulls(Map<String, Object> m) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v == null ? "null" : v));
        return out;
    }
}
