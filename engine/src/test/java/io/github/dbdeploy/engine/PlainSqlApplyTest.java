package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;

import liquibase.changelog.ChangeSet;
import org.junit.jupiter.api.Test;

/**
 * Changesets that are plain SQL are applied without Liquibase's update loop (LiquibaseSession#applyPlainSql). What
 * they leave behind must be what that loop leaves: the same schema and the same DATABASECHANGELOG rows.
 */
class PlainSqlApplyTest extends EngineTest {
    /** Every column Liquibase writes except the time; the per-process deployment id by its shape only. */
    private static final String ROWS = "select row(id, author, filename, orderexecuted, exectype, md5sum, description,"
            + " comments, tag, liquibase, contexts, labels, deployment_id ~ '^[0-9]{10}$')::text"
            + " from databasechangelog order by orderexecuted";

    private Changelogs plainSql(String root) {
        return new Changelogs(dir.resolve(root))
                .add("001-function", "splitStatements:false context:prod labels:billing",
                        "--comment: totals per customer's account, from C:\\ledger\\\n"
                                + "create table invoice (id bigint primary key, customer text, amount numeric);\n"
                                + "create function total(c text) returns numeric language plpgsql as $$\n"
                                + "begin\n  return (select coalesce(sum(amount), 0) from invoice where customer = c);"
                                + "\nend;\n$$;",
                        "drop function total(text); drop table invoice;")
                // A quote in the id and the file name, a backslash and quotes in the comment: the history rows are
                // sent as SQL text with the changeset's own statements, and must read back as Liquibase writes them.
                .add("002-o'seed", "insert into invoice values (1, 'ada', 10);\n"
                        + "insert into invoice values (2, 'ada', 5); -- a second statement; and a comment",
                        "delete from invoice;");
    }

    @Test
    void plainSqlChangesetsLeaveTheRowsAndSchemaLiquibasesLoopLeaves() throws Exception {
        String direct = TestDatabases.newDatabase("plain_direct");
        RunSummary applied = migrate(direct, plainSql("direct").write(), "v1");
        assertEquals(2, applied.applied());

        // A changeset with a precondition is Liquibase's to run, and with it the whole update goes through its loop.
        String viaLiquibase = TestDatabases.newDatabase("plain_liquibase");
        Path changelog = plainSql("liquibase")
                .add("003-guarded", "\n--precondition-sql-check expectedResult:0 select count(*) from invoice"
                        + " where amount < 0", "select 1;", "select 1;")
                .write();
        assertEquals(3, migrate(viaLiquibase, changelog, "v1").applied());

        // The history table itself: created with Liquibase's own DDL, without Liquibase's check of the catalog.
        String historyColumns = "select concat_ws(' ', ordinal_position, column_name, data_type,"
                + " character_maximum_length, is_nullable, column_default) from information_schema.columns"
                + " where table_name = 'databasechangelog' order by ordinal_position";
        assertEquals(column(viaLiquibase, historyColumns), column(direct, historyColumns));
        assertEquals(14, column(direct, historyColumns).size());
        List<String> directRows = column(direct, ROWS);
        List<String> liquibaseRows = column(viaLiquibase, ROWS);
        assertEquals(liquibaseRows.subList(0, 2), directRows);
        // row()::text doubles a backslash
        assertTrue(directRows.get(0).contains("customer's account, from C:\\\\ledger\\\\")
                && directRows.get(0).contains("prod"), directRows.get(0));
        assertEquals(List.of("15"), column(direct, "select total('ada')"));
        assertEquals(List.of("2"), column(direct, "select count(*) from databasechangelog"
                + " where dateexecuted between localtimestamp - interval '10 minutes' and localtimestamp"));
        assertEquals(SchemaDump.of(viaLiquibase), SchemaDump.of(direct));

        // Rolling back: the SQL rollbacks run without Liquibase's loop too, which the guarded changeset keeps to it.
        RunSummary directBack = new Dbdeploy(settings(direct, plainSql("direct").write(), null), progress)
                .rollback(RollbackTarget.beforeDeployment("v1"));
        RunSummary liquibaseBack = new Dbdeploy(settings(viaLiquibase, changelog, null), progress)
                .rollback(RollbackTarget.beforeDeployment("v1"));
        assertEquals(RunSummary.SUCCESS, directBack.status(), directBack.error());
        assertEquals(RunSummary.SUCCESS, liquibaseBack.status(), liquibaseBack.error());
        assertEquals(List.of("002-o'seed", "001-function"),
                directBack.changesets().stream().map(ChangesetOutcome::id).toList());
        assertEquals(List.of(), column(direct, "select id from databasechangelog"));
        assertEquals(List.of(), column(viaLiquibase, "select id from databasechangelog"));
        assertEquals(List.of("f"), column(direct, "select to_regclass('invoice') is not null"));
        assertEquals(SchemaDump.of(viaLiquibase), SchemaDump.of(direct));
    }

    @Test
    void changesetsAppliedOneByOneByBothPathsGetConsecutiveOrder() throws Exception {
        // As rehearse applies them: Liquibase's loop for A and C (createTable), the plain path for B. Liquibase
        // caches the next ORDEREXECUTED; after B's row it must read the table again, or C would reuse B's number.
        String url = TestDatabases.newDatabase("plain_mixed");
        Path changelog = dir.resolve("mixed.xml");
        Files.writeString(changelog, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n"
                + "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                + "    xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog"
                + " http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.33.xsd\">\n"
                + "  <changeSet id=\"a\" author=\"alice\"><createTable tableName=\"a\">"
                + "<column name=\"id\" type=\"int\"/></createTable></changeSet>\n"
                + "  <changeSet id=\"b\" author=\"alice\"><sql>insert into a values (1)</sql></changeSet>\n"
                + "  <changeSet id=\"c\" author=\"alice\"><createTable tableName=\"c\">"
                + "<column name=\"id\" type=\"int\"/></createTable></changeSet>\n"
                + "</databaseChangeLog>\n");
        try (Connection c = DriverManager.getConnection(url)) {
            LiquibaseSession session = new LiquibaseSession(settings(url, changelog, null), c, progress);
            List<ChangeSet> all = session.pending();
            session.createHistoryTable();
            assertEquals(List.of(false, true, false), all.stream().map(LiquibaseSession::isPlainSql).toList());
            for (ChangeSet cs : all) {
                LiquibaseSession.Outcome outcome = session.apply(cs);
                assertTrue(!outcome.failed(), outcome.describeFailure());
            }
        }
        assertEquals(List.of("a 1", "b 2", "c 3"),
                column(url, "select id || ' ' || orderexecuted from databasechangelog order by orderexecuted, id"));
    }
}
