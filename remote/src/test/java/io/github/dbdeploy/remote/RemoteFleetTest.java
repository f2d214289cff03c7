package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.SchemaDump;
import io.github.dbdeploy.engine.TestDatabases;
import io.github.dbdeploy.remote.testing.FakeAws;
import io.github.dbdeploy.remote.testing.FakeHost;
import io.github.dbdeploy.remote.testing.SampleChangelog;
import io.github.dbdeploy.remote.testing.TestJson;

/**
 * A fleet found by tag, one database per host: every host's database is named after the login the host's own
 * environment gives (DBDEPLOY_USERNAME; a JDBC URL without a database name means "the user's database"), so one
 * dbdeploy.url serves every host as on real hosts that each run their own PostgreSQL.
 */
class RemoteFleetTest {
    @TempDir
    static Path tmp;
    static FakeAws aws;
    static String serverUrl;

    @BeforeAll
    static void start() throws Exception {
        aws = new FakeAws(tmp.resolve("aws"));
        String admin = TestDatabases.adminUrl();
        int q = admin.indexOf('?');
        String base = q < 0 ? admin : admin.substring(0, q);
        serverUrl = base.substring(0, base.lastIndexOf('/') + 1);
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    static String hostDatabase(String role) throws Exception {
        try (Connection c = DriverManager.getConnection(TestDatabases.adminUrl()); Statement st = c.createStatement()) {
            st.execute("create role " + role + " login");
            st.execute("create database " + role + " owner " + role);
        }
        return serverUrl + role + "?user=" + role;
    }

    /** The SendCommand request that targeted fleet {@code fleet}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> sentTo(String fleet) {
        for (var r : aws.ssm().requests("SendCommand")) {
            Map<String, Object> body = TestJson.parseObject(r.body());
            for (Map<String, Object> t : (List<Map<String, Object>>) body.get("Targets")) {
                if ("tag:Fleet".equals(t.get("Key")) && List.of(fleet).equals(t.get("Values"))) {
                    return body;
                }
            }
        }
        throw new AssertionError("no SendCommand targeted fleet " + fleet);
    }

    static FakeHost host(String id, String role, String fleet) {
        return aws.ssm().addHost(id).tag("Role", "db").tag("Fleet", fleet).env("DBDEPLOY_USERNAME", role);
    }

    Map<String, String> props(Path changelog, String fleet) {
        Map<String, String> p = aws.properties();
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.url", serverUrl); // no database: each host's login picks its own
        p.put("dbdeploy.changelog", changelog.toString());
        p.put("dbdeploy.ssm.targets", "tag:Role=db;tag:Fleet=" + fleet);
        return p;
    }

    @Test
    void everyTaggedHostMigratesItsOwnDatabaseOneAtATime(@TempDir Path project) throws Exception {
        String[] roles = {"fleet_a1", "fleet_a2", "fleet_a3"};
        String[] urls = new String[3];
        for (int i = 0; i < 3; i++) {
            urls[i] = hostDatabase(roles[i]);
            host("i-0a0000000000000" + (i + 1), roles[i], "a");
        }
        aws.ssm().addHost("i-0a00000000000009").tag("Role", "web").tag("Fleet", "a"); // not a db: not targeted
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        Map<String, String> props = props(changelog, "a");
        props.put("dbdeploy.ssm.maxConcurrency", "1");
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult r = RemoteTestSupport.run(aws, props, project, "migrate", out);

        assertTrue(r.succeeded(), out.text());
        assertEquals(List.of("i-0a00000000000001", "i-0a00000000000002", "i-0a00000000000003"),
                r.hosts().stream().map(HostResult::instanceId).sorted().toList());
        for (String url : urls) {
            assertTrue(SchemaDump.of(url).contains("customer_name"), url);
        }
        Map<String, Object> summary = TestJson.parseObject(Files.readString(project.resolve("target/dbdeploy/summary.json")));
        assertEquals("success", summary.get("status"));
        assertEquals(6, summary.get("applied"));
        assertEquals(3, ((List<?>) summary.get("hosts")).size());
        String md = Files.readString(project.resolve("target/dbdeploy/summary.md"));
        for (int i = 1; i <= 3; i++) {
            assertTrue(md.contains("| `i-0a0000000000000" + i + "` | success | Success | 2 | 0 |"), md);
        }
        Map<String, Object> sent = sentTo("a");
        assertEquals("1", sent.get("MaxConcurrency"));
        assertEquals("0", sent.get("MaxErrors"));
    }

    @Test
    void aFailedHostStopsTheRestAtMaxErrorsAndFailsTheRun(@TempDir Path project) throws Exception {
        String[] roles = {"fleet_b1", "fleet_b2", "fleet_b3"};
        String[] urls = new String[3];
        for (int i = 0; i < 3; i++) {
            urls[i] = hostDatabase(roles[i]);
            host("i-0b0000000000000" + (i + 1), roles[i], "b");
        }
        aws.ssm().hosts("i-0b00000000000001").behaviour(FakeHost.Behaviour.NO_JAVA);
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        Map<String, String> props = props(changelog, "b");
        props.put("dbdeploy.ssm.maxConcurrency", "1");
        props.put("dbdeploy.ssm.maxErrors", "0");
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult r = RemoteTestSupport.run(aws, props, project, "migrate", out);

        assertFalse(r.succeeded());
        Map<String, String> statuses = new java.util.TreeMap<>();
        r.hosts().forEach(h -> statuses.put(h.instanceId(), h.ssmStatus()));
        assertEquals(Map.of("i-0b00000000000001", "Failed", "i-0b00000000000002", "Cancelled",
                "i-0b00000000000003", "Cancelled"), statuses);
        for (String url : urls) {
            assertFalse(SchemaDump.of(url).contains("customer"), "no host changed its database");
        }
        assertTrue(r.failureMessage().contains("failed on 3 of 3 host(s)"), r.failureMessage());
        assertTrue(r.failureMessage().contains("[i-0b00000000000001] SSM status Failed, exit code 11: dbdeploy: Java 17"),
                r.failureMessage());
        String md = Files.readString(project.resolve("target/dbdeploy/summary.md"));
        assertTrue(md.contains("| `i-0b00000000000002` | failed | Cancelled | 0 | 0 |"), md);
    }

    @Test
    void targetsThatMatchNoInstanceAreAnErrorNotASilentSuccess(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        Map<String, String> props = props(changelog, "nobody");
        io.github.dbdeploy.engine.DbdeployException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.github.dbdeploy.engine.DbdeployException.class,
                () -> RemoteTestSupport.run(aws, props, project, "migrate", new RemoteTestSupport.Lines()));
        assertTrue(e.getMessage().startsWith("No managed instance matched dbdeploy.ssm.targets (tag:Role=db; tag:Fleet=nobody)"),
                e.getMessage());
    }

    @Test
    void theFullOutputComesFromTheOutputBucketWhenSsmCutsItOff(@TempDir Path project) throws Exception {
        String url = hostDatabase("fleet_c1");
        host("i-0c00000000000001", "fleet_c1", "c");
        SampleChangelog big = new SampleChangelog(project.resolve("db"));
        for (int i = 0; i < 160; i++) {
            big.add(String.format("%03d-a-changeset-with-a-rather-long-descriptive-name", i),
                    "create table t" + i + " (id int);", "drop table t" + i + ";");
        }
        Map<String, String> props = props(big.write(), "c");
        props.put("dbdeploy.ssm.outputBucket", FakeAws.BUCKET);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult r = RemoteTestSupport.run(aws, props, project, "migrate", out);

        assertTrue(r.succeeded(), out.text());
        HostResult host = r.hosts().get(0);
        assertTrue(host.stdout().length() > 24_000, "the output is longer than what the SSM API returns");
        assertEquals(160, host.applied(), "the summary at the end of the full output was read");
        assertTrue(SchemaDump.of(url).contains("t159"));
        Map<String, Object> sent = sentTo("c");
        assertEquals(FakeAws.BUCKET, sent.get("OutputS3BucketName"));
        assertEquals("dbdeploy/output", sent.get("OutputS3KeyPrefix"));
    }
}
