package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** Read-only view of Liquibase's DATABASECHANGELOG table, without starting Liquibase. */
final class ChangelogHistory {
    static final String TABLE = "databasechangelog";

    /** Enough to notice any change to the table: rows added, removed, or re-run. */
    record State(int maxOrder, int rows) {
        static final State EMPTY = new State(0, 0);
    }

    /** One applied changeset. */
    record Row(String id, String author, String file, Timestamp executedAt, int order, String deploymentId) {
    }

    private final Connection connection;

    ChangelogHistory(Connection connection) {
        this.connection = connection;
    }

    boolean exists() throws SQLException {
        return tableExists(connection, TABLE);
    }

    /** Whether {@code table} is visible on the search path, without an error (and an aborted transaction) if not. */
    static boolean tableExists(Connection connection, String table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select to_regclass(?) is not null")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    State state() throws SQLException {
        if (!exists()) {
            return State.EMPTY;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "select coalesce(max(orderexecuted), 0), count(*) from " + TABLE);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new State(rs.getInt(1), rs.getInt(2));
        }
    }

    /** Rows recorded after {@code order}, newest first: what a rollback to that point undoes. */
    List<Row> rowsAfter(int order) throws SQLException {
        if (!exists()) {
            return List.of();
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("select id, author, filename, dateexecuted,"
                + " orderexecuted, deployment_id from " + TABLE + " where orderexecuted > ?"
                + " order by orderexecuted desc, dateexecuted desc")) {
            ps.setInt(1, order);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4),
                            rs.getInt(5), rs.getString(6)));
                }
            }
        }
        return rows;
    }
}
