package io.github.dbdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.Changelogs;
import io.github.dbdeploy.engine.TestDatabases;

/**
 * The shaded {@code target/dbdeploy.jar} as users run it: {@code java -jar}, in its own JVM. What only the jar can get
 * wrong is checked here (merged META-INF/services, the main class, exit codes through System.exit, a quiet SLF4J);
 * the behaviour of each command is {@link DbdeployCliTest}'s. Runs after package (see the cli POM).
 */
class CliJarTest {
    private static final String JAR = "dbdeploy.cli.jar";

    @TempDir
    Path dir;

    @BeforeEach
    void onlyOnceTheJarIsBuilt() {
        assumeTrue(System.getProperty(JAR) != null, "runs in the cli POM's shaded-jar execution, after package");
    }

    private record Result(int code, String output) {
    }

    private Result java(String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty(JAR)).toAbsolutePath();
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("output.txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dbdeploy.jar did not finish within 60 s");
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void theJarMigratesWithDbdeploysLockAndExitsWithTheDocumentedCodes() throws Exception {
        String url = TestDatabases.newDatabase("cli_jar");
        Path changelog = new Changelogs(dir.resolve("db"))
                .add("001-customer", "create table customer (id bigint primary key);", "drop table customer;")
                .write();

        Result ok = java("migrate", "--url", url, "--changelog", "db/changelog.xml", "--tag", "v1");
        assertEquals(0, ok.code(), ok.output());
        assertTrue(ok.output().contains("dbdeploy migrate default: success, applied 1, skipped 0"), ok.output());
        assertFalse(ok.output().contains("SLF4J"), ok.output());
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select to_regclass('databasechangeloglock') is null,"
                     + " (select count(*) from databasechangelog)")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "the shaded jar lost dbdeploy's lock service (META-INF/services)");
            assertEquals(1, rs.getInt(2));
        }
        assertTrue(Files.readString(dir.resolve("dbdeploy-output/summary.json")).contains("\"status\" : \"success\""));
        assertTrue(Files.exists(changelog));

        Result unreachable = java("status", "--url", "jdbc:postgresql://127.0.0.1:1/app", "--changelog", "db/changelog.xml");
        assertEquals(3, unreachable.code(), unreachable.output());
        assertEquals(2, java("migrate", "--no-such-option").code());
    }
}
