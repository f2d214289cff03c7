package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;

class DbdeployTest extends EngineTest {

    @Test
    void firstDeployAppliesEverythingAndSecondFindsNothingPending() throws Exception {
        String url = TestDatabases.newDatabase("first");
        Path changelog = threeGood().write();

        RunSummary first = new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();
        assertEquals(RunSummary.SUCCESS, first.status());
        assertEquals(3, first.applied());
        assertEquals(List.of("001-customer", "002-email", "003-seed"), column(url,
                "select id from databasechangelog order by orderexecuted"));
        assertEquals(List.of("2"), column(url, "select count(*) from customer"));
        // A changeset and its history row commit in one transaction (Liquibase alone commits them separately).
        assertEquals(List.of("t"), column(url, "select (select xmin from customer where id = 1)"
                + " = (select xmin from databasechangelog where id = '003-seed')"));
        assertEquals(List.of("f"), column(url, "select to_regclass('databasechangeloglock') is not null"),
                "Liquibase's lock table must never be created");
        RunSummary written = SummaryWriter.parse(Files.readString(dir.resolve("out/summary.json")));
        assertEquals(RunSummary.SUCCESS, written.status());
        assertEquals(3, written.applied());
        assertEquals(List.of("001-customer", "002-email", "003-seed"),
                written.changesets().stream().map(ChangesetOutcome::id).toList());
        assertTrue(Files.readString(dir.resolve("out/summary.md")).contains("| `v1` | 3 | 0 |"));

        RunSummary second = new Dbdeploy(settings(url, changelog, "v2"), progress).migrate();
        assertEquals(0, second.applied());
        assertEquals(3, second.skipped());
        assertTrue(lines.contains("Changelog unchanged since the last deployment: nothing to apply."), lines.toString());
        assertEquals(List.of("3"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void changedChangelogAfterDeployIsNotMistakenForUpToDate() throws Exception {
        String url = TestDatabases.newDatabase("changed");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();

        changelogs.add("004-phone", "alter table customer add column phone text;",
                "alter table customer drop column phone;").write();
        RunSummary second = new Dbdeploy(settings(url, changelog, "v2"), progress).migrate();
        assertEquals(1, second.applied());
        assertEquals(List.of("phone"), column(url, "select column_name from information_schema.columns"
                + " where table_name = 'customer' and column_name = 'phone'"));
    }

    @Test
    void anotherMasterChangelogInTheSameDirectoryIsNotMistakenForUpToDate() throws Exception {
        String url = TestDatabases.newDatabase("other_master");
        Path changelog = threeGood().add("004-phone", "alter table customer add column phone text;",
                "alter table customer drop column phone;").write();
        // changelog-base.xml: the first three only, beside changelog.xml (say, one master per release train).
        Path base = changelog.resolveSibling("changelog-base.xml");
        Files.writeString(base, Files.readString(changelog).replace(
                "  <include file=\"sql/004-phone.sql\" relativeToChangelogFile=\"true\"/>\n", ""));
        assertEquals(3, new Dbdeploy(settings(url, base, "v1"), progress).migrate().applied());

        RunSummary second = new Dbdeploy(settings(url, changelog, "v2"), progress).migrate();
        assertEquals(1, second.applied(), "the same files, but another master changelog: 004 is pending");
    }

    @Test
    void failingChangesetInTheMiddleRollsTheWholeDeploymentBack() throws Exception {
        String url = TestDatabases.newDatabase("failing");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();
        String before = SchemaDump.of(url);

        changelogs.add("004-orders", "create table orders (id bigint primary key, customer_id bigint);",
                        "drop table orders;")
                .add("005-index", "create index orders_customer on orders (customer_id);", "drop index orders_customer;")
                .add("006-broken", "alter table no_such_table add column x int;", "select 1;")
                .add("007-never", "create table never (id int);", "drop table never;")
                .write();
        RunSummary failed = new Dbdeploy(settings(url, changelog, "v2"), progress).migrate();

        assertEquals(RunSummary.ROLLED_BACK, failed.status());
        assertTrue(failed.error().contains("006-broken") && failed.error().contains("sql/006-broken.sql")
                && failed.error().contains("relation \"no_such_table\" does not exist"), failed.error());
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("3"), column(url, "select count(*) from databasechangelog"));
        assertEquals(List.of("rolled_back"), column(url,
                "select status from dbdeploy_deployment where deployment_id = 'v2'"));
    }

    @Test
    void emergencyRollbackReturnsToTheStateBeforeTheLastDeployment() throws Exception {
        String url = TestDatabases.newDatabase("rollback");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();
        String afterV1 = SchemaDump.of(url);
        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;").write();
        new Dbdeploy(settings(url, changelog, "v2"), progress).migrate();
        assertFalse(afterV1.equals(SchemaDump.of(url)));

        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.lastDeployment());
        assertEquals(RunSummary.SUCCESS, rollback.status());
        assertEquals(1, rollback.applied());
        assertEquals(afterV1, SchemaDump.of(url));

        // A later migrate re-applies what was rolled back: the fast path must not trust the old fingerprint.
        RunSummary again = new Dbdeploy(settings(url, changelog, "v3"), progress).migrate();
        assertEquals(1, again.applied());
    }

    @Test
    void rollbackRefusesWhenAChangesetHasNoRollbackAndChangesNothing() throws Exception {
        String url = TestDatabases.newDatabase("norollback");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-customer", "create table customer (id bigint primary key);", "drop table customer;")
                .add("002-raw", "insert into customer values (1);", null)
                .write();
        new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();
        String before = SchemaDump.of(url);

        DbdeployException e = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(url, changelog, null), progress).rollback(RollbackTarget.beforeDeployment("v1")));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("002-raw (author alice) in sql/002-raw.sql: no rollback"), e.getMessage());
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("2"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void dryRunPrintsSqlAndChangesNothing() throws Exception {
        String url = TestDatabases.newDatabase("dry");
        Path changelog = threeGood().write();
        RunSummary dry = new Dbdeploy(settings(url, changelog, "v1"), progress).dryRun();
        assertTrue(dry.dryRun());
        assertTrue(lines.stream().anyMatch(l -> l.contains("create table customer")), lines.toString());
        assertEquals(List.of("0"), column(url, "select count(*) from pg_tables where schemaname = 'public'"));
    }

    @Test
    void lockHeldByAnotherSessionMakesMigrateWaitThenFailNamingTheHolder() throws Exception {
        String url = TestDatabases.newDatabase("locked");
        Path changelog = threeGood().write();
        java.util.Properties props = new java.util.Properties();
        props.setProperty("ApplicationName", "dbdeploy migrate other-deploy by ci@agent-7");
        try (Connection holder = DriverManager.getConnection(url, props); Statement st = holder.createStatement()) {
            st.execute("select pg_advisory_lock(" + TargetDatabase.LOCK_KEY + ")");
            DeploySettings waitOneSecond = DeploySettings.builder().environment("test").jdbcUrl(url).changelog(changelog)
                    .deploymentId("v1").lockWait(java.time.Duration.ofSeconds(1)).outputDirectory(dir.resolve("out")).build();
            DbdeployException e = assertThrows(DbdeployException.class, () -> new Dbdeploy(waitOneSecond, progress).migrate());
            assertTrue(e.getMessage().contains("Another deployment holds the dbdeploy lock on this database:"
                    + " 'dbdeploy migrate other-deploy by ci@agent-7'"), e.getMessage());
            assertTrue(e.getMessage().contains("Gave up after 1 s (dbdeploy.lockWaitSeconds)"), e.getMessage());
            assertEquals(DbdeployException.Kind.UNAVAILABLE, e.kind(), "a lock timeout is worth retrying later");
        }
        assertEquals(List.of("f"), column(url, "select to_regclass('databasechangelog') is not null"));
    }

    @Test
    void unreachableDatabaseIsReportedAsUnavailable() throws Exception {
        Path changelog = threeGood().write();
        DeploySettings closedPort = DeploySettings.builder().environment("test")
                .jdbcUrl("jdbc:postgresql://127.0.0.1:1/app").changelog(changelog).outputDirectory(dir.resolve("out"))
                .build();
        DbdeployException e = assertThrows(DbdeployException.class, () -> new Dbdeploy(closedPort, progress).migrate());
        assertTrue(e.getMessage().startsWith("Cannot connect to jdbc:postgresql://127.0.0.1:1/app"), e.getMessage());
        assertEquals(DbdeployException.Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void yamlAndFormattedSqlMasterChangelogsWork() throws Exception {
        Path yaml = dir.resolve("yaml/changelog.yaml");
        Files.createDirectories(yaml.getParent());
        Files.writeString(yaml, String.join("\n",
                "databaseChangeLog:",
                "  - changeSet:",
                "      id: y1",
                "      author: alice",
                "      changes:",
                "        - createTable:",
                "            tableName: from_yaml",
                "            columns:",
                "              - column: {name: id, type: int}", ""));
        Path sql = dir.resolve("sql/changelog.sql");
        Files.createDirectories(sql.getParent());
        Files.writeString(sql, "--liquibase formatted sql\n--changeset alice:s1\ncreate table from_sql (id int);\n"
                + "--rollback drop table from_sql;\n");
        String url = TestDatabases.newDatabase("formats");
        assertEquals(1, new Dbdeploy(settings(url, yaml, "yaml"), progress).migrate().applied());
        assertEquals(1, new Dbdeploy(settings(url, sql, "sql"), progress).migrate().applied());
        assertEquals(List.of("from_sql", "from_yaml"), column(url,
                "select tablename from pg_tables where schemaname = 'public' and tablename like 'from_%' order by 1"));
    }

    @Test
    void everyChangesetTakesOneTransactionToApplyAndTheRollbackOneForAll() throws Exception {
        String url = TestDatabases.newDatabase("transactions");
        Changelogs changelogs = new Changelogs(dir.resolve("db"));
        for (int i = 1; i <= 20; i++) {
            changelogs.add(String.format("%03d-t", i), "create table t" + i + " (id int);", "drop table t" + i + ";");
        }
        Path changelog = changelogs.write();
        new Dbdeploy(settings(url, changelog, "seed"), progress).migrate(); // creates the bookkeeping tables
        new Dbdeploy(settings(url, changelog, null), progress).rollback(RollbackTarget.lastDeployment());

        // Every writing transaction takes a transaction id: the counter tells how many the engine used.
        long beforeMigrate = txid(url);
        new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();
        long migrateTransactions = txid(url) - beforeMigrate - 1;
        new Dbdeploy(settings(url, changelog, null), progress).rollback(RollbackTarget.lastDeployment());
        long rollbackTransactions = txid(url) - beforeMigrate - migrateTransactions - 2;

        // 20 changesets and a few journal writes; Liquibase alone needs two transactions per changeset (40+).
        assertTrue(migrateTransactions >= 20 && migrateTransactions < 28, "migrate used " + migrateTransactions);
        // A rollback whose changesets can all run in a transaction is one transaction: all or nothing.
        assertTrue(rollbackTransactions >= 1 && rollbackTransactions < 8, "rollback used " + rollbackTransactions);
    }

    private static long txid(String url) throws SQLException {
        return Long.parseLong(column(url, "select txid_current()").get(0));
    }

    @Test
    void theLiquibaseVersionIsTheOneLiquibaseReports() {
        // Read without starting Liquibase's scope; it must still be the version Liquibase writes into its rows.
        assertEquals(liquibase.util.LiquibaseUtil.getBuildVersion(), Dbdeploy.liquibaseVersion());
        assertTrue(Dbdeploy.componentVersions().contains("Liquibase 4."), Dbdeploy.componentVersions());
    }
}
