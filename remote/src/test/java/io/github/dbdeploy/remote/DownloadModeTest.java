package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import io.github.dbdeploy.remote.testing.S3Server;
import io.github.dbdeploy.remote.testing.SampleChangelog;

/**
 * {@code dbdeploy.ssm.download}: presigned URLs (the default), with a warning at send time when they are signed with
 * temporary credentials that expire, and {@code host-role}, where the host downloads with its own credentials through
 * the AWS CLI.
 *
 * <p>The hosts' AWS CLI here is a stand-in: a shell script that answers {@code aws s3 cp} by fetching the object from
 * S3Proxy over the S3 HTTP API, signed with AWS Signature V4 by curl ({@code --aws-sigv4}) with the credentials in the
 * host's environment, as the CLI signs with the instance role's. S3Proxy knows one identity, so the host uses the same
 * keys as CI here.
 */
class DownloadModeTest {
    /** The SHA-256 of an empty body: what a GET declares in x-amz-content-sha256, which S3 requires with SigV4. */
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    @TempDir
    static Path tmp;
    static FakeAws aws;

    @BeforeAll
    static void start() {
        aws = new FakeAws(tmp.resolve("aws"));
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    static Map<String, String> props(String url, Path changelog, String instance) {
        Map<String, String> p = aws.properties();
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.url", url);
        p.put("dbdeploy.changelog", changelog.toString());
        p.put("dbdeploy.ssm.instanceIds", instance);
        return p;
    }

    /** Puts the stand-in {@code aws} first on the host's PATH; it logs each call to {@code aws-cli.log}. */
    static Path installAwsCli(FakeHost host) throws Exception {
        Path bin = Files.createDirectories(host.directory().resolve("aws-cli/bin"));
        Path log = host.directory().resolve("aws-cli.log");
        Path aws = bin.resolve("aws");
        Files.writeString(aws, String.join("\n",
                "#!/bin/sh",
                "# Stand-in for the AWS CLI's 's3 cp': a real GET over S3's HTTP API, SigV4-signed with this host's keys.",
                "echo \"$*\" >> '" + log + "'",
                "[ \"$1 $2\" = 's3 cp' ] || { echo \"aws: this stand-in knows only s3 cp\" >&2; exit 2; }",
                "shift 2",
                "region=; endpoint=; src=; dst=",
                "while [ $# -gt 0 ]; do",
                "  case \"$1\" in",
                "    --region) region=$2; shift 2;;",
                "    --endpoint-url) endpoint=$2; shift 2;;",
                "    --only-show-errors) shift;;",
                "    -*) echo \"aws: unknown option $1\" >&2; exit 2;;",
                "    *) if [ -z \"$src\" ]; then src=$1; else dst=$1; fi; shift;;",
                "  esac",
                "done",
                "code=$(curl -sS -w '%{http_code}' --aws-sigv4 \"aws:amz:$region:s3\""
                        + " --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" -H 'x-amz-content-sha256: " + EMPTY_SHA256 + "'"
                        + " -o \"$dst\" \"${endpoint:-https://s3.$region.amazonaws.com}/${src#s3://}\") || exit 1",
                // As the CLI does: S3's error message on stderr, and no file left behind.
                "[ \"$code\" = 200 ] || { echo \"download failed: HTTP $code: $(cat \"$dst\")\" >&2; rm -f \"$dst\"; exit 1; }",
                ""));
        Files.setPosixFilePermissions(aws, PosixFilePermissions.fromString("rwxr-xr-x"));
        host.env("PATH", bin + ":" + Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin");
        host.env("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);
        host.env("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
        return log;
    }

    @Test
    void hostRoleDownloadsWithTheHostsOwnCredentialsAndPutsNoUrlInTheCommand(@TempDir Path project) throws Exception {
        FakeHost host = aws.ssm().addHost("i-0a1000000000000001");
        Path log = installAwsCli(host);
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("host_role");
        Map<String, String> props = props(url, changelog, host.instanceId());
        props.put("dbdeploy.ssm.download", "host-role");
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult r = RemoteTestSupport.run(aws, props, project, "migrate", out);

        assertTrue(r.succeeded(), out.text());
        assertTrue(SchemaDump.of(url).contains("customer_name"));
        List<String> calls = Files.readAllLines(log);
        assertEquals(2, calls.size(), "runner and bundle: " + calls);
        String endpoint = aws.s3().endpoint().toString();
        assertTrue(calls.get(0).matches("s3 cp --only-show-errors --region us-east-1 --endpoint-url " + endpoint
                + " s3://deployments/dbdeploy/runners/[0-9a-f]{64}\\.jar .*/runner\\.jar"), calls.get(0));
        assertTrue(calls.get(1).matches("s3 cp --only-show-errors --region us-east-1 --endpoint-url " + endpoint
                + " s3://deployments/dbdeploy/bundles/[0-9a-f]{64}\\.tar\\.gz .*/bundle\\.tar\\.gz"), calls.get(1));
        String script = aws.ssm().sentScripts().get(aws.ssm().sentScripts().size() - 1);
        assertFalse(script.contains("X-Amz-Signature"), "no presigned URL travels in the command");
        assertFalse(out.text().contains("temporary AWS credentials"), out.text());
    }

    @Test
    void hostRoleOnAHostWithoutTheAwsCliSaysWhatToDo(@TempDir Path project) throws Exception {
        FakeHost host = aws.ssm().addHost("i-0a1000000000000002"); // the default PATH of the fake hosts has no aws
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("host_role_no_cli");
        Map<String, String> props = props(url, changelog, host.instanceId());
        props.put("dbdeploy.ssm.download", "host-role");
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();

        RemoteResult r = RemoteTestSupport.run(aws, props, project, "migrate", out);

        assertFalse(r.succeeded());
        HostResult h = r.hosts().get(0);
        assertEquals(10, h.responseCode());
        assertTrue(h.error().contains("dbdeploy.ssm.download=host-role downloads with the AWS CLI and this host has none"),
                h.error());
        assertTrue(h.error().contains("or set dbdeploy.ssm.download=presigned. Nothing was changed."), h.error());
        assertFalse(SchemaDump.of(url).contains("customer"));
    }

    /**
     * CI's session credentials from a credential_process (as an assumed role or OIDC gives them), resolved by the SDK's
     * own profile provider: their expiry is found, and the send-time warning names it. (S3Proxy answers 501 to the
     * session token header, so a whole deploy with session credentials cannot run against it.)
     */
    @Test
    void temporaryCredentialsAreFoundWithTheirExpiryAndAnnouncedAtSendTime(@TempDir Path project) throws Exception {
        Instant expiry = Instant.now().plus(40, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        Path process = Files.writeString(project.resolve("credentials.sh"), "#!/bin/sh\necho '{\"Version\": 1,"
                + " \"AccessKeyId\": \"ASIATEMPORARY0000001\", \"SecretAccessKey\": \"temporary-secret\","
                + " \"SessionToken\": \"session-token-from-sts\", \"Expiration\": \"" + expiry + "\"}'\n");
        Files.setPosixFilePermissions(process, PosixFilePermissions.fromString("rwx------"));
        Path config = Files.writeString(project.resolve("aws-config"),
                "[profile ci-session]\ncredential_process = " + process + "\n");
        Path credentials = Files.writeString(project.resolve("aws-credentials"), "");
        Map<String, String> props = props("jdbc:postgresql://localhost/app", project.resolve("changelog.xml"), "i-0");
        System.setProperty("aws.configFile", config.toString());
        System.setProperty("aws.sharedCredentialsFile", credentials.toString());
        try {
            props.put("dbdeploy.aws.profile", "ci-session");
            try (AwsClients clients = AwsClients.create(RemoteSettings.from(props, project))) {
                assertEquals(java.util.Optional.of(expiry), clients.sessionExpiry());
            }
        } finally {
            System.clearProperty("aws.configFile");
            System.clearProperty("aws.sharedCredentialsFile");
        }
        props.remove("dbdeploy.aws.profile");
        RemoteTestSupport.runner(tmp); // long-term keys in this JVM's system properties: nothing expires
        try (AwsClients clients = AwsClients.create(RemoteSettings.from(props, project))) {
            assertEquals(java.util.Optional.empty(), clients.sessionExpiry());
        }

        Instant now = expiry.minus(40, ChronoUnit.MINUTES);
        assertEquals("This build signs the hosts' download URLs with temporary AWS credentials that expire at " + expiry
                + " (in 40 min), before the URLs' own 60 min. A host that starts downloading after then fails with HTTP"
                + " 403, so later batches of a fleet (dbdeploy.ssm.maxConcurrency=10) may fail. Set"
                + " dbdeploy.ssm.download=host-role to let the hosts download with their own instance role (needs the"
                + " AWS CLI on the hosts and s3:GetObject on the bucket for their role).",
                RemoteDeploy.sessionWarning(expiry, now, java.time.Duration.ofMinutes(60), "10"));
        assertTrue(RemoteDeploy.sessionWarning(expiry, now, java.time.Duration.ofMinutes(25), "10")
                .contains("(in 40 min). A host that starts downloading after then fails"), "no claim the URLs outlive it");
    }
}
