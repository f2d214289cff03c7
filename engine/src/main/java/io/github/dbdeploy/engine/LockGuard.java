package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a changeset from making other sessions queue behind it. An ALTER TABLE waiting for its lock makes every later
 * query on that table wait behind it; with {@code lock_timeout} the wait ends after {@link DeploySettings#lockTimeout()}
 * (SQLSTATE 55P03), the transaction is discarded so the queue drains, and the changeset is tried again later.
 *
 * <p>Who held the lock is observed, not guessed: while a statement runs longer than a third of the lock timeout, a
 * second session asks {@code pg_blocking_pids()} every third of the timeout who blocks ours (once the wait has ended
 * there is nobody left to ask). A wait that lasts the whole timeout contains at least two such probes. Statements that
 * finish sooner cost nothing. The second session is opened by the first probe and closed after a while without
 * probes, so the retries of a changeset find it open.
 */
final class LockGuard {
    static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** One daemon thread for every probe of the process: probes are rare and short. */
    private static final ScheduledExecutorService PROBES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dbdeploy-lock-probe");
        t.setDaemon(true);
        return t;
    });

    private static final long OBSERVER_IDLE_SECONDS = 30;

    private final DeploySettings settings;
    private final Progress progress;
    /** The second session; opened, used and closed on the probe thread only. */
    private Connection observer;
    private ScheduledFuture<?> idleClose;

    LockGuard(DeploySettings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** Whether there is a lock timeout (and so retries); {@code dbdeploy.lockTimeout=0} turns the guard off. */
    boolean enabled() {
        return !settings.lockTimeout().isZero();
    }

    int retries() {
        return enabled() ? settings.lockRetries() : 0;
    }

    /**
     * Sets the configured timeouts for the rest of the current transaction only ({@code SET LOCAL}): the deployment's
     * own bookkeeping outside changesets keeps the session's settings. A timeout that is off is left as the server or
     * role sets it.
     */
    void applyTo(Connection connection) throws SQLException {
        String setup = setupSql();
        if (setup != null) {
            try (java.sql.Statement st = connection.createStatement()) {
                st.execute(setup);
            }
        }
    }

    /**
     * The statement {@link #applyTo} runs, or null when there is nothing to set: a caller that sends SQL text of its
     * own can put it in front of that text and save a round trip.
     */
    String setupSql() {
        List<String> configs = new ArrayList<>();
        if (enabled()) {
            configs.add("set_config('lock_timeout', '" + settings.lockTimeout().toMillis() + "ms', true)");
        }
        if (!settings.statementTimeout().isZero()) {
            configs.add("set_config('statement_timeout', '" + settings.statementTimeout().toMillis()
                    + "ms', true)");
        }
        return configs.isEmpty() ? null : "select " + String.join(", ", configs);
    }

    /** Whether {@code e} (or a cause) is PostgreSQL's lock_not_available, which a lock timeout raises. */
    static boolean isLockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts watching the statements {@code backendPid} runs from now on, until {@link Watch#close()}: who blocks it,
     * should it wait for a lock.
     */
    Watch watch(int backendPid) {
        return enabled() ? new Watch(backendPid) : new Watch(-1);
    }

    /**
     * After a lock timeout of {@code what} (e.g. "Changeset 004 (sql/004.sql)"), its transaction rolled back: says
     * who held the lock and waits the backoff before retry number {@code retry} (from 1, at most {@link #retries()}).
     */
    void backOff(String what, int retry, String blockers) throws InterruptedException {
        long base = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(retry - 1, 16));
        // Jitter keeps two waiting deployers (or a deployer and a cron job) from retrying in step.
        long sleep = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        progress.warn(what + " waited " + SummaryWriter.seconds(settings.lockTimeout().toMillis())
                + " (" + PropertyNames.LOCK_TIMEOUT + ") for a lock held by "
                + Heartbeat.safeForeignText(blockers, settings.password())
                + "; its transaction was discarded so queries queued behind it could run. Retry " + retry + " of "
                + retries() + " in " + SummaryWriter.seconds(sleep) + ".");
        Thread.sleep(sleep);
    }

    /** The message of a changeset whose retries ran out, naming who held the lock. */
    String gaveUp(String what, String blockers) {
        return what + " could not get a lock within " + SummaryWriter.seconds(settings.lockTimeout().toMillis())
                + " (" + PropertyNames.LOCK_TIMEOUT + ") in " + (retries() + 1) + " attempt(s) ("
                + PropertyNames.LOCK_RETRIES + "=" + retries() + "). The lock was held by "
                + Heartbeat.safeForeignText(blockers, settings.password())
                + ". Run again when that session has finished, or end it (select pg_terminate_backend(pid)) if it"
                + " should not be running.";
    }

    /** Probes, every third of the lock timeout, who blocks one backend, until closed. */
    final class Watch implements AutoCloseable {
        private final int pid;
        private final ScheduledFuture<?> probes;
        private volatile String blockers;

        private Watch(int pid) {
            this.pid = pid;
            long period = Math.max(20, settings.lockTimeout().toMillis() / 3);
            this.probes = pid < 0 ? null
                    : PROBES.scheduleAtFixedRate(this::probe, period, period, TimeUnit.MILLISECONDS);
        }

        /** Who blocked the watched backend when last seen waiting, or a note that nobody was seen. */
        String blockers() {
            String b = blockers;
            return b != null ? b : "a session that was not seen (the wait ended before it could be observed)";
        }

        private void probe() {
            try {
                if (idleClose != null) {
                    idleClose.cancel(false);
                    idleClose = null;
                }
                if (observer == null) {
                    observer = connect();
                }
                String sql = "select a.pid, a.usename, a.application_name, a.query, coalesce(a.xact_start,"
                        + " a.query_start, a.backend_start), a.state from pg_stat_activity a"
                        + " where a.pid = any(pg_blocking_pids(?)) order by 5";
                List<String> found = new ArrayList<>();
                try (PreparedStatement ps = observer.prepareStatement(sql)) {
                    ps.setInt(1, pid);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            found.add(describe(rs));
                        }
                    }
                }
                if (!found.isEmpty()) {
                    blockers = String.join("; ", found);
                }
            } catch (SQLException | RuntimeException e) {
                // Only the message loses detail: the guard itself works without the probe.
                closeObserver();
            }
        }

        private static String describe(ResultSet rs) throws SQLException {
            String app = rs.getString(3);
            String query = rs.getString(4) == null ? "" : rs.getString(4).strip();
            String firstLine = query.lines().findFirst().orElse("");
            firstLine = firstLine.length() > 100 ? firstLine.substring(0, 97) + "..." : firstLine;
            return "pid " + rs.getInt(1) + " (user " + rs.getString(2) + ", application '"
                    + (app == null || app.isEmpty() ? "unknown" : app) + "', " + rs.getString(6)
                    + " since " + rs.getTimestamp(5).toInstant() + ", query '" + firstLine + "')";
        }

        @Override
        public void close() {
            if (probes == null) {
                return;
            }
            probes.cancel(false);
            // On the probe thread, after any probe still running: the observer is that thread's alone.
            PROBES.execute(() -> {
                if (observer != null && idleClose == null) {
                    idleClose = PROBES.schedule(LockGuard.this::closeObserver, OBSERVER_IDLE_SECONDS,
                            TimeUnit.SECONDS);
                }
            });
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        if (settings.username() != null) {
            props.setProperty("user", settings.username());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password().reveal());
        }
        props.setProperty("ApplicationName", "dbdeploy lock probe");
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(settings.jdbcUrl(), props);
    }

    /** Runs on the probe thread. */
    private void closeObserver() {
        try {
            if (observer != null) {
                observer.close();
            }
        } catch (SQLException ignored) {
            // the server ends the session on its side
        } finally {
            observer = null;
            idleClose = null;
        }
    }
}
