package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.List;

import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.ChangeSet.ExecType;
import liquibase.ChecksumVersion;
import liquibase.sqlgenerator.core.MarkChangeSetRanGenerator;
import liquibase.util.StringUtil;

/**
 * Inserts the DATABASECHANGELOG row of a changeset that ran, with the values Liquibase's MarkChangeSetRanGenerator
 * writes for it (EXECUTED, the next ORDEREXECUTED, NOW() unless another tool's applied time is given, its checksum,
 * description, comments, contexts, labels, tag, Liquibase's version and deployment id), through one prepared statement
 * or as SQL text that travels with the changeset's own statements. The generator builds each row's SQL
 * text with a dozen configuration lookups and type inferences, about a millisecond a row on a cold JVM: as long as
 * running a small changeset, and most of adopting a thousand migrations. Must run inside a Liquibase scope (for the
 * checksum and the deployment id); PlainSqlApplyTest and AdoptTest compare the rows with those Liquibase writes.
 */
final class HistoryRows implements AutoCloseable {
    /** localtimestamp is Liquibase's NOW() as a timestamp column stores it; a given time goes in unconverted. */
    private static final String INSERT = "insert into " + ChangelogHistory.TABLE + " (id, author, filename,"
            + " dateexecuted, orderexecuted, md5sum, description, comments, exectype, contexts, labels, liquibase,"
            + " deployment_id, tag) values (?, ?, ?, coalesce(?, localtimestamp), ?, ?, ?, ?, '"
            + ExecType.EXECUTED.value + "', ?, ?, ?, ?, ?)";

    /** The index of DATEEXECUTED among {@link #INSERT}'s parameters: the one that is not text or a number. */
    private static final int DATE_EXECUTED = 3;

    private final PreparedStatement insert;
    private final String liquibaseVersion = MarkChangeSetRanGenerator.getLiquibaseBuildVersion();
    private final String deploymentId = Scope.getCurrentScope().getDeploymentId();
    private int lastOrder;

    /** For rows after those DATABASECHANGELOG has now; it must exist. */
    HistoryRows(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select coalesce(max(orderexecuted), 0) from " + ChangelogHistory.TABLE)) {
            rs.next();
            lastOrder = rs.getInt(1);
        }
        insert = c.prepareStatement(INSERT);
    }

    /**
     * The statement that inserts {@code cs}'s row, executed now, as SQL text with the values written in: for sending
     * in one message with the changeset's own SQL. Each call takes the next ORDEREXECUTED.
     */
    String insertSql(ChangeSet cs) {
        Object[] values = values(cs, null);
        StringBuilder sql = new StringBuilder(INSERT.length() + 200);
        int next = 0;
        for (int i = 0; i < INSERT.length(); i++) {
            char ch = INSERT.charAt(i);
            if (ch == '?') {
                sql.append(literal(values[next++]));
            } else {
                sql.append(ch);
            }
        }
        return sql.toString();
    }

    /** The statement that removes {@code cs}'s row (after its rollback), as SQL text with the values written in. */
    static String deleteSql(ChangeSet cs) {
        return "delete from " + ChangelogHistory.TABLE + " where id = " + literal(cs.getId()) + " and author = "
                + literal(cs.getAuthor()) + " and filename = " + literal(cs.getFilePath());
    }

    /**
     * {@code value} as a SQL literal: an escape string for text (E'' reads the same whatever
     * standard_conforming_strings is), digits for a number, null for null.
     */
    static String literal(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Integer) {
            return value.toString();
        }
        String text = value.toString();
        StringBuilder quoted = new StringBuilder(text.length() + 4).append(" E'");
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\\' || ch == '\'') {
                quoted.append(ch);
            }
            quoted.append(ch);
        }
        return quoted.append('\'').toString();
    }

    /**
     * Inserts the rows of {@code changeSets}, in this order, in a few round trips; {@code appliedAt} holds each one's
     * DATEEXECUTED, null for now.
     */
    void insertAll(List<ChangeSet> changeSets, List<LocalDateTime> appliedAt) throws SQLException {
        for (int i = 0; i < changeSets.size(); i++) {
            bind(values(changeSets.get(i), appliedAt.get(i)));
            insert.addBatch();
        }
        insert.executeBatch();
    }

    /** The values of {@link #INSERT}'s parameters for {@code cs}, taking the next ORDEREXECUTED. */
    private Object[] values(ChangeSet cs, LocalDateTime appliedAt) {
        return new Object[] {cs.getId(), cs.getAuthor(), cs.getFilePath(), appliedAt, ++lastOrder,
            cs.generateCheckSum(ChecksumVersion.latest()).toString(), StringUtil.limitSize(cs.getDescription(), 250),
            StringUtil.limitSize(StringUtil.trimToEmpty(cs.getComments()), 250), cs.buildFullContext(),
            cs.buildFullLabels(), liquibaseVersion, deploymentId, MarkChangeSetRanGenerator.getTagFromChangeset(cs)};
    }

    private void bind(Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (i == DATE_EXECUTED) {
                insert.setObject(i + 1, values[i], Types.TIMESTAMP);
            } else if (values[i] instanceof Integer n) {
                insert.setInt(i + 1, n);
            } else {
                insert.setString(i + 1, (String) values[i]);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        insert.close();
    }
}
