package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code rehearse} on a real embedded PostgreSQL: one changeset of each kind the issue names, and what the rehearsal
 * observed for it. The embedded server is the rehearsal's own, started by the run; the target is a real database.
 */
class RehearsalTest extends EngineTest {

    private static Changelogs everyKind(Path root) {
        return new Changelogs(root)
                .add("001-tables", "create table orders (id int primary key, total int, note text);"
                        + " insert into orders select g, g * 10, 'n' from generate_series(1, 500) g;"
                        + " create table customers (id int primary key, full_name text, nickname text);"
                        + " create table products (id int primary key, name text);"
                        + " create table kept (id int);",
                        "drop table orders, customers, products, kept;")
                .add("002-leaves-column", "alter table kept add column extra int;", "select 1;")
                .add("003-broken-rollback", "create table audit (id int);", "drop table no_such_table;")
                .add("004-index", "create index orders_total_idx on orders (total);", "drop index orders_total_idx;")
                .add("005-bigint", "alter table orders alter column total type bigint;",
                        "alter table orders alter column total type int;")
                .add("006-drop-column", "alter table customers drop column nickname;",
                        "alter table customers add column nickname text;")
                .add("007-rename-column", "alter table customers rename column full_name to name;",
                        "alter table customers rename column name to full_name;")
                .add("008-nullable-column", "alter table products add column colour text;",
                        "alter table products drop column colour;")
                .add("009-waived", "-- The old reports are gone: dbdeploy:allow breaking, dataLoss\ndrop table kept;",
                        "create table kept (id int, extra int);");
    }

    private RunSummary rehearse(DeploySettings settings) {
        return new Dbdeploy(settings, progress).run(Command.REHEARSE);
    }

    private DeploySettings.Builder withoutTarget(Path changelog) {
        return DeploySettings.builder().environment("test").changelog(changelog).databaseRequired(false)
                .outputDirectory(dir.resolve("out"));
    }

    @Test
    void eachKindOfChangesetIsReportedAsObservedOnTheEmbeddedServer() throws Exception {
        Path changelog = everyKind(dir.resolve("db")).write();
        RunSummary summary = rehearse(withoutTarget(changelog).rehearseFailOn("rollback,reapply,breaking").build());
        Map<String, ChangesetRehearsal> byId = summary.rehearsal().stream()
                .collect(Collectors.toMap(ChangesetRehearsal::id, Function.identity()));
        assertEquals(9, summary.rehearsal().size(), lines.toString());

        ChangesetRehearsal exact = byId.get("001-tables");
        assertEquals("ok", exact.apply());
        assertEquals("exact", exact.rollback());
        assertEquals("ok", exact.reapply());
        assertEquals(List.of(), exact.locks()); // every table it touches is its own
        assertEquals(List.of(), exact.breaking());
        assertEquals(List.of(), exact.failedChecks());

        ChangesetRehearsal leaves = byId.get("002-leaves-column");
        assertEquals("differs", leaves.rollback());
        assertEquals(List.of("+ column public.kept.extra: #2 integer"), leaves.rollbackDiff());
        assertEquals("failed", leaves.reapply());
        assertTrue(leaves.reapplyError().contains("column \"extra\" of relation \"kept\" already exists"),
                leaves.reapplyError());
        assertEquals(List.of("rollback", "reapply"), leaves.failedChecks());

        ChangesetRehearsal broken = byId.get("003-broken-rollback");
        assertEquals("failed", broken.rollback());
        assertTrue(broken.rollbackError().contains("table \"no_such_table\" does not exist"), broken.rollbackError());
        assertNull(broken.reapply());
        assertEquals(List.of("rollback"), broken.failedChecks());

        ChangesetRehearsal index = byId.get("004-index");
        assertEquals(List.of(new ChangesetRehearsal.Lock("public.orders", "ShareLock")), index.locks());
        assertEquals(List.of(), index.rewrites());
        assertEquals(List.of(), index.breaking());
        assertEquals("exact", index.rollback());

        ChangesetRehearsal bigint = byId.get("005-bigint");
        assertEquals(List.of(new ChangesetRehearsal.Lock("public.orders", "AccessExclusiveLock")), bigint.locks());
        assertEquals(List.of("public.orders"), bigint.rewrites());
        assertEquals(List.of(new ChangesetRehearsal.Breaking("public.orders.total",
                "type changed from integer to bigint")), bigint.breaking());
        assertFalse(bigint.dataLoss()); // every int fits in a bigint
        assertEquals("exact", bigint.rollback());
        assertEquals(List.of("breaking"), bigint.failedChecks());

        ChangesetRehearsal dropped = byId.get("006-drop-column");
        assertEquals(List.of(new ChangesetRehearsal.Breaking("public.customers.nickname", "column dropped")),
                dropped.breaking());
        assertTrue(dropped.dataLoss());
        assertEquals("exact", dropped.rollback()); // it was the last column, so it comes back in the same place

        ChangesetRehearsal renamed = byId.get("007-rename-column");
        assertEquals(List.of(new ChangesetRehearsal.Breaking("public.customers.full_name", "column renamed to name")),
                renamed.breaking());
        assertFalse(renamed.dataLoss());

        ChangesetRehearsal nullable = byId.get("008-nullable-column");
        assertEquals(List.of(), nullable.rewrites());
        assertEquals(List.of(), nullable.breaking());
        assertFalse(nullable.dataLoss());
        assertEquals(List.of(new ChangesetRehearsal.Lock("public.products", "AccessExclusiveLock")), nullable.locks());
        assertEquals("exact", nullable.rollback());
        assertEquals(List.of(), nullable.failedChecks());

        ChangesetRehearsal waived = byId.get("009-waived");
        assertEquals(List.of(new ChangesetRehearsal.Breaking("public.kept", "table dropped")), waived.breaking());
        assertTrue(waived.dataLoss());
        assertEquals(List.of("breaking", "dataLoss"), waived.waived());
        assertEquals(List.of(), waived.failedChecks());

        assertEquals(RunSummary.FAILED, summary.status());
        assertTrue(summary.error().startsWith("5 of 9 rehearsed changeset(s) failed"
                + " (dbdeploy.rehearse.failOn=rollback,reapply,breaking): 002-leaves-column (sql/002-leaves-column.sql):"
                + " rollback, reapply; 003-broken-rollback"), summary.error());
        assertTrue(lines.stream().anyMatch(l -> l.equals("WARN   rehearsed 005-bigint (sql/005-bigint.sql) "
                + bigint.durationMs() + " ms: rollback exact, reapply ok")), lines.toString());

        // The summary files carry the same, in the one schema.
        Map<?, ?> json = new ObjectMapper().readValue(Files.readString(dir.resolve("out/summary.json")), Map.class);
        assertEquals("rehearse", json.get("command"));
        List<?> rehearsal = (List<?>) json.get("rehearsal");
        assertEquals(Map.of("relation", "public.orders", "mode", "ShareLock"),
                ((List<?>) ((Map<?, ?>) rehearsal.get(3)).get("locks")).get(0));
        String markdown = Files.readString(dir.resolve("out/summary.md"));
        assertTrue(markdown.contains("| `005-bigint` (alice) | `sql/005-bigint.sql` | ok | exact | ok |"
                + " AccessExclusiveLock on public.orders | public.orders |"
                + " public.orders.total: type changed from integer to bigint | no | **breaking** |"), markdown);
    }

    @Test
    void withATargetOnlyItsPendingChangesetsAreRehearsedAndTheTargetIsNotChanged() throws Exception {
        String url = TestDatabases.newDatabase("rehearse_target");
        Changelogs deployed = new Changelogs(dir.resolve("db"))
                .add("001-orders", "create table orders (id int primary key, total int, note text);",
                        "drop table orders;");
        migrate(url, deployed.write(), "v1");
        Path changelog = deployed
                .add("002-index", "create index orders_total_idx on orders (total);", "drop index orders_total_idx;")
                .add("003-drop", "alter table orders drop column note;", "alter table orders add column note text;")
                .write();
        String schemaBefore = SchemaDump.of(url);
        List<String> historyBefore = column(url, "select id || ' ' || md5sum from databasechangelog order by 1");

        RunSummary summary = rehearse(builder(url, changelog, null).build());

        assertEquals(List.of("002-index", "003-drop"), summary.rehearsal().stream().map(ChangesetRehearsal::id).toList());
        assertEquals(1, summary.skipped());
        assertEquals(RunSummary.SUCCESS, summary.status(), summary.error()); // default failOn: rollback,reapply
        assertTrue(summary.rehearsal().get(1).dataLoss());
        assertTrue(lines.contains("2 changeset(s) pending on " + url + " (PostgreSQL 14, read only, no lock taken)"),
                lines.toString());
        assertEquals(schemaBefore, SchemaDump.of(url));
        assertEquals(historyBefore, column(url, "select id || ' ' || md5sum from databasechangelog order by 1"));
        assertEquals(List.of("0"), column(url, "select count(*) from pg_locks where locktype = 'advisory'"));
    }

    @Test
    void thePostDeployChecksRunOnTheRehearsedSchemaAndAFailedOneFailsTheRehearsal() throws Exception {
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-orders", "create table orders (id int primary key, total int);", "drop table orders;")
                .write();
        Path checks = dir.resolve("checks.sql");
        java.nio.file.Files.writeString(checks, "-- orders exists\nselect to_regclass('public.orders') is not null;\n"
                + "-- orders has a customer column\nselect count(*) = 1 from information_schema.columns"
                + " where table_name = 'orders' and column_name = 'customer_id';\n");

        RunSummary summary = rehearse(withoutTarget(changelog).checks(checks).build());

        assertEquals(List.of("orders exists=passed", "orders has a customer column=failed"),
                summary.checks().stream().map(c -> c.name() + "=" + c.status()).toList());
        assertEquals(RunSummary.FAILED, summary.status());
        assertTrue(summary.error().contains("Post-deploy check(s) of " + checks + " failed on the rehearsed schema:"
                + " 'orders has a customer column'"), summary.error());
        assertEquals("exact", summary.rehearsal().get(0).rollback(), "the changeset itself rehearsed fine");
    }

    @Test
    void fromAChangesetIdRehearsesItAndEverythingAfterButAppliesWhatComesBefore() throws Exception {
        Path changelog = everyKind(dir.resolve("db")).write();
        RunSummary summary = rehearse(withoutTarget(changelog).rehearseFrom("007-rename-column").build());
        assertEquals(List.of("007-rename-column", "008-nullable-column", "009-waived"),
                summary.rehearsal().stream().map(ChangesetRehearsal::id).toList());
        assertEquals(6, summary.skipped());
        // 002 left its column on the rehearsal database when it was applied, so 009 drops a table that has it.
        assertEquals(RunSummary.SUCCESS, summary.status(), summary.error());

        DbdeployException unknown = org.junit.jupiter.api.Assertions.assertThrows(DbdeployException.class,
                () -> rehearse(withoutTarget(changelog).rehearseFrom("042-nope").build()));
        assertTrue(unknown.getMessage().startsWith("dbdeploy.rehearse.from=042-nope names no changeset of "),
                unknown.getMessage());
        assertTrue(unknown.getMessage().contains("001-tables, 002-leaves-column"), unknown.getMessage());
    }
}
