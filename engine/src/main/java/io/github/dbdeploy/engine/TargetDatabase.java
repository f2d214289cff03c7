package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * One JDBC session to the database being deployed, and the deployment lock on it.
 *
 * <p>The lock is a session-level PostgreSQL advisory lock, not a row in a table: the server releases it
 * the moment the session ends, so a killed deploy can never leave a stale lock behind. Liquibase's own
 * DATABASECHANGELOGLOCK table is not used at all (see {@link AdvisoryLockService}).
 */
final class TargetDatabase implements AutoCloseable {
    /** "dbdeploy" in ASCII: one lock per database, shared by every dbdeploy process. */
    static final long LOCK_KEY = 0x6462_6465_706C_6F79L;

    private final Connection connection;
    private boolean locked;

    private TargetDatabase(Connection connection) {
        this.connection = connection;
    }

    static TargetDatabase open(DeploySettings settings, String purpose) {
        Properties props = new Properties();
        if (settings.username() != null) {
            props.setProperty("user", settings.username());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password().reveal());
        }
        // Shown in pg_stat_activity, so whoever waits for the lock can see who holds it.
        props.setProperty("ApplicationName", truncate("dbdeploy " + purpose + " " + settings.deployedBy(), 63));
        props.setProperty("connectTimeout", "15");
        try {
            Connection c = DriverManager.getConnection(settings.jdbcUrl(), props);
            watchForDeadClient(c);
            return new TargetDatabase(c);
        } catch (SQLException e) {
            String reason = settings.password() == null ? e.getMessage() : settings.password().scrub(e.getMessage());
            String hint = "28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())
                    ? "Check the credentials for environment '" + settings.environment()
                        + "' (dbdeploy.username / dbdeploy.password, dbdeploy.serverId or DBDEPLOY_PASSWORD)."
                    : "Check that the database is running and reachable from this machine, and that dbdeploy.url is right.";
            throw DbdeployException.unavailable(
                    "Cannot connect to " + settings.displayUrl() + " as " + settings.username() + ": " + reason
                            + "\n" + hint);
        }
    }

    /**
     * If this process is killed in the middle of a long statement, the server would otherwise run that statement to
     * its end before noticing, holding the deployment lock all the while. PostgreSQL 14+ can check for a vanished
     * client during a query; older servers simply keep the old behaviour.
     */
    private static void watchForDeadClient(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("set client_connection_check_interval = '1s'");
        } catch (SQLException olderServer) {
            // Not available before PostgreSQL 14 (or on platforms without it); nothing to do.
        }
    }

    Connection connection() {
        return connection;
    }

    /**
     * Waits up to {@code wait} for the deployment lock, telling the user who holds it while waiting.
     */
    void lock(Duration wait, Progress progress) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean announced = false;
        try {
            while (true) {
                if (tryLock()) {
                    locked = true;
                    return;
                }
                String holder = lockHolder().orElse("another session");
                if (System.nanoTime() >= deadline) {
                    throw DbdeployException.unavailable("Another deployment holds the dbdeploy lock on this database: "
                            + holder + ". Gave up after " + wait.toSeconds() + " s (dbdeploy.lockWaitSeconds)."
                            + " Wait for it to finish, or raise dbdeploy.lockWaitSeconds.");
                }
                if (!announced) {
                    progress.info("Waiting for the deployment lock held by " + holder
                            + " (up to " + wait.toSeconds() + " s)");
                    announced = true;
                }
                Thread.sleep(250);
            }
        } catch (SQLException e) {
            throw DbdeployException.runtime("Could not take the deployment lock: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DbdeployException.runtime("Interrupted while waiting for the deployment lock");
        }
    }

    private boolean tryLock() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean got = rs.getBoolean(1);
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
                return got;
            }
        }
    }

    /** Who holds the deployment lock on this database right now, if anyone. */
    Optional<String> lockHolder() throws SQLException {
        String sql = "select a.pid, a.application_name, a.usename, host(a.client_addr), a.backend_start"
                + " from pg_locks l join pg_stat_activity a on a.pid = l.pid"
                + " where l.locktype = 'advisory' and l.granted"
                + " and l.database = (select oid from pg_database where datname = current_database())"
                + " and l.classid = ? and l.objid = ? and l.objsubid = 1";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, LOCK_KEY >>> 32);
            ps.setLong(2, LOCK_KEY & 0xFFFF_FFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String app = rs.getString(2);
                String client = rs.getString(4);
                return Optional.of("'" + (app == null || app.isEmpty() ? "unknown client" : app) + "'"
                        + " (pid " + rs.getInt(1) + ", database user " + rs.getString(3)
                        + (client == null ? "" : ", from " + client)
                        + ", connected since " + rs.getTimestamp(5).toInstant() + ")");
            }
        }
    }

    void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() {
        try {
            if (locked && !connection.isClosed()) {
                try (PreparedStatement ps = connection.prepareStatement("select pg_advisory_unlock(?)")) {
                    ps.setLong(1, LOCK_KEY);
                    ps.execute();
                }
            }
        } catch (SQLException ignored) {
            // Closing the session below releases the lock anyway.
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Nothing useful to tell the user: the server ends the session on its side.
        }
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
