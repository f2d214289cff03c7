package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a user watching the log sees during a long deployment: {@code [n/N]} on every changeset line, and while a
 * changeset runs past the heartbeat interval, a line per interval with what its session waits on, read from the
 * real server's pg_stat_activity.
 */
class ProgressLinesTest extends EngineTest {
    private static final Duration DEFAULT_INTERVAL = Heartbeat.interval;

    @BeforeEach
    void shortHeartbeat() {
        Heartbeat.interval = Duration.ofMillis(400);
    }

    @AfterEach
    void restoreHeartbeat() {
        Heartbeat.interval = DEFAULT_INTERVAL;
    }

    @Test
    void changesetLinesCountThroughTheRunAndASleepingChangesetReportsItsWait() throws Exception {
        String url = TestDatabases.newDatabase("progress_sleep");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-customer", "create table customer (id bigint primary key);", "drop table customer;")
                .add("002-backfill", "select pg_sleep(2);", "select 1;")
                .add("003-index", "create index customer_id on customer (id);", "drop index customer_id;")
                .write();

        assertEquals(RunSummary.SUCCESS, migrate(url, changelog, "v1").status());

        int first = indexOf("  [1/3] applied     001-customer (sql/001-customer.sql) ");
        int second = indexOf("  [2/3] applied     002-backfill (sql/002-backfill.sql) ");
        int third = indexOf("  [3/3] applied     003-index (sql/003-index.sql) ");
        assertTrue(first >= 0 && first < second && second < third, lines.toString());
        List<String> beats = heartbeats();
        assertTrue(beats.size() >= 3, "a 2 s changeset with a 0.4 s interval beats several times: " + lines);
        // pg_sleep is what the server says the session waits on: proof the line comes from pg_stat_activity. (The
        // last beat may land after the sleep, while the history row is written.)
        assertTrue(beats.get(0).endsWith(" s: waiting on Timeout/PgSleep"), beats.get(0));
        for (String beat : beats) {
            assertTrue(beat.startsWith("  [2/3] running     002-backfill (sql/002-backfill.sql) for "), beat);
        }
        assertEquals(beats, heartbeats(lines.subList(first, second)), "heartbeats only while 002 runs");
        assertEquals(0, heartbeatSessions(url), "the second connection is closed when the run ends");
    }

    @Test
    void aChangesetBlockedByAnotherSessionsLockNamesTheBlockerWithoutThePassword() throws Exception {
        String url = TestDatabases.newDatabase("progress_lock");
        Changelogs changelogs = new Changelogs(dir.resolve("db"))
                .add("001-customer", "create table customer (id bigint primary key);", "drop table customer;");
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        changelogs.add("002-column", "alter table customer add column note text;",
                "alter table customer drop column note;").write();
        lines.clear();
        String password = "hunter2-s3cret";

        Properties props = new Properties();
        props.setProperty("ApplicationName", "nightly-report");
        try (Connection blocker = DriverManager.getConnection(url, props); Statement st = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            // Its last query, as pg_stat_activity keeps it; the password in it must not reach the deploy log.
            st.execute("select count(*) from customer /* " + password + " */\n  where id > 0");
            int blockerPid;
            try (ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                blockerPid = rs.getInt(1);
            }
            st.execute("lock table customer in access share mode -- " + password + "\n-- second line");
            Thread releaser = new Thread(() -> {
                try {
                    Thread.sleep(2_000);
                    blocker.rollback();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            releaser.start();
            RunSummary run = new Dbdeploy(builder(url, changelog, "v2").password(Secret.of(password)).build(), progress)
                    .migrate();
            releaser.join();

            assertEquals(RunSummary.SUCCESS, run.status());
            List<String> beats = heartbeats();
            assertFalse(beats.isEmpty(), lines.toString());
            String beat = beats.get(0);
            assertTrue(beat.startsWith("  [1/1] running     002-column (sql/002-column.sql) for "), beat);
            assertTrue(beat.contains(": waiting for a lock (Lock/relation: AccessExclusiveLock on customer), blocked by"
                    + " pid " + blockerPid + " (user postgres, application 'nightly-report', idle in transaction,"
                    + " last query: lock table customer in access share mode -- ****)"), beat);
            assertTrue(lines.stream().noneMatch(l -> l.contains(password)), lines.toString());
        }
    }

    @Test
    void rollbackLinesCountToo() throws Exception {
        String url = TestDatabases.newDatabase("progress_rollback");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-customer", "create table customer (id bigint primary key);", "drop table customer;")
                .add("002-slow-undo", "create table audit (id int);", "select pg_sleep(1.5); drop table audit;")
                .write();
        migrate(url, changelog, "v1");
        lines.clear();

        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.lastDeployment());

        assertEquals(RunSummary.SUCCESS, rollback.status());
        int slow = indexOf("  [1/2] rolled back 002-slow-undo (sql/002-slow-undo.sql) ");
        int customer = indexOf("  [2/2] rolled back 001-customer (sql/001-customer.sql) ");
        assertTrue(slow >= 0 && slow < customer, lines.toString());
        List<String> beats = heartbeats();
        assertFalse(beats.isEmpty(), lines.toString());
        assertTrue(beats.get(0).startsWith("  [1/2] rolling back 002-slow-undo (sql/002-slow-undo.sql) for ")
                && beats.get(0).endsWith(": waiting on Timeout/PgSleep"), beats.get(0));
        assertEquals(beats, heartbeats(lines.subList(0, slow)), "heartbeats only while 002 is undone");
    }

    @Test
    void durationsReadAsMinutesOnceTheyAreLong() {
        assertEquals("10 s", Heartbeat.duration(10_200_000_000L));
        assertEquals("20 min 0 s", Heartbeat.duration(1_200_000_000_000L));
        assertEquals("1 min 5 s", Heartbeat.duration(65_000_000_000L));
    }

    /** Sessions the heartbeat opened that are still open; it closes them on its own thread, so give it a moment. */
    private static int heartbeatSessions(String url) throws Exception {
        String sql = "select count(*) from pg_stat_activity where application_name like 'dbdeploy heartbeat%'"
                + " and datname = current_database()";
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int open;
        do {
            open = Integer.parseInt(column(url, sql).get(0));
        } while (open > 0 && System.nanoTime() < deadline && sleep(50));
        return open;
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    private List<String> heartbeats() {
        return heartbeats(lines);
    }

    private static List<String> heartbeats(List<String> among) {
        List<String> out = new ArrayList<>();
        for (String l : among) {
            if (l.matches("  \\[\\d+/\\d+] (running|rolling back) .*")) {
                out.add(l);
            }
        }
        return out;
    }

    private int indexOf(String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
