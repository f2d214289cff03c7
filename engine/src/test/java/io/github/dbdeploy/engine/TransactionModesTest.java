package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** All-or-nothing rollback, and dbdeploy.transaction=deployment for migrate. */
class TransactionModesTest extends EngineTest {
    private static final String HISTORY = "select id || ' ' || orderexecuted || ' ' || md5sum || ' ' || exectype"
            + " from databasechangelog order by orderexecuted";

    @Test
    void aRollbackWhoseMiddleScriptFailsLeavesTheDatabaseExactlyAtTheDeployedState() throws Exception {
        String url = TestDatabases.newDatabase("rollback_atomic");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;")
                .add("005-broken-down", "alter table customer add column phone text;", "drop table no_such_table;")
                .add("006-total", "alter table customer add column total int default 0;",
                        "alter table customer drop column total;")
                .write();
        migrate(url, changelog, "v2");
        String deployed = SchemaDump.of(url);
        List<String> history = column(url, HISTORY);

        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.beforeDeployment("v2"));

        assertEquals(RunSummary.FAILED, rollback.status());
        assertEquals(0, rollback.applied());
        assertTrue(rollback.error().contains("005-broken-down") && rollback.error().contains("no_such_table"),
                rollback.error());
        assertTrue(rollback.error().contains("The rollback ran in one transaction, which was discarded: nothing was"
                + " rolled back, and the database is exactly as it was before it."), rollback.error());
        assertEquals(List.of("005-broken-down"), rollback.changesets().stream().map(ChangesetOutcome::id).toList());
        // 006's rollback ran first and succeeded, then 005's failed: 006's column is back, with everything else.
        assertEquals(deployed, SchemaDump.of(url));
        assertEquals(history, column(url, HISTORY));
        assertEquals(List.of("success"), column(url, "select status from dbdeploy_deployment where deployment_id = 'v2'"));
    }

    @Test
    void aDeploymentInOneTransactionThatFailsRestoresTheExactStateWithoutRollbackScripts() throws Exception {
        String url = TestDatabases.newDatabase("deploy_atomic");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String before = SchemaDump.of(url);
        List<String> history = column(url, HISTORY);
        // No rollback for 004 and 005, and 005 changes data: a rollback script could not have brought this back.
        changelogs.add("004-orders", "create table orders (id bigint primary key);", null)
                .add("005-rename", "update customer set name = upper(name);", null)
                .add("006-broken", "alter table no_such_table add column x int;", null)
                .write();

        RunSummary failed = new Dbdeploy(builder(url, changelog, "v2").transaction("deployment").build(), progress)
                .migrate();

        assertEquals(RunSummary.ROLLED_BACK, failed.status());
        assertTrue(failed.error().contains("006-broken") && failed.error().contains("no_such_table"), failed.error());
        assertTrue(failed.error().contains("The deployment ran in one transaction (dbdeploy.transaction=deployment),"
                + " which was discarded with the 2 changeset(s) applied in it: the database is as it was before"
                + " deployment v2. No rollback script ran."), failed.error());
        assertEquals(List.of("rolled_back", "rolled_back", "failed"),
                failed.changesets().stream().map(o -> o.status().label()).toList());
        assertFalse(lines.stream().anyMatch(l -> l.contains("No rollback for")), lines.toString());
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("ada", "bob"), column(url, "select name from customer order by id"));
        assertEquals(history, column(url, HISTORY));
        assertEquals(List.of("rolled_back"), column(url,
                "select status from dbdeploy_deployment where deployment_id = 'v2'"));
    }

    @Test
    void aDeploymentInOneTransactionCommitsEveryChangesetAndHistoryRowTogether() throws Exception {
        String url = TestDatabases.newDatabase("deploy_one_tx");
        Path changelog = threeGood().write();
        RunSummary ok = new Dbdeploy(builder(url, changelog, "v1").transaction("deployment").build(), progress)
                .migrate();
        assertEquals(RunSummary.SUCCESS, ok.status());
        assertEquals(3, ok.applied());
        // One transaction wrote every history row and the seed data.
        assertEquals(List.of("1"), column(url, "select count(distinct xmin::text) from databasechangelog"));
        assertEquals(List.of("t"), column(url, "select (select xmin from customer where id = 1)"
                + " = (select xmin from databasechangelog where id = '001-customer')"));
    }

    @Test
    void aDeploymentInOneTransactionIsRefusedUpFrontWhenAChangesetMustRunOutsideOne() throws Exception {
        String url = TestDatabases.newDatabase("deploy_refused");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String before = SchemaDump.of(url);
        changelogs.add("004-orders", "create table orders (id bigint primary key, customer_id bigint);",
                        "drop table orders;")
                .add("005-index", "runInTransaction:false",
                        "create index concurrently orders_customer on orders (customer_id);",
                        "drop index concurrently orders_customer;")
                .write();

        DbdeployException e = assertThrows(DbdeployException.class, () -> new Dbdeploy(
                builder(url, changelog, "v2").transaction("deployment").build(), progress).migrate());
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertEquals("dbdeploy.transaction=deployment applies every pending changeset in one transaction, but 1 of"
                + " them must run outside a transaction: 005-index (sql/005-index.sql). Deploy with"
                + " dbdeploy.transaction=changeset (one transaction per changeset), or deploy the changesets before"
                + " them first. Nothing was changed.", e.getMessage());
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("3"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void aDirectoryMigrationFlaggedNonTransactionalIsRefusedToo() throws Exception {
        String url = TestDatabases.newDatabase("deploy_refused_dir");
        Path migrations = dir.resolve("migrations");
        java.nio.file.Files.createDirectories(migrations);
        java.nio.file.Files.writeString(migrations.resolve("20240101120000_init.sql"),
                "-- migrate:up\ncreate table t (id int);\n-- migrate:down\ndrop table t;\n");
        java.nio.file.Files.writeString(migrations.resolve("20240102120000_index.sql"),
                "-- migrate:up transaction:false\ncreate index concurrently t_id on t (id);\n"
                        + "-- migrate:down\ndrop index t_id;\n");
        DbdeployException e = assertThrows(DbdeployException.class, () -> new Dbdeploy(
                builder(url, migrations, "v1").format("dbmate").transaction("deployment").build(), progress)
                .migrate());
        assertTrue(e.getMessage().contains("1 of them must run outside a transaction: 20240102120000"), e.getMessage());
        assertEquals(List.of("f"), column(url, "select to_regclass('t') is not null"));
    }
}
