package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dbdeploy.lockTimeout, lockRetries, statementTimeout, checks and transaction, through the one settings mapping. */
class SettingsGuardTest {
    @TempDir
    Path dir;

    private DeploySettings map(Map<String, String> extra) throws Exception {
        Files.writeString(dir.resolve("changelog.sql"), "--liquibase formatted sql\n");
        Map<String, String> p = new HashMap<>(extra);
        p.put("dbdeploy.url", "jdbc:postgresql://localhost:5432/app");
        p.put("dbdeploy.changelog", "changelog.sql");
        return SettingsMapping.deploySettings(p, new SettingsMapping.Context(dir, dir.resolve("out"), "1.0",
                Map.<String, String>of()::get, null));
    }

    @Test
    void defaultsGuardEveryChangesetAndKeepOneTransactionPerChangeset() throws Exception {
        DeploySettings s = map(Map.of());
        assertEquals(Duration.ofSeconds(1), s.lockTimeout());
        assertEquals(5, s.lockRetries());
        assertEquals(Duration.ZERO, s.statementTimeout());
        assertNull(s.checks());
        assertEquals(TransactionMode.CHANGESET, s.transaction());
    }

    @Test
    void valuesAreReadInPostgresDurationSyntaxAndChecksRelativeToTheProject() throws Exception {
        Files.writeString(dir.resolve("checks.sql"), "select true;\n");
        DeploySettings s = map(Map.of("dbdeploy.lockTimeout", "500ms", "dbdeploy.lockRetries", "0",
                "dbdeploy.statementTimeout", "2min", "dbdeploy.checks", "checks.sql",
                "dbdeploy.transaction", "deployment"));
        assertEquals(Duration.ofMillis(500), s.lockTimeout());
        assertEquals(0, s.lockRetries());
        assertEquals(Duration.ofMinutes(2), s.statementTimeout());
        assertEquals(dir.resolve("checks.sql"), s.checks());
        assertEquals(TransactionMode.DEPLOYMENT, s.transaction());
        assertEquals(Duration.ZERO, map(Map.of("dbdeploy.lockTimeout", "0")).lockTimeout());
        assertEquals(Duration.ofMillis(250), map(Map.of("dbdeploy.lockTimeout", "250")).lockTimeout());
    }

    @Test
    void badValuesAreRejectedTogetherNamingEachProperty() {
        DbdeployException e = assertThrows(DbdeployException.class, () -> map(Map.of("dbdeploy.lockTimeout", "2 secs",
                "dbdeploy.lockRetries", "-1", "dbdeploy.checks", "missing.sql", "dbdeploy.transaction", "group")));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        String m = e.getMessage();
        assertTrue(m.contains("dbdeploy.lockTimeout must be a duration such as 500ms, 2s or 1min (0 turns it off),"
                + " got '2 secs'"), m);
        assertTrue(m.contains("dbdeploy.lockRetries must be zero or more, got -1"), m);
        assertTrue(m.contains("dbdeploy.checks names " + dir.resolve("missing.sql")), m);
        assertTrue(m.contains("dbdeploy.transaction must be changeset or deployment, got 'group'"), m);
    }
}
