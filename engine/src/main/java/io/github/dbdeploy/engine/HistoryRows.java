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
 * writes for it (EXECUTED, the next ORDEREXECUTED, NOW() unless another tool's applied time is given, its checksum, description, comments, contexts, labels,
 * tag, Liquibase's version and deployment id), through one prepared statement. The generator builds each row's SQL
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

    /** Inserts {@code cs}'s row, executed now, in the connection's transaction. */
    void insert(ChangeSet cs) throws SQLException {
        bind(cs, null);
        insert.executeUpdate();
    }

    /**
     * Inserts the rows of {@code changeSets}, in this order, in a few round trips; {@code appliedAt} holds each one's
     * DATEEXECUTED, null for now.
     */
    void insertAll(List<ChangeSet> changeSets, List<LocalDateTime> appliedAt) throws SQLException {
        for (int i = 0; i < changeSets.size(); i++) {
            bind(changeSets.get(i), appliedAt.get(i));
            insert.addBatch();
        }
        insert.executeBatch();
    }

    private void bind(ChangeSet cs, LocalDateTime appliedAt) throws SQLException {
        insert.setString(1, cs.getId());
        insert.setString(2, cs.getAuthor());
        insert.setString(3, cs.getFilePath());
        insert.setObject(4, appliedAt, Types.TIMESTAMP);
        insert.setInt(5, ++lastOrder);
        insert.setString(6, cs.generateCheckSum(ChecksumVersion.latest()).toString());
        insert.setString(7, StringUtil.limitSize(cs.getDescription(), 250));
        insert.setString(8, StringUtil.limitSize(StringUtil.trimToEmpty(cs.getComments()), 250));
        insert.setString(9, cs.buildFullContext());
        insert.setString(10, cs.buildFullLabels());
        insert.setString(11, liquibaseVersion);
        insert.setString(12, deploymentId);
        insert.setString(13, MarkChangeSetRanGenerator.getTagFromChangeset(cs));
    }

    @Override
    public void close() throws SQLException {
        insert.close();
    }
}
