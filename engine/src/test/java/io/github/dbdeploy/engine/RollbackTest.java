package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Rollback undoes exactly the changesets it checked and journaled, whatever the filters of the run. */
class RollbackTest extends EngineTest {

    @Test
    void rollbackByCountUndoesTheNewestRowsEvenWhenTheContextFilterWouldPickOthers() throws Exception {
        String url = TestDatabases.newDatabase("count_filters");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-eu", "context:eu", "create table eu_only (id int);", "drop table eu_only;")
                .add("002-us", "context:us", "create table us_only (id int);", "drop table us_only;")
                .add("003-eu-more", "context:eu", "create table eu_more (id int);", "drop table eu_more;")
                .write();
        migrate(url, changelog, "all-regions"); // no filter: all three run, 001, 002, 003 in that order
        new Dbdeploy(builder(url, changelog, null).contexts("eu").build(), progress).rollback(RollbackTarget.changesets(1));
        assertEquals(List.of("001-eu", "002-us"), column(url, "select id from databasechangelog order by orderexecuted"));

        // The newest row now belongs to the "us" context; the run's filter is "eu".
        RunSummary rollback = new Dbdeploy(builder(url, changelog, null).contexts("eu").build(), progress)
                .rollback(RollbackTarget.changesets(1));
        assertEquals(1, rollback.applied());
        assertEquals(List.of("002-us"), rollback.changesets().stream().map(ChangesetOutcome::id).toList());
        assertEquals(List.of("001-eu"), column(url, "select id from databasechangelog"));
        assertEquals(List.of("eu_only"), column(url,
                "select tablename from pg_tables where schemaname = 'public' and tablename like '%_only'"));
        assertTrue(lines.contains("Rolling back 1 changeset(s) to the last 1 changeset(s)"), lines.toString());
    }
}
