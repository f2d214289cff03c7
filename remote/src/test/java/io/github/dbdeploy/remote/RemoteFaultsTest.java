package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.SchemaDump;
import io.github.dbdeploy.engine.TestDatabases;
import io.github.dbdeploy.remote.testing.FakeAws;
import io.github.dbdeploy.remote.testing.FakeHost;
import io.github.dbdeploy.remote.testing.S3Server;
import io.github.dbdeploy.remote.testing.SampleChangelog;
import io.github.dbdeploy.remote.testing.TestJson;

/**
 * Each fault of the remote path: a clear error naming the fix, a failed run, the database untouched, no secret in
 * any output, and (where the fault is found before SendCommand) nothing sent to the hosts.
 */
class RemoteFaultsTest {
    static final String DB_PASSWORD = "Pr0d-Db-Secret-value";
    static final String HOST = "i-0aaaaaaaaaaaaaaa1";
    @TempDir
    static Path tmp;
    static FakeAws aws;

    @BeforeAll
    static void start() {
        aws = new FakeAws(tmp.resolve("aws"));
        aws.ssm().addHost(HOST);
        aws.ssm().putParameter("/app/prod/db-password", DB_PASSWORD);
        aws.ssm().putUndecryptableParameter("/app/prod/kms-denied", DB_PASSWORD);
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    static Map<String, String> props(String url, Path changelog, String instance) {
        Map<String, String> p = aws.properties();
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.url", url);
        p.put("dbdeploy.password", "ssm:/app/prod/db-password");
        p.put("dbdeploy.changelog", changelog.toString());
        p.put("dbdeploy.ssm.instanceIds", instance);
        return p;
    }

    /** Runs, expects a failed run, and checks the things every fault shares. */
    static RemoteResult failedRun(Map<String, String> props, Path project, String url, RemoteTestSupport.Lines out)
            throws Exception {
        String before = SchemaDump.of(url);
        RemoteResult r = RemoteTestSupport.run(aws, props, project, "migrate", out);
        assertFalse(r.succeeded(), out.text());
        assertEquals(before, SchemaDump.of(url), "nothing changed on the database");
        assertNoSecrets(out.text() + r.failureMessage() + Files.readString(project.resolve("target/dbdeploy/summary.json")));
        return r;
    }

    static void assertNoSecrets(String text) {
        assertFalse(text.contains(DB_PASSWORD), "the database password leaked");
        assertFalse(text.contains(S3Server.SECRET_KEY), "CI's AWS secret leaked");
        assertFalse(text.contains(FakeAws.HOST_SECRET_KEY), "the host's AWS secret leaked");
    }

    static void put(String key, byte[] bytes) {
        aws.s3().store().putBlob(PutObjectRequest.builder().bucket(FakeAws.BUCKET).key(key).contentLength((long) bytes.length)
                .build(), new ByteArrayInputStream(bytes));
    }

    /** Changes the object at {@code key} (same size, other bytes) once the command is sent, before a host downloads it. */
    static void tamperAfterUpload(String key) {
        aws.ssm().onSendCommand(id -> {
            byte[] bytes = read(key);
            bytes[bytes.length / 2] ^= 0x55;
            put(key, bytes);
        });
    }

    static byte[] read(String key) {
        try (java.io.InputStream in = aws.s3().store().getBlob(FakeAws.BUCKET, key)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aBundleChangedInS3AfterUploadIsRefusedOnTheHostBeforeAnythingRuns(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String key = "dbdeploy/bundles/" + Packager.bundle(changelog, null, project, "0.1.0-test",
                project.resolve("target/dbdeploy")).sha256() + ".tar.gz";
        String url = TestDatabases.newDatabase("tamper_b");
        tamperAfterUpload(key);
        try {
            RemoteResult r = failedRun(props(url, changelog, HOST), project, url, new RemoteTestSupport.Lines());
            HostResult host = r.hosts().get(0);
            assertEquals(14, host.responseCode());
            assertTrue(host.error().contains("the bundle from s3://deployments/" + key + " has SHA-256"), host.error());
            assertTrue(host.error().contains("Nothing was run. Delete s3://deployments/" + key), host.error());
        } finally {
            aws.ssm().onSendCommand(id -> { });
        }
    }

    @Test
    void aRunnerJarChangedInS3AfterUploadIsRefusedOnTheHost(@TempDir Path project) throws Exception {
        String fresh = "i-0bbbbbbbbbbbbbbb2"; // no runner cached yet, so it downloads
        aws.ssm().addHost(fresh);
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        RunnerJar runner = RemoteTestSupport.runner(aws.root());
        String key = "dbdeploy/runners/" + runner.sha256() + ".jar";
        String url = TestDatabases.newDatabase("runner_tamper");
        tamperAfterUpload(key);
        try {
            RemoteResult r = failedRun(props(url, changelog, fresh), project, url, new RemoteTestSupport.Lines());
            HostResult host = r.hosts().get(0);
            assertEquals(14, host.responseCode());
            assertTrue(host.error().contains("the runner jar from s3://deployments/" + key + " has SHA-256"), host.error());
            assertFalse(Files.exists(aws.ssm().hostDirectory(fresh).resolve("runners/dbdeploy-runner-" + runner.sha256() + ".jar")),
                    "a runner that failed its check is not kept");
        } finally {
            aws.ssm().onSendCommand(id -> { });
        }
    }

    @Test
    void aDamagedObjectInS3IsReplacedBeforeTheHostsDownloadIt(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
        String first = TestDatabases.newDatabase("damaged_a");
        assertTrue(RemoteTestSupport.run(aws, props(first, changelog, HOST), project, "migrate", out).succeeded(), out.text());
        Path bundleFile = project.resolve("target/dbdeploy/" + Packager.BUNDLE_FILE);
        String key = "dbdeploy/bundles/" + ChangelogSha.of(bundleFile) + ".tar.gz";
        byte[] original = Files.readAllBytes(bundleFile);
        byte[] damaged = original.clone();
        damaged[damaged.length / 2] ^= 0x55; // same size: a size check cannot tell
        put(key, damaged);

        String url = TestDatabases.newDatabase("damaged_b");
        RemoteResult r = RemoteTestSupport.run(aws, props(url, changelog, HOST), project, "migrate", out);

        assertTrue(r.succeeded(), out.text());
        assertTrue(r.bundleUploaded(), "the damaged bundle was uploaded again");
        assertTrue(out.text().contains("Replaced (the object there had other bytes: damaged or overwritten) bundle s3://"
                + FakeAws.BUCKET + "/" + key), out.text());
        assertTrue(java.util.Arrays.equals(original, read(key)), "S3 holds the right bytes again");
        assertTrue(SchemaDump.of(url).contains("customer"));
    }

    @Test
    void anUnknownInstanceIdIsRefusedBySsm(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("unknown_instance");
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
        DbdeployException e = assertThrows(DbdeployException.class, () ->
                RemoteTestSupport.run(aws, props(url, changelog, "i-0ffffffffffffffff"), project, "migrate", out));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("SSM cannot run the command on i-0ffffffffffffffff"), e.getMessage());
        assertTrue(e.getMessage().contains("describe-instance-information"), e.getMessage());
        assertTrue(SchemaDump.of(url).isBlank() || !SchemaDump.of(url).contains("customer"));
    }

    @Test
    void anInstanceThatNeverPicksTheCommandUpEndsInDeliveryTimedOut(@TempDir Path project) throws Exception {
        String offline = "i-0ccccccccccccccc3";
        aws.ssm().addHost(offline).behaviour(FakeHost.Behaviour.NEVER_PICKS_UP);
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("offline");
        Map<String, String> props = props(url, changelog, offline);
        props.put("dbdeploy.ssm.deliveryTimeoutSeconds", "30"); // SSM's minimum, passed 15 times faster by the fake
        aws.ssm().deliveryClockSpeed = 15;
        RemoteResult r;
        try {
            r = failedRun(props, project, url, new RemoteTestSupport.Lines());
        } finally {
            aws.ssm().deliveryClockSpeed = 1;
        }
        HostResult host = r.hosts().get(0);
        assertEquals("TimedOut", host.ssmStatus());
        assertEquals("DeliveryTimedOut", host.ssmStatusDetails());
        assertTrue(host.error().contains("never picked the command up"), host.error());
        assertTrue(r.failureMessage().contains("[" + offline + "] SSM status TimedOut (DeliveryTimedOut)"), r.failureMessage());
    }

    @Test
    void aCommandThatRunsPastItsExecutionTimeoutIsStoppedAndChangesNothing(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db"))
                .add("001-slow", "create table slow_one (id int);\nselect pg_sleep(20);", "drop table slow_one;").write();
        String url = TestDatabases.newDatabase("exec_timeout");
        Map<String, String> props = props(url, changelog, HOST);
        props.put("dbdeploy.ssm.executionTimeoutSeconds", "4");
        RemoteResult r = failedRun(props, project, url, new RemoteTestSupport.Lines());
        HostResult host = r.hosts().get(0);
        assertEquals("TimedOut", host.ssmStatus());
        assertEquals("ExecutionTimedOut", host.ssmStatusDetails());
        assertTrue(r.failureMessage().contains("ExecutionTimedOut"), r.failureMessage());
        assertFalse(SchemaDump.of(url).contains("slow_one"));
    }

    @Test
    void s3AccessDeniedStopsBeforeAnythingIsSent(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("s3_denied");
        int sent = aws.ssm().requests("SendCommand").size();
        RemoteTestSupport.runner(aws.root());
        System.setProperty("aws.secretAccessKey", "not-the-right-secret");
        try {
            DbdeployException e = assertThrows(DbdeployException.class, () ->
                    RemoteSettingsRun.run(aws, props(url, changelog, HOST), project));
            assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().startsWith("S3 denied access (HTTP 403) when trying to check for s3://deployments/dbdeploy/runners/"), e.getMessage());
            assertTrue(e.getMessage().contains("s3:PutObject"), e.getMessage());
            assertTrue(e.getMessage().contains("Nothing was sent to the hosts."), e.getMessage());
            assertFalse(e.getMessage().contains("not-the-right-secret"));
        } finally {
            FakeAws.ciCredentials().forEach(System::setProperty);
        }
        assertEquals(sent, aws.ssm().requests("SendCommand").size(), "no command was sent");
    }

    @Test
    void aMissingBucketStopsBeforeAnythingIsSent(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("no_bucket");
        int sent = aws.ssm().requests("SendCommand").size();
        Map<String, String> props = props(url, changelog, HOST);
        props.put("dbdeploy.s3.bucket", "no-such-bucket");
        DbdeployException e = assertThrows(DbdeployException.class, () -> RemoteSettingsRun.run(aws, props, project));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().startsWith("S3 bucket no-such-bucket does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("set dbdeploy.s3.bucket to an existing bucket"), e.getMessage());
        assertEquals(sent, aws.ssm().requests("SendCommand").size(), "no command was sent");
    }

    @Test
    void aBucketInAnotherRegionStopsBeforeAnythingIsUploaded(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("other_region");
        int sent = aws.ssm().requests("SendCommand").size();
        Map<String, String> props = props(url, changelog, HOST);
        props.put("dbdeploy.aws.region", "eu-west-1");
        props.put("dbdeploy.s3.prefix", "region-check");
        DbdeployException e = assertThrows(DbdeployException.class, () -> RemoteSettingsRun.run(aws, props, project));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().startsWith("S3 bucket deployments is in region us-east-1, but dbdeploy.aws.region is"
                + " eu-west-1. Set dbdeploy.aws.region=us-east-1"), e.getMessage());
        assertFalse(aws.s3().store().list(FakeAws.BUCKET).contents().stream().anyMatch(o -> o.key().startsWith("region-check/")),
                "nothing was uploaded");
        assertEquals(sent, aws.ssm().requests("SendCommand").size(), "no command was sent");
    }

    @Test
    void aMissingParameterFailsOnTheHostWithItsName(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("param_missing");
        Map<String, String> props = props(url, changelog, HOST);
        props.put("dbdeploy.password", "ssm:/app/prod/nope");
        RemoteResult r = failedRun(props, project, url, new RemoteTestSupport.Lines());
        HostResult host = r.hosts().get(0);
        assertEquals(2, host.responseCode());
        assertTrue(host.error().contains("Parameter Store has no parameter /app/prod/nope"), host.error());
        assertTrue(host.error().contains("put-parameter --type SecureString --name /app/prod/nope"), host.error());
        assertEquals("failed", TestJson.parseObject(Files.readString(project.resolve("target/dbdeploy/summary.json")))
                .get("status"));
    }

    @Test
    void aParameterTheHostCannotDecryptFailsWithTheKmsReason(@TempDir Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("param_kms");
        Map<String, String> props = props(url, changelog, HOST);
        props.put("dbdeploy.password", "ssm:/app/prod/kms-denied");
        RemoteResult r = failedRun(props, project, url, new RemoteTestSupport.Lines());
        HostResult host = r.hosts().get(0);
        assertEquals(3, host.responseCode());
        assertTrue(host.error().contains("Cannot read Parameter Store parameter /app/prod/kms-denied (AccessDeniedException)"),
                host.error());
        assertTrue(host.error().contains("kms:Decrypt"), host.error());
    }

    @Test
    void aHostWithoutJavaSaysSoInsteadOfAStackTrace(@TempDir Path project) throws Exception {
        String noJava = "i-0ddddddddddddddd4";
        aws.ssm().addHost(noJava).behaviour(FakeHost.Behaviour.NO_JAVA);
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("no_java");
        RemoteResult r = failedRun(props(url, changelog, noJava), project, url, new RemoteTestSupport.Lines());
        HostResult host = r.hosts().get(0);
        assertEquals(11, host.responseCode());
        assertTrue(host.error().contains("Java 17 or newer is required on this host and none was found"), host.error());
        assertTrue(host.error().contains("java-17-amazon-corretto-headless"), host.error());
        assertFalse(host.stderr().contains("Exception"), host.stderr());
    }

    @Test
    void aCommandSsmNeverFinishesIsCancelledWhenTheWaitRunsOut(@TempDir Path project) throws Exception {
        String stuck = "i-0eeeeeeeeeeeeeee5";
        aws.ssm().addHost(stuck).behaviour(FakeHost.Behaviour.AGENT_STUCK);
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        Map<String, String> props = props(TestDatabases.newDatabase("stuck"), changelog, stuck);
        props.put("dbdeploy.ssm.executionTimeoutSeconds", "1");
        RemoteSettings settings = RemoteSettings.from(props, project);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
        try (AwsClients clients = AwsClients.create(settings)) {
            SsmCommand ssm = new SsmCommand(clients.ssm(), null, settings, out, java.time.Duration.ofSeconds(3));
            String id = ssm.send(java.util.List.of("echo never reported"), "stuck");
            DbdeployException e = assertThrows(DbdeployException.class, () -> ssm.await(id));
            assertEquals(DbdeployException.Kind.RUNTIME, e.kind());
            assertTrue(e.getMessage().startsWith("Gave up waiting for SSM command " + id), e.getMessage());
            assertTrue(e.getMessage().contains("it was cancelled, so hosts that had not finished stop. Hosts still running: "
                            + stuck + " (InProgress)"),
                    e.getMessage());
            assertTrue(aws.ssm().requests("CancelCommand").stream().anyMatch(r -> r.body().contains(id)));
        }
    }

    /** Runs without catching, for the faults found before SendCommand. */
    static final class RemoteSettingsRun {
        static RemoteResult run(FakeAws aws, Map<String, String> props, Path project) {
            return RemoteTestSupport.run(aws, props, project, "migrate", new RemoteTestSupport.Lines());
        }
    }

    /** SHA-256 of a file, as the bundle's S3 key uses it. */
    static final class ChangelogSha {
        static String of(Path file) {
            return io.github.dbdeploy.engine.ChangelogFingerprint.sha256(file);
        }
    }
}
