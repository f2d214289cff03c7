package io.github.dbdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.FrontDoor;
import io.github.dbdeploy.engine.Changelogs;
import io.github.dbdeploy.engine.TestDatabases;

/** The CLI as a container entrypoint runs it, in-process, against real (embedded) PostgreSQL. */
class DbdeployCliTest {
    /** The engine's advisory lock key ("dbdeploy" in ASCII), held here to play another deployment. */
    private static final long LOCK_KEY = 0x6462_6465_706C_6F79L;
    private static final String PASSWORD = "S3cr3t-pw-9";

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private String out;
    private String err;

    private int run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = new DbdeployCli(new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), env::get, dir).run(args);
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private Changelogs twoGood() {
        return new Changelogs(dir.resolve("db"))
                .add("001-customer", "create table customer (id bigint primary key, name text not null);",
                        "drop table customer;")
                .add("002-email", "alter table customer add column email text;",
                        "alter table customer drop column email;");
    }

    private String summary() throws IOException {
        return Files.readString(dir.resolve("dbdeploy-output/summary.json"));
    }

    @Test
    void helpListsTheEngineCommandsTheExitCodesAndTheEnvironmentRule() {
        assertEquals(0, run("--help"));
        for (String command : List.of("migrate", "rollback", "status", "history", "adopt", "baseline", "rehearse")) {
            assertTrue(out.contains("  " + command + " "), out);
        }
        assertFalse(out.contains("Runs dbdeploy"), "every command says what it does:\n" + out);
        assertFalse(out.contains("package"), "package needs a Maven project:\n" + out);
        assertTrue(out.contains("3  cannot connect, or the lock wait timed out"), out);
        assertTrue(out.contains("DBDEPLOY_LOCK_WAIT_SECONDS"), out);

        assertEquals(0, run("migrate", "--help"));
        assertTrue(out.contains("--lock-wait-seconds=<lock-wait-seconds>"), out);
        assertTrue(out.contains("[DBDEPLOY_LOCK_WAIT_SECONDS]"), out);
        assertTrue(out.contains("--rollback-on-failure[=true|false]"), out);
        assertTrue(out.contains("--password=<reference>"), out);
        assertFalse(out.contains("--server-id") || out.contains("--s3-bucket") || out.contains("--target"), out);
    }

    @Test
    void versionNamesDbdeployLiquibaseAndTheDriver() {
        assertEquals(0, run("--version"));
        assertTrue(out.matches("(?s)dbdeploy \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"
                + "Liquibase 4\\.33\\.\\d+, PostgreSQL JDBC 42\\.7\\.\\d+, Java .*"), out);
    }

    @Test
    void usageErrorsExitTwoAndSuggestTheOption() {
        assertEquals(2, run());
        assertTrue(err.contains("name a command: migrate, rollback, status, history"), err);
        assertEquals(2, run("migrate", "--urll", "jdbc:postgresql://localhost/app"));
        assertTrue(err.contains("Unknown options: '--urll'"), err);
        assertTrue(err.contains("Possible solutions: --url"), err);
        assertEquals(2, run("deploy"));
    }

    @Test
    void migrateFromEnvironmentVariablesThenNothingToDo() throws Exception {
        String url = TestDatabases.newDatabase("cli_env");
        env.put("DBDEPLOY_URL", url);
        env.put("DBDEPLOY_CHANGELOG", dir.relativize(twoGood().write()).toString()); // relative to the working dir
        env.put("DBDEPLOY_ENV", "staging");
        env.put("DBDEPLOY_TAG", "v1");

        assertEquals(0, run("migrate"), err);
        assertTrue(out.contains("dbdeploy migrate staging: success, applied 2, skipped 0"), out);
        assertEquals(List.of("001-customer", "002-email"), column(url, "select id from databasechangelog order by orderexecuted"));
        assertTrue(summary().contains("\"deploymentId\" : \"v1\""), summary());

        env.put("DBDEPLOY_TAG", "v2");
        assertEquals(0, run("migrate"), err);
        assertTrue(out.contains("nothing to apply"), out);
    }

    @Test
    void anOptionWinsOverItsEnvironmentVariable() throws Exception {
        String url = TestDatabases.newDatabase("cli_precedence");
        env.put("DBDEPLOY_URL", "jdbc:postgresql://127.0.0.1:1/nowhere");
        env.put("DBDEPLOY_TAG", "from-env");
        assertEquals(0, run("migrate", "--url", url, "--changelog", twoGood().write().toString(),
                "--tag=from-option"), err);
        assertTrue(summary().contains("\"deploymentId\" : \"from-option\""), summary());
    }

    @Test
    void failedMigrationIsRolledBackAndExitsOne() throws Exception {
        String url = TestDatabases.newDatabase("cli_fail");
        Path changelog = twoGood().add("003-broken", "insert into no_such_table values (1);", null).write();
        assertEquals(1, run("migrate", "--url", url, "--changelog", changelog.toString()));
        assertTrue(err.contains("Rolled back the 2 changeset(s) applied before it"), err);
        assertTrue(summary().contains("\"status\" : \"rolled_back\""), summary());
        assertEquals(List.of("f"), column(url, "select to_regclass('customer') is not null"));
    }

    @Test
    void rollbackOnFailureFalseKeepsWhatWasAppliedAndStillExitsOne() throws Exception {
        String url = TestDatabases.newDatabase("cli_keep");
        Path changelog = twoGood().add("003-broken", "insert into no_such_table values (1);", null).write();
        assertEquals(1, run("migrate", "--url", url, "--changelog", changelog.toString(), "--rollback-on-failure=false",
                "--tag=keep-1"));
        assertTrue(summary().contains("\"status\" : \"failed\""), summary());
        // The way out is spelled for where the user is: a container has the jar, not Maven.
        assertTrue(err.contains("java -jar dbdeploy.jar rollback --rollback-tag=keep-1"), err);
        assertFalse(err.contains("mvn dbdeploy:"), err);
        assertEquals(List.of("t"), column(url, "select to_regclass('customer') is not null"));
    }

    @Test
    void rehearseFetchesTheServerBinariesChecksThemAndKeepsThemForTheNextRun() throws Exception {
        String url = TestDatabases.newDatabase("cli_rehearse");
        Path changelog = twoGood().add("003-drop-name", "alter table customer drop column name;",
                "alter table customer add column name text;").write(); // not null is lost: not an exact rollback
        Path localRepository = dir.resolve("m2");
        env.put("DBDEPLOY_MAVEN_LOCAL_REPOSITORY", localRepository.toString());
        try (BinariesRepository repository = new BinariesRepository(false)) {
            assertEquals(1, run("rehearse", "--url", url, "--changelog", changelog.toString(),
                    "--maven-repository", repository.url()), err + out);
            assertTrue(out.contains("rehearsed 001-customer") && out.contains("rehearsed 002-email"), out);
            assertTrue(summary().contains("\"rollback\" : \"differs\""), summary());
            // The jar and its published SHA-1, once; kept where Maven keeps it.
            assertEquals(2, repository.requests.size(), repository.requests.toString());
            assertTrue(repository.requests.get(0).endsWith(".jar") && repository.requests.get(1).endsWith(".jar.sha1"),
                    repository.requests.toString());
            Path kept = localRepository.resolve(repository.requests.get(0).substring(1));
            assertEquals(-1, Files.mismatch(repository.served, kept), "the kept jar is the one served");

            assertEquals(0, run("rehearse", "--url", url, "--changelog", twoGood().write().toString(),
                    "--maven-repository", repository.url()), err + out);
            assertEquals(2, repository.requests.size(), "the second run downloads nothing");
        }
        assertEquals(List.of(), column(url, "select tablename from pg_tables where schemaname = 'public'"));
    }

    @Test
    void rehearseKeepsNoBinariesWhoseChecksumDoesNotMatchAndNamesWhatIsMissing() throws Exception {
        String url = TestDatabases.newDatabase("cli_rehearse_sha");
        Path localRepository = dir.resolve("m2");
        env.put("DBDEPLOY_MAVEN_LOCAL_REPOSITORY", localRepository.toString());
        try (BinariesRepository repository = new BinariesRepository(true)) {
            assertEquals(1, run("rehearse", "--url", url, "--changelog", twoGood().write().toString(),
                    "--maven-repository", repository.url()));
            assertTrue(err.contains("but the repository publishes 0000000000000000000000000000000000000000; nothing"
                    + " was kept"), err);
            try (var files = Files.walk(localRepository)) {
                assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
            }
            // A mirror without the binaries: the URL it answered 404 for, and what to do.
            assertEquals(1, run("rehearse", "--url", url, "--changelog", twoGood().write().toString(),
                    "--maven-repository", repository.url() + "empty/"));
            assertTrue(err.contains("Cannot get the PostgreSQL") && err.contains(repository.url() + "empty/io/zonky/")
                    && err.contains("answered HTTP 404") && err.contains("Run once with access to Maven Central"),
                    err);
        }
        assertEquals(2, run("rehearse", "--url", url, "--changelog", twoGood().write().toString(),
                "--maven-repository", "file:/srv/m2"));
        assertTrue(err.contains("--maven-repository must be an http(s) URL"), err);
    }

    /**
     * A Maven repository over real HTTP that holds zonky's binaries jar for this platform under whatever version is
     * asked for: the jar on the test class path (the rehearsal asks for the newest release of the target's major
     * version, which the test class path does not have). With {@code tamper}, its .sha1 file is wrong. Under
     * {@code /empty/} it has nothing.
     */
    private static final class BinariesRepository implements AutoCloseable {
        final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        Path served;
        private final com.sun.net.httpserver.HttpServer server;

        BinariesRepository(boolean tamper) throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                requests.add(path);
                byte[] body = answer(path, tamper);
                exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
                if (body != null) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        private byte[] answer(String path, boolean tamper) throws IOException {
            if (path.startsWith("/empty/")) {
                return null;
            }
            String[] parts = path.split("/"); // /io/zonky/test/postgres/<artifactId>/<version>/<file>
            Path jar = classPathJar(parts[parts.length - 3]);
            String file = parts[parts.length - 1];
            if (jar == null || !(file.endsWith(".jar") || file.endsWith(".jar.sha1"))) {
                return null;
            }
            served = jar;
            byte[] bytes = Files.readAllBytes(jar);
            if (file.endsWith(".jar")) {
                return bytes;
            }
            try {
                String sha1 = java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-1").digest(bytes));
                return ((tamper ? "0".repeat(40) : sha1) + "  " + file.replace(".sha1", ""))
                        .getBytes(StandardCharsets.US_ASCII);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
        }

        private static Path classPathJar(String artifactId) {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (p.getFileName().toString().matches(java.util.regex.Pattern.quote(artifactId) + "-\\d[^-]*\\.jar")) {
                    return p;
                }
            }
            return null;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void noConnectionExitsThreeAndLeavesAnErrorSummary() throws Exception {
        assertEquals(3, run("migrate", "--url", "jdbc:postgresql://127.0.0.1:1/app",
                "--changelog", twoGood().write().toString()));
        assertTrue(err.startsWith("dbdeploy: ERROR: Cannot connect to jdbc:postgresql://127.0.0.1:1/app"), err);
        assertTrue(summary().contains("\"status\" : \"error\""), summary());
    }

    @Test
    void aPasswordStoreThatCannotBeReachedExitsThreeAndRunsNothing() throws Exception {
        String url = TestDatabases.newDatabase("cli_ssm_down");
        // Credentials for the SDK so that it gets as far as the endpoint, which refuses the connection.
        System.setProperty("aws.accessKeyId", "AKIAIOSFODNN7EXAMPLE");
        System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        try {
            assertEquals(3, run("migrate", "--url", url, "--changelog", twoGood().write().toString(),
                    "--password", "ssm:/app/prod/db-password", "--aws-region", "eu-west-1",
                    "--ssm-endpoint", "http://127.0.0.1:1"));
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        assertTrue(err.startsWith("dbdeploy: ERROR: Cannot reach AWS Systems Manager to read /app/prod/db-password"), err);
        assertEquals(List.of("f"), column(url, "select to_regclass('customer') is not null"));
    }

    @Test
    void lockWaitTimeoutExitsThree() throws Exception {
        String url = TestDatabases.newDatabase("cli_lock");
        try (Connection holder = DriverManager.getConnection(url); Statement st = holder.createStatement()) {
            st.execute("select pg_advisory_lock(" + LOCK_KEY + ")");
            assertEquals(3, run("migrate", "--url", url, "--changelog", twoGood().write().toString(),
                    "--lock-wait-seconds", "0"));
        }
        assertTrue(err.contains("Another deployment holds the dbdeploy lock"), err);
        assertEquals(List.of("f"), column(url, "select to_regclass('customer') is not null"));
    }

    @Test
    void statusFailOnPendingExitsFourUntilMigrated() throws Exception {
        String url = TestDatabases.newDatabase("cli_status");
        String changelog = twoGood().write().toString();
        assertEquals(4, run("status", "--url", url, "--changelog", changelog, "--fail-on-pending"));
        assertTrue(out.contains("Pending changesets (2):"), out);
        assertEquals(0, run("status", "--url", url, "--changelog", changelog), "without the gate, pending is fine");
        assertEquals(0, run("migrate", "--url", url, "--changelog", changelog, "--tag", "v1"), err);
        assertEquals(0, run("status", "--url", url, "--changelog", changelog, "--fail-on-pending"));
        assertEquals(0, run("history", "--url", url, "--changelog", changelog));
        assertTrue(out.contains("v1  success"), out);
        assertEquals(0, run("rollback", "--url", url, "--changelog", changelog));
        assertTrue(out.contains("Rolling back 2 changeset(s) to the state before deployment v1"), out);
        assertEquals(List.of("0"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void configurationErrorsExitTwoAndNameTheCommandLineSpelling() throws Exception {
        assertEquals(2, run("migrate", "--changelog", twoGood().write().toString()));
        assertTrue(err.contains("no database URL"), err);
        assertTrue(err.contains("On the command line, dbdeploy.url is --url or DBDEPLOY_URL."), err);
        assertTrue(summary().contains("\"status\" : \"error\""), summary());

        assertEquals(2, run("migrate", "--url", "jdbc:postgresql://localhost/app", "--changelog", "db/none.xml",
                "--lock-wait-seconds", "soon"));
        assertTrue(err.contains("dbdeploy.lockWaitSeconds must be a whole number, got 'soon'"), err);
        assertTrue(err.contains("dbdeploy.lockWaitSeconds is --lock-wait-seconds or DBDEPLOY_LOCK_WAIT_SECONDS"), err);
    }

    @Test
    void skipDoesNothing() throws Exception {
        String url = TestDatabases.newDatabase("cli_skip");
        env.put("DBDEPLOY_SKIP", "true");
        assertEquals(0, run("migrate", "--url", url, "--changelog", twoGood().write().toString()));
        assertTrue(out.contains("dbdeploy migrate is skipped"), out);
        assertEquals(List.of("f"), column(url, "select to_regclass('customer') is not null"));
    }

    @Test
    void aPasswordOnTheCommandLineIsRefusedWithoutEchoingIt() throws Exception {
        assertEquals(2, run("migrate", "--url", "jdbc:postgresql://localhost/app",
                "--changelog", twoGood().write().toString(), "--password", PASSWORD));
        assertTrue(err.contains("--password takes only a reference"), err);
        assertFalse(err.contains(PASSWORD) || out.contains(PASSWORD) || summary().contains(PASSWORD), err);
    }

    @Test
    void thePasswordNeverReachesTheOutputOrTheSummary() throws Exception {
        String url = TestDatabases.newDatabase("cli_secret");
        env.put("DB_SECRET", PASSWORD);
        env.put("DBDEPLOY_URL", url);
        // PostgreSQL quotes the bad value in its error: the secret would reach the log unless it is scrubbed.
        Path changelog = twoGood().add("003-leaky", "select '" + PASSWORD + "'::int;", null).write();
        env.put("DBDEPLOY_CHANGELOG", changelog.toString());

        assertEquals(1, run("migrate", "--password", "env:DB_SECRET"));
        assertTrue(err.contains("invalid input syntax for type integer: \"****\""), err);
        assertNoPassword();

        env.remove("DB_SECRET");
        env.put("DBDEPLOY_PASSWORD", PASSWORD);
        assertEquals(1, run("migrate"));
        assertTrue(err.contains("\"****\""), err);
        assertNoPassword();

        env.put("DBDEPLOY_URL", "jdbc:postgresql://127.0.0.1:1/app?password=" + PASSWORD);
        assertEquals(3, run("migrate"));
        assertNoPassword();
    }

    private void assertNoPassword() throws IOException {
        for (String text : List.of(out, err, summary(), Files.readString(dir.resolve("dbdeploy-output/summary.md")))) {
            assertFalse(text.contains(PASSWORD), text);
        }
    }

    @Test
    void optionsAndEnvironmentVariablesFollowOneRule() {
        assertEquals("--lock-wait-seconds", FrontDoor.option("dbdeploy.lockWaitSeconds"));
        assertEquals("DBDEPLOY_LOCK_WAIT_SECONDS", FrontDoor.environmentVariable("dbdeploy.lockWaitSeconds"));
        assertEquals("--aws-region", FrontDoor.option("dbdeploy.aws.region"));
        assertEquals("DBDEPLOY_AWS_REGION", FrontDoor.environmentVariable("dbdeploy.aws.region"));
        assertEquals("DBDEPLOY_REHEARSE_FAIL_ON", FrontDoor.environmentVariable("dbdeploy.rehearse.failOn"));
    }

    private static List<String> column(String url, String sql) throws SQLException {
        List<String> values = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
