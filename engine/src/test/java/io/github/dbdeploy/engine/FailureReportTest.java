package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What a failed run says: the kind of failure, whether anything was rolled back, and what to run next. */
class FailureReportTest extends EngineTest {

    @Test
    void anEditedAppliedChangesetIsAConfigurationErrorNamingItAndTheFix() throws Exception {
        String url = TestDatabases.newDatabase("edited");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String before = SchemaDump.of(url);
        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;").write();
        Path email = dir.resolve("db/sql/002-email.sql");
        String deployed = Files.readString(email);
        Files.writeString(email, deployed.replace("add column email text", "add column email varchar(200)"));

        DbdeployException e = assertThrows(DbdeployException.class, () -> migrate(url, changelog, "v2"));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        String message = e.getMessage();
        assertTrue(message.startsWith("1 changeset(s) already applied to this database were edited since they ran"),
                message);
        assertTrue(message.contains("sql/002-email.sql::002-email::alice"), message);
        assertTrue(message.contains("revert the edit") && message.contains("--validCheckSum:")
                && message.contains("new changeset") && message.contains("the database was not changed"), message);
        assertFalse(message.toLowerCase().contains("rolled back"), message);
        assertEquals(before, SchemaDump.of(url));
        RunSummary summary = SummaryWriter.parse(Files.readString(dir.resolve("out/summary.json")));
        assertEquals(RunSummary.FAILED, summary.status());
        assertTrue(summary.error().contains("002-email"), summary.error());
        assertEquals(List.of("v1 success 3"), column(url,
                "select deployment_id || ' ' || status || ' ' || applied from dbdeploy_deployment order by seq"),
                "refused before the deployment started");

        // Reverted, the deployment runs.
        Files.writeString(email, deployed);
        assertEquals(1, migrate(url, changelog, "v2").applied());
    }

    @Test
    void aFailureBeforeAnyChangesetRanIsNotReportedAsRolledBack() throws Exception {
        String url = TestDatabases.newDatabase("precondition");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        // The first pending changeset requires a table that is not there: Liquibase halts before running anything.
        changelogs.add("004-orders", "--preconditions onFail:HALT\n--precondition-sql-check expectedResult:1"
                        + " select count(*) from pg_tables where tablename = 'required_table'\n"
                        + "create table orders (id int);", "drop table orders;")
                .write();

        RunSummary failed = migrate(url, changelog, "v2");
        assertEquals(0, failed.applied());
        assertEquals(RunSummary.FAILED, failed.status());
        assertTrue(failed.error().contains("required_table") || failed.error().contains("Precondition"),
                failed.error());
        assertTrue(failed.error().contains("No changeset was applied; the database was not changed."), failed.error());
        assertFalse(failed.error().toLowerCase().contains("rolled back"), failed.error());
        assertTrue(Files.readString(dir.resolve("out/summary.md")).contains(": FAILED"));
        assertEquals(List.of("f"), column(url, "select to_regclass('orders') is not null"));
    }

    @Test
    void recoveryCommandsNameTheSelectedEnvironment() throws Exception {
        String url = TestDatabases.newDatabase("hints");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;")
                .add("005-broken", "alter table no_such_table add column x int;", "select 1;").write();

        RunSummary staging = new Dbdeploy(builder(url, changelog, "v2").environment("staging")
                .rollbackOnFailure(false).build(), progress).migrate();
        assertTrue(staging.error().contains("or run mvn dbdeploy:rollback -Penv=staging -Ddbdeploy.rollbackTag=v2"
                + " to undo them."), staging.error());
        DbdeployException unknown = assertThrows(DbdeployException.class, () -> new Dbdeploy(
                builder(url, changelog, null).environment("staging").build(), progress)
                .rollback(RollbackTarget.beforeDeployment("v9")));
        assertTrue(unknown.getMessage().contains("Run mvn dbdeploy:history -Penv=staging to list them."),
                unknown.getMessage());

        assertEquals("mvn dbdeploy:rollback -Ddbdeploy.rollbackTag=v2",
                FrontDoor.MAVEN.commandLine("default", Command.ROLLBACK, "dbdeploy.rollbackTag=v2"));
        assertEquals("mvn dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=v2",
                FrontDoor.MAVEN.commandLine("prod", Command.ROLLBACK, "dbdeploy.rollbackTag=v2"));
        assertEquals("java -jar dbdeploy.jar rollback --rollback-tag=v2",
                FrontDoor.CLI.commandLine("default", Command.ROLLBACK, "dbdeploy.rollbackTag=v2"));
        assertEquals("java -jar dbdeploy.jar rehearse --env=prod --rehearse-from=all",
                FrontDoor.CLI.commandLine("prod", Command.REHEARSE, "dbdeploy.rehearse.from=all"));
    }
}
