package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.dbdeploy.engine.formats.MigrationFormat;

/**
 * The history table another migration tool keeps in the target database, read the way that tool wrote it. Only ever
 * read: adopting a history must leave the other tool able to carry on if the team goes back to it.
 */
final class ForeignHistory {

    /** The tools whose history {@code dbdeploy:adopt} reads ({@code dbdeploy.adoptFrom}). */
    enum Tool {
        FLYWAY("flyway", "flyway_schema_history", MigrationFormat.FLYWAY),
        GOLANG_MIGRATE("golang-migrate", "schema_migrations", MigrationFormat.GOLANG_MIGRATE),
        DBMATE("dbmate", "schema_migrations", MigrationFormat.DBMATE),
        /** A psql loop's home-made table: a version or file-name column, perhaps a time. */
        SQL("sql", "schema_migrations", MigrationFormat.SQL),
        DIESEL("diesel", "__diesel_schema_migrations", MigrationFormat.DIESEL),
        DRIZZLE("drizzle", "drizzle.__drizzle_migrations", MigrationFormat.DRIZZLE),
        /** Ruby migrations: only the versions are known, not what they did. */
        RAILS("rails", "schema_migrations", null),
        /** JavaScript migrations. */
        KNEX("knex", "knex_migrations", null),
        /** Python migrations, identified by revision ids rather than ordered versions. */
        ALEMBIC("alembic", "alembic_version", null);

        private final String id;
        private final String table;
        private final MigrationFormat format;

        Tool(String id, String table, MigrationFormat format) {
            this.id = id;
            this.table = table;
            this.format = format;
        }

        String id() {
            return id;
        }

        String table() {
            return table;
        }

        /** The directory format of the tool's migration files; null for tools whose migrations are code. */
        MigrationFormat format() {
            return format;
        }

        boolean code() {
            return format == null;
        }

        static Tool of(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            for (Tool t : values()) {
                if (t.id.equals(v)) {
                    return t;
                }
            }
            throw DbdeployException.configuration(PropertyNames.ADOPT_FROM + "=" + value.trim() + " is not a tool"
                    + " dbdeploy adopts from: use one of " + names() + ".");
        }

        static String names() {
            return Arrays.stream(values()).map(Tool::id).collect(Collectors.joining(", "));
        }
    }

    /**
     * What the tool recorded about one migration; fields the tool does not keep are null.
     *
     * @param rank      the row's order (Flyway's installed_rank, Drizzle's and Knex's id), else its position
     * @param version   the version as stored (a Drizzle row's created_at, an Alembic revision, a Knex file name)
     * @param name      Flyway's description or Knex's file name
     * @param script    Flyway's script column
     * @param checksum  Flyway's CRC32 or Drizzle's sha256
     * @param appliedAt when it was applied, in the session's time zone (as DATABASECHANGELOG keeps it)
     * @param failed    Flyway {@code success = false}, golang-migrate {@code dirty}
     * @param type      Flyway's type column (SQL, BASELINE, DELETE, UNDO_SQL, JDBC, SCHEMA...)
     */
    record Row(int rank, String version, String name, String script, String checksum, LocalDateTime appliedAt,
               boolean failed, String type) {
        String describe() {
            return (script != null ? script : version) + (rank > 0 ? " (row " + rank + ")" : "");
        }
    }

    /** A history table found in the database, and how many rows it has. */
    record Table(Tool tool, int rows) {
        String describe() {
            return tool.id() + "'s history table " + tool.table() + " (" + rows + " row(s))";
        }
    }

    private ForeignHistory() {
    }

    /**
     * The other tools' history tables visible on the search path. {@code schema_migrations} is written by several
     * tools: golang-migrate's has a {@code dirty} column, Rails keeps {@code ar_internal_metadata} beside it, and
     * dbmate's and a psql loop's are told apart by the changelog directory's format (dbmate's own table has only
     * its {@code version} column).
     *
     * @param directoryFormat the changelog directory's format, or null when the changelog is not a directory
     */
    static List<Table> find(Connection c, MigrationFormat directoryFormat) throws SQLException {
        List<Table> found = new ArrayList<>();
        for (Tool t : List.of(Tool.FLYWAY, Tool.DIESEL, Tool.DRIZZLE, Tool.KNEX, Tool.ALEMBIC)) {
            if (ChangelogHistory.tableExists(c, t.table())) {
                found.add(new Table(t, count(c, t.table())));
            }
        }
        if (ChangelogHistory.tableExists(c, "schema_migrations")) {
            found.add(new Table(schemaMigrationsTool(c, directoryFormat), count(c, "schema_migrations")));
        }
        return found;
    }

    /** The tool {@code schema_migrations} belongs to, as far as the database and the changelog tell. */
    static Tool schemaMigrationsTool(Connection c, MigrationFormat directoryFormat) throws SQLException {
        Map<String, String> columns = columns(c, "schema_migrations");
        if (columns.containsKey("dirty")) {
            return Tool.GOLANG_MIGRATE;
        }
        if (ChangelogHistory.tableExists(c, "ar_internal_metadata")) {
            return Tool.RAILS;
        }
        if (directoryFormat == MigrationFormat.SQL || directoryFormat == MigrationFormat.DBMATE) {
            return directoryFormat == MigrationFormat.SQL ? Tool.SQL : Tool.DBMATE;
        }
        return columns.keySet().equals(java.util.Set.of("version")) ? Tool.DBMATE : Tool.SQL;
    }

    /**
     * Every row of {@code tool}'s table, oldest first; {@code baselineCommand} is what to run instead when the table
     * cannot be read as a history (a psql loop's table without a version column).
     */
    static List<Row> read(Connection c, Tool tool, String baselineCommand) throws SQLException {
        return switch (tool) {
            case FLYWAY -> query(c, "select installed_rank, version, description, script, checksum::text,"
                    + " installed_on::timestamp, not success, type from flyway_schema_history order by installed_rank");
            case GOLANG_MIGRATE -> query(c, "select 0, version::text, null, null, null, null::timestamp, dirty, null"
                    + " from schema_migrations order by version");
            case DBMATE, RAILS -> query(c, "select 0, version::text, null, null, null, null::timestamp, false, null"
                    + " from schema_migrations order by version");
            case SQL -> readPsqlLoop(c, baselineCommand);
            case DIESEL -> query(c, "select 0, version::text, null, null, null, run_on::timestamp, false, null"
                    + " from __diesel_schema_migrations order by version");
            case DRIZZLE -> query(c, "select id, created_at::text, null, null, hash, null::timestamp, false, null"
                    + " from drizzle.__drizzle_migrations order by id");
            case KNEX -> query(c, "select id, name, name, null, null, migration_time::timestamp, false, null"
                    + " from knex_migrations order by id");
            case ALEMBIC -> query(c, "select 0, version_num::text, null, null, null, null::timestamp, false, null"
                    + " from alembic_version order by version_num");
        };
    }

    /**
     * A psql loop's table has whatever columns its author chose: the version (or the file name) is the first column
     * with one of the usual names, the applied time the first timestamp column.
     */
    private static List<Row> readPsqlLoop(Connection c, String baselineCommand) throws SQLException {
        Map<String, String> columns = columns(c, "schema_migrations");
        String version = null;
        for (String candidate : List.of("version", "filename", "file_name", "file", "name", "migration", "script")) {
            if (columns.containsKey(candidate)) {
                version = candidate;
                break;
            }
        }
        if (version == null) {
            throw DbdeployException.configuration("schema_migrations has columns " + columns.keySet() + ", none of"
                    + " which holds a migration's version or file name (expected one of version, filename, name)."
                    + " Nothing was changed. Record the database's state with " + baselineCommand + " instead.");
        }
        String time = null;
        for (Map.Entry<String, String> e : columns.entrySet()) {
            if (e.getValue().startsWith("timestamp")) {
                time = e.getKey();
                break;
            }
        }
        return query(c, "select 0, \"" + version + "\"::text, null, null, null, "
                + (time == null ? "null" : "\"" + time + "\"") + "::timestamp, false, null from schema_migrations"
                + " order by 2");
    }

    private static List<Row> query(Connection c, String sql) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            int position = 0;
            while (rs.next()) {
                position++;
                int rank = rs.getInt(1);
                rows.add(new Row(rank == 0 ? position : rank, rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getObject(6, LocalDateTime.class), rs.getBoolean(7), rs.getString(8)));
            }
        }
        return rows;
    }

    private static int count(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from " + table);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Column names (lower case) and their types, in column order, of the table visible as {@code table}. */
    private static Map<String, String> columns(Connection c, String table) throws SQLException {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select attname, format_type(atttypid, atttypmod)"
                + " from pg_attribute where attrelid = to_regclass(?) and attnum > 0 and not attisdropped"
                + " order by attnum")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
                }
            }
        }
        return out;
    }
}
