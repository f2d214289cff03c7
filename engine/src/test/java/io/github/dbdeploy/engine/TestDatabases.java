package io.github.dbdeploy.engine;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Real PostgreSQL for tests: an embedded server (binaries from Maven Central) started once per JVM, or the
 * server named by {@code DBDEPLOY_TEST_JDBC_URL} (an admin URL, e.g. jdbc:postgresql://localhost/postgres?user=postgres).
 * Each test gets a fresh database of its own.
 */
public final class TestDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static String adminUrl;

    private TestDatabases() {
    }

    public static synchronized String adminUrl() {
        if (adminUrl == null) {
            String external = System.getenv("DBDEPLOY_TEST_JDBC_URL");
            if (external != null && !external.isBlank()) {
                adminUrl = external;
            } else {
                try {
                    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            pg.close();
                        } catch (IOException ignored) {
                            // the JVM is going away
                        }
                    }));
                    adminUrl = pg.getJdbcUrl("postgres", "postgres");
                } catch (IOException e) {
                    throw new IllegalStateException("Cannot start embedded PostgreSQL", e);
                }
            }
        }
        return adminUrl;
    }

    /** Creates a new empty database and returns its JDBC URL (credentials as in the admin URL). */
    public static String newDatabase(String prefix) {
        String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet()).toLowerCase();
        try (Connection c = DriverManager.getConnection(adminUrl()); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database " + name, e);
        }
        return withDatabase(adminUrl(), name);
    }

    public static String withDatabase(String url, String database) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String params = q < 0 ? "" : url.substring(q);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
    }
}
