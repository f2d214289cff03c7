package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code dbdeploy_deployment} table: one row per deployment, beside Liquibase's DATABASECHANGELOG.
 * Each write commits at once, so the record of a deployment survives the process that made it.
 */
final class DeploymentJournal {
    static final String TABLE = "dbdeploy_deployment";

    private final Connection connection;

    DeploymentJournal(Connection connection) {
        this.connection = connection;
    }

    boolean exists() throws SQLException {
        return ChangelogHistory.tableExists(connection, TABLE);
    }

    void create() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("create table if not exists " + TABLE + " ("
                    + " deployment_id varchar(100) primary key,"
                    + " environment varchar(100) not null,"
                    + " started_at timestamptz not null,"
                    + " finished_at timestamptz,"
                    + " deployed_by varchar(255) not null,"
                    + " status varchar(20) not null,"
                    + " changelog_rows_before integer not null,"
                    + " changelog_max_after integer,"
                    + " changelog_rows_after integer,"
                    + " applied integer not null default 0,"
                    + " fingerprint varchar(64))");
        }
        commit();
    }

    Optional<Deployment> find(String id) throws SQLException {
        List<Deployment> found = query("where deployment_id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    List<Deployment> all() throws SQLException {
        return query("order by started_at desc");
    }

    /** The newest deployment that changed something, for "roll back the last deployment". */
    Optional<Deployment> lastWithChanges() throws SQLException {
        List<Deployment> found = query("where status = 'success' and applied > 0 order by started_at desc limit 1");
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    Optional<Deployment> last() throws SQLException {
        List<Deployment> found = query("order by started_at desc limit 1");
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * True when the newest successful deployment recorded this changelog fingerprint and the history table
     * still has exactly the rows it left: nothing can be pending, and Liquibase need not be started.
     */
    boolean isUpToDate(String fingerprint, ChangelogHistory.State current) throws SQLException {
        String sql = "select fingerprint, changelog_max_after, changelog_rows_after from " + TABLE
                + " where status = 'success' order by started_at desc limit 1";
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            boolean upToDate = rs.next() && fingerprint.equals(rs.getString(1))
                    && rs.getInt(2) == current.maxOrder() && rs.getInt(3) == current.rows();
            commit();
            return upToDate;
        }
    }

    /** Marks deployments whose process died (status running, but nobody holds the lock we now hold). */
    int markInterrupted() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("update " + TABLE
                + " set status = 'interrupted', finished_at = now() where status = 'running'")) {
            int n = ps.executeUpdate();
            commit();
            return n;
        }
    }

    void start(String id, String environment, String deployedBy, int rowsBefore) throws SQLException {
        try (PreparedStatement del = connection.prepareStatement("delete from " + TABLE + " where deployment_id = ?");
             PreparedStatement ins = connection.prepareStatement("insert into " + TABLE
                     + " (deployment_id, environment, started_at, deployed_by, status, changelog_rows_before)"
                     + " values (?, ?, ?, ?, 'running', ?)")) {
            del.setString(1, id);
            del.executeUpdate();
            ins.setString(1, id);
            ins.setString(2, environment);
            ins.setTimestamp(3, Timestamp.from(Instant.now()));
            ins.setString(4, deployedBy);
            ins.setInt(5, rowsBefore);
            ins.executeUpdate();
        }
        commit();
    }

    void finish(String id, String status, int applied, String fingerprint, ChangelogHistory.State after)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("update " + TABLE
                + " set status = ?, finished_at = ?, applied = ?, fingerprint = ?, changelog_max_after = ?,"
                + " changelog_rows_after = ? where deployment_id = ?")) {
            ps.setString(1, status);
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setInt(3, applied);
            ps.setString(4, fingerprint);
            ps.setInt(5, after.maxOrder());
            ps.setInt(6, after.rows());
            ps.setString(7, id);
            ps.executeUpdate();
        }
        commit();
    }

    /** After an emergency rollback every deployment whose changes were undone is marked rolled back. */
    void markRolledBackAfter(int changelogRowsBefore) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("update " + TABLE
                + " set status = 'rolled_back' where changelog_rows_before >= ? and status in ('success', 'interrupted')")) {
            ps.setInt(1, changelogRowsBefore);
            ps.executeUpdate();
        }
        commit();
    }

    private List<Deployment> query(String clause, Object... args) throws SQLException {
        String sql = "select deployment_id, environment, started_at, finished_at, deployed_by, status,"
                + " changelog_rows_before, changelog_max_after, applied from " + TABLE + " " + clause;
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Deployment> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp finished = rs.getTimestamp(4);
                    out.add(new Deployment(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                            finished == null ? null : finished.toInstant(), rs.getString(5), rs.getString(6),
                            rs.getInt(7), (Integer) rs.getObject(8), rs.getInt(9)));
                }
            }
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return out;
        }
    }

    /**
     * Makes everything committed so far durable. Changesets commit asynchronously for speed; one synchronous
     * commit waits for the write-ahead log up to this point, which covers all of them.
     */
    void flush() throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("set local synchronous_commit = on");
            st.execute("select txid_current()"); // a transaction id forces a real commit record to flush
        }
        connection.commit();
        connection.setAutoCommit(autoCommit);
    }

    private void commit() throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }
}
