package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Lines that show a long changeset is alive: every {@link #interval} a changeset is still running, how long it has run
 * and what its session waits on, read from {@code pg_stat_activity} (and, for a lock wait, who blocks it). A 20-minute
 * backfill then never looks hung in CI and never trips a "no output" timeout.
 *
 * <p>The deploying connection is busy running the changeset, so the questions go through a second connection opened
 * from the same settings, on the heartbeats' one daemon thread. That connection is opened only when a changeset
 * actually outlives the interval, kept for later long changesets of the same run, and closed by {@link #close()}.
 * Nothing on that thread can fail the deployment: a question it cannot answer becomes part of the line.
 */
final class Heartbeat implements AutoCloseable {
    /** How long a changeset runs before its first heartbeat, and the time between heartbeats; tests shorten it. */
    static volatile Duration interval = Duration.ofSeconds(10);

    /** Enough of a blocker's query to recognise it; the rest of a long statement is noise in a CI log. */
    private static final int QUERY_CHARS = 120;
    /** {@code PASSWORD 'x'} in someone else's query (ALTER ROLE, CREATE USER): never copied into our log. */
    private static final Pattern PASSWORD_LITERAL = Pattern.compile("(?i)(password\\s*)'(?:[^']|'')*'");

    /**
     * Another session's query made fit for our log: our own password (which a blocker's query may quote, since the
     * same people write both) and any {@code PASSWORD '...'} literal masked.
     */
    static String safeForeignText(String text, Secret ours) {
        String masked = PASSWORD_LITERAL.matcher(text).replaceAll("$1'****'");
        return ours == null ? masked : ours.scrub(masked);
    }

    /**
     * The thread every heartbeat runs on, made when first needed and ended after a minute without one: a thread per
     * run of changesets cost more than a short changeset takes (the rehearsal starts thousands of runs of one).
     */
    private static final class SharedThread {
        static final ScheduledThreadPoolExecutor EXECUTOR = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "dbdeploy-heartbeat");
                t.setDaemon(true); // never keeps a JVM alive whose deployment has ended
                return t;
            });
            timer.setRemoveOnCancelPolicy(true);
            timer.setKeepAliveTime(1, TimeUnit.MINUTES);
            timer.allowCoreThreadTimeOut(true);
            return timer;
        }
    }

    private final DeploySettings settings;
    private final Progress progress;
    private final int backendPid;
    private Beat current;

    // Used only on the timer thread, so never by two threads at once.
    private TargetDatabase observer;
    private String observerFailure;

    /**
     * @param backendPid the server process of the deploying session, whose row in pg_stat_activity is read; 0 when
     *                   unknown, in which case the heartbeat reports only the elapsed time
     */
    Heartbeat(DeploySettings settings, Progress progress, int backendPid) {
        this.settings = settings;
        this.progress = progress;
        this.backendPid = backendPid;
    }

    /**
     * Starts watching one changeset; {@code label} names it in each line ("[2/5] running 002-backfill (file)") and
     * {@code startedNanos} is when it started. Stops watching the previous one, should its end have gone unreported.
     */
    void start(String label, long startedNanos) {
        stop();
        Beat beat = new Beat(label, startedNanos);
        long every = interval.toNanos();
        beat.future = SharedThread.EXECUTOR.scheduleAtFixedRate(() -> tick(beat), every, every, TimeUnit.NANOSECONDS);
        current = beat;
    }

    /** The changeset ended: no heartbeat for it is printed from now on. */
    void stop() {
        if (current != null) {
            current.stop();
            current = null;
        }
    }

    /** The run ended: closes the second connection, if one was opened. */
    @Override
    public void close() {
        stop();
        SharedThread.EXECUTOR.execute(this::closeObserver); // on the timer thread, after a heartbeat it may be running
    }

    private void tick(Beat beat) {
        if (beat.isStopped()) {
            return;
        }
        String elapsed = duration(System.nanoTime() - beat.startedNanos);
        String activity;
        try {
            activity = describeActivity();
        } catch (SQLException | RuntimeException e) {
            activity = "cannot read pg_stat_activity: " + scrub(e.getMessage());
        }
        beat.print(beat.label + " for " + elapsed + ": " + activity);
    }

    private String describeActivity() throws SQLException {
        if (backendPid <= 0) {
            return "its session is unknown, so what it waits on cannot be shown";
        }
        Connection c = observer();
        if (c == null) {
            return "cannot open a second connection to see what it waits on (" + observerFailure + ")";
        }
        String sql = "select a.state, a.wait_event_type, a.wait_event, l.locktype, l.mode, l.relation::regclass::text"
                + " from pg_stat_activity a"
                + " left join lateral (select locktype, mode, relation from pg_locks"
                + "   where pid = a.pid and not granted limit 1) l on true"
                + " where a.pid = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, backendPid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "its session (pid " + backendPid + ") is no longer in pg_stat_activity";
                }
                String state = rs.getString(1);
                String type = rs.getString(2);
                String event = rs.getString(3);
                if (type == null) {
                    return "active".equals(state) ? "working, not waiting (pid " + backendPid + ")"
                            : "session " + state + " (pid " + backendPid + ")";
                }
                String waitEvent = type + "/" + event;
                return switch (type) {
                    case "Lock" -> "waiting for a lock (" + waitEvent + lockDetail(rs.getString(5), rs.getString(6),
                            rs.getString(4)) + "), " + blockers(c);
                    case "IO" -> "waiting on I/O (" + waitEvent + ")";
                    // Between two statements of the changeset (or its history row): the server waits on us.
                    case "Client" -> "between statements, " + state + " (" + waitEvent + ")";
                    default -> "waiting on " + waitEvent;
                };
            }
        }
    }

    private static String lockDetail(String mode, String relation, String lockType) {
        if (mode == null) {
            return "";
        }
        return ": " + mode + (relation != null ? " on " + relation : lockType != null ? " on a " + lockType : "");
    }

    /** Who holds what the deploying session waits for: pid, user, application and their query's first line. */
    private String blockers(Connection c) throws SQLException {
        String sql = "select pid, usename, application_name, state, query from pg_stat_activity"
                + " where pid = any(pg_blocking_pids(?)) order by pid";
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, backendPid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String app = rs.getString(3);
                    String state = rs.getString(4);
                    found.add("pid " + rs.getInt(1) + " (user " + rs.getString(2) + ", application '"
                            + (app == null || app.isEmpty() ? "unknown" : app) + "', " + state
                            + ("active".equals(state) ? ", running: " : ", last query: ")
                            + firstLine(rs.getString(5)) + ")");
                }
            }
        }
        return found.isEmpty() ? "its blocker has just gone" : "blocked by " + String.join("; ", found);
    }

    private String firstLine(String query) {
        if (query == null) {
            return "unknown";
        }
        String line = query.strip().lines().findFirst().orElse("").strip();
        if (line.length() > QUERY_CHARS) {
            line = line.substring(0, QUERY_CHARS) + "...";
        }
        return safeForeignText(line, settings.password());
    }

    /** The second connection, opened at the first heartbeat; null when it cannot be opened (not retried). */
    private Connection observer() {
        if (observer == null && observerFailure == null) {
            try {
                observer = TargetDatabase.open(settings, "heartbeat");
                observer.connection().setAutoCommit(true);
            } catch (SQLException | RuntimeException e) {
                // The first line: the rest of a connection error is advice for the deployment itself.
                observerFailure = scrub(String.valueOf(e.getMessage())).lines().findFirst().orElse("");
            }
        }
        return observer == null ? null : observer.connection();
    }

    private void closeObserver() {
        if (observer != null) {
            observer.close();
            observer = null;
        }
    }

    private String scrub(String text) {
        return settings.password() == null ? text : settings.password().scrub(text);
    }

    /** "40 s", "12 min 5 s": a 20-minute backfill should read as minutes. */
    static String duration(long nanos) {
        long seconds = Math.round(nanos / 1e9);
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }

    /** One changeset being watched. Printing and stopping exclude each other, so no heartbeat follows its end. */
    private final class Beat {
        final String label;
        final long startedNanos;
        ScheduledFuture<?> future;
        private boolean stopped;

        Beat(String label, long startedNanos) {
            this.label = label;
            this.startedNanos = startedNanos;
        }

        synchronized boolean isStopped() {
            return stopped;
        }

        synchronized void print(String line) {
            if (!stopped) {
                progress.info(line);
            }
        }

        void stop() {
            synchronized (this) {
                stopped = true;
            }
            future.cancel(false);
        }
    }
}
