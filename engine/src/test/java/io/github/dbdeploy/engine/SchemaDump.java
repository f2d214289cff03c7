package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A text dump of the user's schema from the catalog (tables, columns, constraints, indexes, views, row counts),
 * leaving out the bookkeeping tables of Liquibase and dbdeploy. Two dumps are equal when the schema is.
 */
public final class SchemaDump {
    private SchemaDump() {
    }

    public static String of(String url) {
        String exclude = " not in ('databasechangelog', 'databasechangeloglock', 'dbdeploy_deployment')";
        StringBuilder out = new StringBuilder();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            append(out, st, "select table_name, column_name, data_type, is_nullable, coalesce(column_default, '')"
                    + " from information_schema.columns where table_schema = 'public' and table_name" + exclude
                    + " order by table_name, ordinal_position");
            append(out, st, "select conrelid::regclass::text, conname, pg_get_constraintdef(oid) from pg_constraint"
                    + " where connamespace = 'public'::regnamespace and conrelid::regclass::text" + exclude
                    + " order by 1, 2");
            append(out, st, "select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'"
                    + " and tablename" + exclude + " order by 1, 2");
            append(out, st, "select viewname, definition from pg_views where schemaname = 'public' order by 1");
            try (ResultSet tables = c.createStatement().executeQuery("select table_name from information_schema.tables"
                    + " where table_schema = 'public' and table_type = 'BASE TABLE' and table_name" + exclude
                    + " order by 1")) {
                while (tables.next()) {
                    append(out, st, "select '" + tables.getString(1) + "', count(*) from \"" + tables.getString(1) + "\"");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void append(StringBuilder out, Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    out.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.append('\n');
            }
        }
    }
}
