package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The no-op fast path skips Liquibase when nothing can be pending. Everything that could make something pending
 * in an unchanged changelog must turn it off.
 */
class FastPathTest extends EngineTest {
    private static final String UNCHANGED = "Changelog unchanged since the last deployment: nothing to apply.";

    @Test
    void anUnchangedChangelogTakesTheFastPath() throws Exception {
        String url = TestDatabases.newDatabase("fast_path");
        Path changelog = threeGood().write();
        migrate(url, changelog, "v1");
        assertFalse(lines.contains(UNCHANGED));
        assertEquals(0, migrate(url, changelog, "v2").applied());
        assertTrue(lines.contains(UNCHANGED), lines.toString());
    }

    @Test
    void runAlwaysChangesetsRunOnEveryDeployment() throws Exception {
        String url = TestDatabases.newDatabase("run_always");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-audit", "create table grants_refreshed (at timestamptz);", "drop table grants_refreshed;")
                .add("002-refresh", "runAlways:true", "insert into grants_refreshed values (clock_timestamp());",
                        "select 1;")
                .write();
        for (String id : List.of("v1", "v2", "v3")) {
            migrate(url, changelog, id);
        }
        assertEquals(List.of("3"), column(url, "select count(*) from grants_refreshed"));
        assertFalse(lines.contains(UNCHANGED), lines.toString());
    }

    @Test
    void runOnChangeChangesetsAreLeftToLiquibase() throws Exception {
        String url = TestDatabases.newDatabase("run_on_change");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-view", "runOnChange:true",
                        "create or replace view greeting as select '${dbdeploy_test_greeting}'::text as g;",
                        "drop view greeting;")
                .write();
        try {
            System.setProperty("dbdeploy_test_greeting", "hello");
            migrate(url, changelog, "v1");
            System.setProperty("dbdeploy_test_greeting", "goodbye");
            migrate(url, changelog, "v2");
        } finally {
            System.clearProperty("dbdeploy_test_greeting");
        }
        assertEquals(List.of("goodbye"), column(url, "select g from greeting"));
        assertFalse(lines.contains(UNCHANGED), lines.toString());
    }

    @Test
    void aChangedChangelogParameterIsNoticed() throws Exception {
        String url = TestDatabases.newDatabase("parameter");
        Path root = dir.resolve("db");
        Files.createDirectories(root.resolve("sql"));
        Files.writeString(root.resolve("sql/eu.sql"), "--liquibase formatted sql\n--changeset alice:eu\n"
                + "create table eu_only (id int);\n--rollback drop table eu_only;\n");
        Files.writeString(root.resolve("sql/us.sql"), "--liquibase formatted sql\n--changeset alice:us\n"
                + "create table us_only (id int);\n--rollback drop table us_only;\n");
        Path changelog = root.resolve("changelog.xml");
        Files.writeString(changelog, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n"
                + "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                + "    xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog"
                + " http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.33.xsd\">\n"
                + "  <include file=\"sql/${dbdeploy_test_region}.sql\" relativeToChangelogFile=\"true\"/>\n"
                + "</databaseChangeLog>\n");
        try {
            System.setProperty("dbdeploy_test_region", "eu");
            migrate(url, changelog, "v1");
            System.setProperty("dbdeploy_test_region", "us");
            assertEquals(1, migrate(url, changelog, "v2").applied());
        } finally {
            System.clearProperty("dbdeploy_test_region");
        }
        assertEquals(List.of("eu_only", "us_only"), column(url,
                "select tablename from pg_tables where tablename like '%_only' order by 1"));
    }

    @Test
    void changedContextsOrLabelsAreNoticed() throws Exception {
        String url = TestDatabases.newDatabase("filters");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-eu", "context:eu", "create table eu_only (id int);", "drop table eu_only;")
                .add("002-us", "context:us", "create table us_only (id int);", "drop table us_only;")
                .add("003-beta", "labels:beta", "create table beta_only (id int);", "drop table beta_only;")
                .write();
        assertEquals(1, new Dbdeploy(builder(url, changelog, "v1").contexts("eu").labels("ga").build(), progress)
                .migrate().applied());
        assertEquals(1, new Dbdeploy(builder(url, changelog, "v2").contexts("us").labels("ga").build(), progress)
                .migrate().applied());
        assertEquals(1, new Dbdeploy(builder(url, changelog, "v3").contexts("us").labels("beta").build(), progress)
                .migrate().applied());
        assertFalse(lines.contains(UNCHANGED), lines.toString());
    }

    @Test
    void aDeploymentByAnotherDbdeployOrLiquibaseVersionIsNotTrusted() throws Exception {
        Path changelog = threeGood().write();
        Path root = changelog.getParent();
        Map<String, String> none = Map.of();
        String now = ChangelogFingerprint.of(root, null, null, "dbdeploy 1.1.0, liquibase 4.33.0", none::get);
        assertNotEquals(now, ChangelogFingerprint.of(root, null, null, "dbdeploy 1.0.0, liquibase 4.33.0", none::get));
        assertNotEquals(now, ChangelogFingerprint.of(root, null, null, "dbdeploy 1.1.0, liquibase 4.32.0", none::get));
        assertEquals(now, ChangelogFingerprint.of(root, null, null, "dbdeploy 1.1.0, liquibase 4.33.0", none::get));

        String url = TestDatabases.newDatabase("versions");
        migrate(url, changelog, "v1");
        // As if v1 had been deployed by an older Liquibase.
        execute(url, "update dbdeploy_deployment set fingerprint = '" + ChangelogFingerprint.of(root, null, null,
                "dbdeploy " + Dbdeploy.toolVersions().split(" ")[1].replace(",", "") + ", liquibase 4.32.0",
                name -> null) + "'");
        migrate(url, changelog, "v2");
        assertFalse(lines.contains(UNCHANGED), lines.toString());
        assertTrue(lines.contains("Database is up to date: nothing to apply."), lines.toString());
        migrate(url, changelog, "v3");
        assertTrue(lines.contains(UNCHANGED), "v2 recorded this version's fingerprint: " + lines);
    }
}
