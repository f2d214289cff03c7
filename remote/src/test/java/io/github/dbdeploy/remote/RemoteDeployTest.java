package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.ChangesetOutcome;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.SchemaDump;
import io.github.dbdeploy.engine.SummaryWriter;
import io.github.dbdeploy.engine.TestDatabases;
import io.github.dbdeploy.remote.testing.FakeAws;
import io.github.dbdeploy.remote.testing.SampleChangelog;
import io.github.dbdeploy.remote.testing.TestJson;

/** migrate / rollback / status through real S3 and SSM protocols, executed on a fake host against real PostgreSQL. */
class RemoteDeployTest {
    static final String DB_PASSWORD = "s3cr3t-Db-Passw0rd!";
    @TempDir
    static Path tmp;
    static FakeAws aws;

    @BeforeAll
    static void start() {
        aws = new FakeAws(tmp.resolve("aws"));
        aws.ssm().addHost("i-0123456789abcdef0");
        aws.ssm().putParameter("/app/prod/db-password", DB_PASSWORD);
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    static Map<String, String> props(String url, Path changelog) {
        Map<String, String> p = aws.properties();
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.url", url);
        p.put("dbdeploy.password", "ssm:/app/prod/db-password");
        p.put("dbdeploy.changelog", changelog.toString());
        p.put("dbdeploy.ssm.instanceIds", "i-0123456789abcdef0");
        return p;
    }

    @Test
    void firstDeployAppliesOnTheHostAndARepeatUploadsNothing(@TempDir Path project) throws Exception {
        String url = TestDatabases.newDatabase("remote_first");
        Path changelog = new SampleChangelog(project.resolve("src/main/resources/db")).customers().write();
        Map<String, String> props = props(url, changelog);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
        int before = aws.ssm().requests("SendCommand").size();

        long t0 = System.nanoTime();
        RemoteResult first = RemoteTestSupport.run(aws, props, project, "migrate", out);
        long firstMs = (System.nanoTime() - t0) / 1_000_000;

        assertTrue(first.succeeded(), out.text());
        assertTrue(first.bundleUploaded());
        assertEquals(1, first.hosts().size());
        assertEquals(2, first.hosts().get(0).applied());
        assertTrue(SchemaDump.of(url).contains("customer_name"), "the index exists on the host's database");
        RunSummary summary = SummaryWriter.parse(Files.readString(project.resolve("target/dbdeploy/summary.json")));
        assertEquals("success", summary.status());
        assertEquals("ssm", summary.target());
        assertEquals(List.of("i-0123456789abcdef0"), summary.hosts().stream().map(RunSummary.HostSummary::instanceId).toList());
        assertEquals("prod", summary.environment());
        assertEquals(2, summary.applied());
        assertEquals(List.of("i-0123456789abcdef0", "i-0123456789abcdef0"),
                summary.changesets().stream().map(ChangesetOutcome::instanceId).toList());
        String md = Files.readString(project.resolve("target/dbdeploy/summary.md"));
        assertTrue(md.contains("| `i-0123456789abcdef0` | success | Success | 2 | 0 |"), md);
        assertTrue(out.text().contains("[i-0123456789abcdef0] Applying 2 changeset(s)"), out.text());

        t0 = System.nanoTime();
        RemoteResult repeat = RemoteTestSupport.run(aws, props, project, "migrate", out);
        long repeatMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(repeat.succeeded(), out.text());
        assertFalse(repeat.bundleUploaded(), "same changelog, same bundle: nothing new to upload");
        assertFalse(repeat.runnerUploaded());
        assertEquals(0, repeat.hosts().get(0).applied());

        // What SSM received: one command per deploy, and no secret in it (DB password, CI's or the host's AWS keys).
        List<String> scripts = aws.ssm().sentScripts();
        assertEquals(before + 2, scripts.size());
        for (String script : scripts) {
            assertFalse(script.contains(DB_PASSWORD));
            assertFalse(script.contains(io.github.dbdeploy.remote.testing.S3Server.SECRET_KEY));
            assertFalse(script.contains(FakeAws.HOST_SECRET_KEY));
            assertTrue(script.contains("password=ssm\\:/app/prod/db-password"), script);
        }
        assertFalse(out.text().contains(DB_PASSWORD));
        assertFalse(Files.readString(project.resolve("target/dbdeploy/summary.json")).contains(DB_PASSWORD));

        String host = "i-0123456789abcdef0";
        long firstShell = aws.ssm().hostWallMillis(first.commandId(), host);
        long repeatShell = aws.ssm().hostWallMillis(repeat.commandId(), host);
        System.out.printf("PERF remote migrate (in-process S3/SSM, poll 100 ms): bundle %d bytes;"
                        + " first deploy %d ms total = host engine %d ms + overhead %d ms (host script %d ms, of it outside"
                        + " the engine %d ms); repeat deploy %d ms total = host engine %d ms + overhead %d ms (host script"
                        + " %d ms, of it outside the engine %d ms)%n",
                first.bundleBytes(), firstMs, first.hostEngineMs(), firstMs - first.hostEngineMs(), firstShell,
                firstShell - first.hostEngineMs(), repeatMs, repeat.hostEngineMs(), repeatMs - repeat.hostEngineMs(),
                repeatShell, repeatShell - repeat.hostEngineMs());
    }

    @Test
    void aDirectoryChangelogIsBundledAsItsOwnRootAndRunsOnTheHostWithItsDownFiles(@TempDir Path project)
            throws Exception {
        String url = TestDatabases.newDatabase("remote_directory");
        Path migrations = project.resolve("db/migrations");
        Files.createDirectories(migrations);
        try (var files = Files.list(Path.of("../engine/src/test/resources/formats/golang-migrate"))) {
            for (Path f : files.toList()) {
                Files.copy(f, migrations.resolve(f.getFileName().toString()));
            }
        }
        Map<String, String> props = props(url, migrations);
        props.put("dbdeploy.format", "golang-migrate");
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult migrate = RemoteTestSupport.run(aws, props, project, "migrate", out);

        assertTrue(migrate.succeeded(), out.text());
        assertEquals(5, migrate.hosts().get(0).applied());
        assertTrue(out.text().contains("10 file(s), changelog directory, verified"), out.text());
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select string_agg(id || ' ' || author || ' ' || filename, ', '"
                     + " order by orderexecuted) from databasechangelog")) {
            rs.next();
            assertEquals("1 golang-migrate 000001_init.up.sql, 2 golang-migrate 000002_seed.up.sql, 3 golang-migrate"
                    + " 000003_shipped_status.up.sql, 4 golang-migrate 000004_orders_customer_index.up.sql,"
                    + " 10 golang-migrate 000010_customer_orders.up.sql", rs.getString(1),
                    "the same logical paths as a local run: the host's directory is not part of them");
        }

        RemoteResult rollback = RemoteTestSupport.run(aws, props, project, "rollback", out);
        assertTrue(rollback.succeeded(), out.text());
        assertEquals(5, rollback.hosts().get(0).applied());
        assertFalse(SchemaDump.of(url).contains("customer"), "every down file ran on the host");
    }

    @Test
    void aFailingChangesetIsRolledBackOnTheHostAndTheRunFails(@TempDir Path project) throws Exception {
        String url = TestDatabases.newDatabase("remote_fail");
        Path changelog = new SampleChangelog(project.resolve("db")).customers()
                .add("003-broken", "alter table customer add column email text;\ncreate table customer (id int);",
                        "alter table customer drop column email;")
                .write();
        String schemaBefore = SchemaDump.of(url);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult r = RemoteTestSupport.run(aws, props(url, changelog), project, "migrate", out);

        assertFalse(r.succeeded());
        assertEquals("rolled_back", r.status());
        HostResult host = r.hosts().get(0);
        assertEquals("Failed", host.ssmStatus());
        assertEquals(1, host.responseCode());
        assertTrue(r.failureMessage().contains("003-broken"), r.failureMessage());
        assertTrue(r.failureMessage().contains("already exists"), r.failureMessage());
        assertEquals(schemaBefore, SchemaDump.of(url), "the host rolled the database back to where it was");
        Map<String, Object> summary = TestJson.parseObject(Files.readString(project.resolve("target/dbdeploy/summary.json")));
        assertEquals("rolled_back", summary.get("status"));
        assertTrue(((String) summary.get("error")).contains("003-broken"));
    }

    @Test
    void theChecksFileTravelsInTheBundleAndAFailedCheckRollsTheHostBack(@TempDir Path project) throws Exception {
        String url = TestDatabases.newDatabase("remote_checks");
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        Path checks = Files.writeString(project.resolve("checks.sql"), "-- the customer table is there\n"
                + "select to_regclass('customer') is not null;\n\n-- a million customers\n"
                + "select count(*) >= 1000000 from customer;\n");
        Map<String, String> props = props(url, changelog);
        props.put("dbdeploy.checks", "checks.sql"); // relative to the project, as for a local run
        String schemaBefore = SchemaDump.of(url);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult failed = RemoteTestSupport.run(aws, props, project, "migrate", out);

        assertEquals("rolled_back", failed.status(), out.text());
        assertTrue(failed.failureMessage().contains("a million customers"), failed.failureMessage());
        assertEquals(schemaBefore, SchemaDump.of(url), "the host rolled back after its check failed");
        List<Map<String, Object>> reported = checks(project);
        assertEquals(List.of("the customer table is there", "a million customers"),
                reported.stream().map(c -> c.get("name")).toList());
        assertEquals(List.of("passed", "failed"), reported.stream().map(c -> c.get("status")).toList());
        assertTrue(reported.stream().allMatch(c -> "i-0123456789abcdef0".equals(c.get("instanceId"))), reported.toString());
        assertTrue(Files.readString(project.resolve("target/dbdeploy/summary.md"))
                .contains("| `i-0123456789abcdef0` | a million customers |"));

        Files.writeString(checks, "-- the customer table is there\nselect to_regclass('customer') is not null;\n");
        RemoteResult passed = RemoteTestSupport.run(aws, props, project, "migrate", out);
        assertTrue(passed.succeeded(), out.text());
        assertTrue(tableExists(url, "customer"));
        assertEquals(List.of("passed"), checks(project).stream().map(c -> c.get("status")).toList());
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> checks(Path project) throws Exception {
        return (List<Map<String, Object>>) TestJson.parseObject(
                Files.readString(project.resolve("target/dbdeploy/summary.json"))).get("checks");
    }

    @Test
    void statusAndRollbackRunOnTheHostToo(@TempDir Path project) throws Exception {
        String url = TestDatabases.newDatabase("remote_rollback");
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        Map<String, String> props = props(url, changelog);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult status = RemoteTestSupport.run(aws, props, project, "status", out);
        assertTrue(status.succeeded(), out.text());
        assertTrue(out.text().contains("[i-0123456789abcdef0] Pending changesets (2):"), out.text());

        props.put("dbdeploy.tag", "release-42");
        assertTrue(RemoteTestSupport.run(aws, props, project, "migrate", out).succeeded(), out.text());
        assertTrue(tableExists(url, "customer"));

        props.remove("dbdeploy.tag");
        RemoteResult rollback = RemoteTestSupport.run(aws, props, project, "rollback", out);
        assertTrue(rollback.succeeded(), out.text());
        assertFalse(tableExists(url, "customer"), "rolled back to the state before release-42");
        assertNull(TestJson.parseObject(Files.readString(project.resolve("target/dbdeploy/summary.json"))).get("error"));
    }

    static boolean tableExists(String url, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from information_schema.tables where table_name = '" + table + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }
}
