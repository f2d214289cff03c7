package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The lock guard with three real sessions: a long transaction that read the table (a report), migrate altering the
 * table, and an application session reading it. Without the guard the application's reads queue behind the waiting
 * ALTER for as long as the report runs.
 */
class LockGuardTest extends EngineTest {
    private static final long REPORT_MILLIS = 4000;

    private Connection report(String url) throws Exception {
        Properties props = new Properties();
        props.setProperty("ApplicationName", "nightly-report");
        Connection c = DriverManager.getConnection(url, props);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("select count(*) from orders"); // holds AccessShareLock on orders until it ends
        }
        return c;
    }

    private Changelogs orders() {
        return new Changelogs(dir.resolve("db"))
                .add("001-orders", "create table orders (id bigint primary key, total int);"
                        + " insert into orders select g, g from generate_series(1, 100) g;", "drop table orders;");
    }

    private static int pid(Connection c) throws Exception {
        return c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    }

    @Test
    void otherSessionsWaitAboutTheLockTimeoutNotTheLongTransactionAndARetrySucceeds() throws Exception {
        String url = TestDatabases.newDatabase("guard_retry");
        Changelogs changelogs = orders();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        changelogs.add("002-note", "alter table orders add column note text;", "alter table orders drop column note;")
                .write();
        DeploySettings guarded = builder(url, changelog, "v2").lockTimeout("500ms").lockRetries(10).build();

        List<Long> readMillis = new CopyOnWriteArrayList<>();
        try (Connection report = report(url); Connection app = DriverManager.getConnection(url)) {
            int reportPid = pid(report);
            long reportStarted = System.nanoTime();
            CompletableFuture<RunSummary> migrate = CompletableFuture.supplyAsync(
                    () -> new Dbdeploy(guarded, progress).migrate());
            CompletableFuture<Void> reads = CompletableFuture.runAsync(() -> {
                try (Statement st = app.createStatement()) {
                    while (!migrate.isDone()) {
                        long t = System.nanoTime();
                        st.execute("select sum(total) from orders");
                        readMillis.add((System.nanoTime() - t) / 1_000_000);
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(Math.max(0, REPORT_MILLIS - (System.nanoTime() - reportStarted) / 1_000_000));
            report.commit();
            RunSummary summary = migrate.get(60, TimeUnit.SECONDS);
            reads.get(10, TimeUnit.SECONDS);
            long longest = readMillis.stream().mapToLong(Long::longValue).max().orElse(0);
            // The reads did queue behind the waiting ALTER (so this test saw the problem), but never for the length
            // of the report: each wait ended at the lock timeout, with room for a busy machine.
            assertTrue(longest >= 200, "reads never waited behind the ALTER: " + readMillis);
            assertTrue(longest < 1500, "a read waited " + longest + " ms with a 500 ms lock timeout: " + readMillis);

            assertEquals(RunSummary.SUCCESS, summary.status(), summary.error());
            assertEquals(List.of("note"), column(url, "select column_name from information_schema.columns"
                    + " where table_name = 'orders' and column_name = 'note'"));
            // The history row travels with the changeset's SQL, so every retry sent it again: recorded once.
            assertEquals(List.of("001-orders 1", "002-note 2"),
                    column(url, "select id || ' ' || orderexecuted from databasechangelog order by orderexecuted"));
            List<String> retries = lines.stream().filter(l -> l.contains(" Retry ")).toList();
            assertTrue(retries.size() >= 2 && retries.get(0).contains("Retry 1 of 10"), lines.toString());
            // The probe session opens during the first wait; on a busy machine that wait may end before it looks.
            for (String retry : retries.subList(1, retries.size())) {
                assertTrue(retry.startsWith("WARN Changeset 002-note (sql/002-note.sql) waited 0.50 s"
                        + " (dbdeploy.lockTimeout) for a lock held by pid " + reportPid + " (user "), retry);
                assertTrue(retry.contains("application 'nightly-report', idle in transaction since ")
                        && retry.contains("query 'select count(*) from orders'"), retry);
            }
        }
    }

    @Test
    void whenTheRetriesRunOutTheDeploymentIsRolledBackAndTheMessageNamesTheBlocker() throws Exception {
        String url = TestDatabases.newDatabase("guard_gives_up");
        Changelogs changelogs = orders();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String before = SchemaDump.of(url);
        List<String> rowsBefore = column(url, "select id || ' ' || md5sum from databasechangelog order by 1");
        changelogs.add("002-audit", "create table audit (id int);", "drop table audit;")
                .add("003-note", "alter table orders add column note text;", "alter table orders drop column note;")
                .write();
        DeploySettings guarded = builder(url, changelog, "v2").lockTimeout("300ms").lockRetries(2).build();

        try (Connection report = report(url)) {
            RunSummary summary = new Dbdeploy(guarded, progress).migrate();
            assertEquals(RunSummary.ROLLED_BACK, summary.status(), summary.error());
            assertTrue(summary.error().contains("Changeset 003-note (sql/003-note.sql) could not get a lock within"
                    + " 0.30 s (dbdeploy.lockTimeout) in 3 attempt(s) (dbdeploy.lockRetries=2). The lock was held by"
                    + " pid " + pid(report)), summary.error());
            assertTrue(summary.error().contains("application 'nightly-report'"), summary.error());
            assertTrue(summary.error().contains("Rolled back the 1 changeset(s) applied before it"), summary.error());
            assertEquals(2, lines.stream().filter(l -> l.contains("Retry ")).count(), lines.toString());
        }
        assertEquals(before, SchemaDump.of(url));
        assertEquals(rowsBefore, column(url, "select id || ' ' || md5sum from databasechangelog order by 1"));
    }

    @Test
    void inOneTransactionTheWholeDeploymentIsRetriedAndLeftExactlyAsBeforeWhenRetriesRunOut() throws Exception {
        String url = TestDatabases.newDatabase("guard_one_tx");
        Changelogs changelogs = orders();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String before = SchemaDump.of(url);
        changelogs.add("002-audit", "create table audit (id int);", null)
                .add("003-note", "alter table orders add column note text;", null)
                .write();
        DeploySettings guarded = builder(url, changelog, "v2").lockTimeout("300ms").lockRetries(1)
                .transaction("deployment").build();

        try (Connection report = report(url)) {
            RunSummary summary = new Dbdeploy(guarded, progress).migrate();
            assertEquals(RunSummary.ROLLED_BACK, summary.status(), summary.error());
            assertTrue(summary.error().contains("The lock was held by pid " + pid(report)), summary.error());
            assertTrue(summary.error().contains("No rollback script ran"), summary.error());
            String retry = lines.stream().filter(l -> l.contains("Retry 1 of 1")).findFirst().orElse(lines.toString());
            assertTrue(retry.startsWith("WARN The deployment at changeset 003-note (sql/003-note.sql) waited 0.30 s"
                    + " (dbdeploy.lockTimeout) for a lock held by pid " + pid(report)), retry);
        }
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("001-orders"), column(url, "select id from databasechangelog"));
    }

    @Test
    void anEmergencyRollbackWaitsOutTheBlockerTheSameWay() throws Exception {
        String url = TestDatabases.newDatabase("guard_rollback");
        Changelogs changelogs = orders();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String v1 = SchemaDump.of(url);
        changelogs.add("002-audit", "create table audit (id int);", "drop table audit;")
                .add("003-note", "alter table orders add column note text;", "alter table orders drop column note;")
                .write();
        migrate(url, changelog, "v2");
        DeploySettings guarded = builder(url, changelog, null).lockTimeout("300ms").lockRetries(10).build();

        try (Connection report = report(url)) {
            CompletableFuture<RunSummary> rollback = CompletableFuture.supplyAsync(
                    () -> new Dbdeploy(guarded, progress).rollback(RollbackTarget.beforeDeployment("v2")));
            Thread.sleep(1500);
            report.commit();
            RunSummary summary = rollback.get(60, TimeUnit.SECONDS);
            assertEquals(RunSummary.SUCCESS, summary.status(), summary.error());
            assertEquals(2, summary.applied());
            String retry = lines.stream().filter(l -> l.contains("Retry 1 of 10")).findFirst().orElse(lines.toString());
            assertTrue(retry.startsWith("WARN The rollback at changeset 003-note (sql/003-note.sql) waited 0.30 s"
                    + " (dbdeploy.lockTimeout) for a lock held by pid " + pid(report)), retry);
        }
        assertEquals(v1, SchemaDump.of(url));
        assertEquals(List.of("001-orders"), column(url, "select id from databasechangelog"));
    }

    @Test
    void inOneTransactionARetryAfterTheBlockerLeavesAppliesEveryChangesetAgain() throws Exception {
        String url = TestDatabases.newDatabase("guard_one_tx_retry");
        Changelogs changelogs = orders();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        changelogs.add("002-audit", "create table audit (id int);", null)
                .add("003-note", "alter table orders add column note text;", null)
                .write();
        DeploySettings guarded = builder(url, changelog, "v2").lockTimeout("300ms").lockRetries(10)
                .transaction("deployment").build();

        try (Connection report = report(url)) {
            CompletableFuture<RunSummary> migrate = CompletableFuture.supplyAsync(
                    () -> new Dbdeploy(guarded, progress).migrate());
            Thread.sleep(1500);
            report.commit();
            RunSummary summary = migrate.get(60, TimeUnit.SECONDS);
            assertEquals(RunSummary.SUCCESS, summary.status(), summary.error());
            assertEquals(List.of("002-audit", "003-note"),
                    summary.changesets().stream().map(ChangesetOutcome::id).toList());
        }
        // The attempts that were discarded left nothing behind, and the last one applied both changesets.
        assertEquals(List.of("001-orders", "002-audit", "003-note"),
                column(url, "select id from databasechangelog order by orderexecuted"));
        assertEquals(List.of("t"), column(url, "select to_regclass('audit') is not null"));
        assertEquals(List.of("note"), column(url, "select column_name from information_schema.columns"
                + " where table_name = 'orders' and column_name = 'note'"));
    }

    @Test
    void aStatementTimeoutStopsALongChangesetWithoutRetryingIt() throws Exception {
        String url = TestDatabases.newDatabase("guard_statement");
        Path changelog = orders().add("002-slow", "select pg_sleep(5);", "select 1;").write();
        DeploySettings limited = builder(url, changelog, "v1").statementTimeout("200ms").build();

        RunSummary summary = new Dbdeploy(limited, progress).migrate();

        assertEquals(RunSummary.ROLLED_BACK, summary.status());
        assertTrue(summary.error().contains("002-slow") && summary.error().contains("statement timeout"),
                summary.error());
        assertTrue(lines.stream().noneMatch(l -> l.contains(" Retry ")), lines.toString());
        assertEquals(List.of(), column(url, "select id from databasechangelog"));
    }
}
