package io.github.dbdeploy.remote.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * AWS for tests, in-process: S3 (S3Proxy, real S3 API with signature checks) and SSM ({@link FakeSsm}, real JSON
 * protocol, executing commands on {@link FakeHost}s against whatever database their settings name). Also gives the
 * {@code dbdeploy.*} properties that point a remote run at it, and the system properties a CI process needs.
 */
public final class FakeAws implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String BUCKET = "deployments";
    /** The hosts' role: what an EC2 instance profile would give them. Distinct from CI's keys. */
    public static final String HOST_ACCESS_KEY = "AKIAHOSTROLE00000001";
    public static final String HOST_SECRET_KEY = "host-role-secret-that-must-never-leak";

    private final S3Server s3;
    private final FakeSsm ssm;
    private final Path root;

    public FakeAws(Path root) {
        this.root = root;
        this.s3 = new S3Server();
        this.ssm = new FakeSsm(root);
        s3.createBucket(BUCKET);
        Map<String, String> env = ssm.hostEnvironment();
        env.put("AWS_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", HOST_ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", HOST_SECRET_KEY);
        env.put("AWS_ENDPOINT_URL_SSM", ssm.endpoint().toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        ssm.outputWriter((bucketAndKey, files) -> {
            int slash = bucketAndKey.indexOf('/');
            String bucket = bucketAndKey.substring(0, slash);
            String prefix = bucketAndKey.substring(slash + 1);
            files.forEach((name, file) -> {
                try (InputStream in = Files.newInputStream(file)) {
                    s3.store().putBlob(PutObjectRequest.builder().bucket(bucket).key(prefix + name)
                            .contentLength(Files.size(file)).build(), in);
                } catch (IOException | RuntimeException e) {
                    // SSM does not fail a command whose output cannot be stored
                }
            });
        });
    }

    public S3Server s3() {
        return s3;
    }

    public FakeSsm ssm() {
        return ssm;
    }

    public Path root() {
        return root;
    }

    /** The dbdeploy.* settings of an environment that deploys through this AWS. */
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dbdeploy.target", "ssm");
        p.put("dbdeploy.aws.region", REGION);
        p.put("dbdeploy.s3.bucket", BUCKET);
        p.put("dbdeploy.s3.endpoint", s3.endpoint().toString());
        p.put("dbdeploy.ssm.endpoint", ssm.endpoint().toString());
        p.put("dbdeploy.ssm.pollMillis", "100");
        return p;
    }

    /** System properties that give a CI process (this JVM or a forked Maven) the CI role's credentials. */
    public static Map<String, String> ciCredentials() {
        return Map.of("aws.accessKeyId", S3Server.ACCESS_KEY, "aws.secretAccessKey", S3Server.SECRET_KEY,
                "aws.region", REGION);
    }

    @Override
    public void close() {
        ssm.close();
        s3.close();
    }
}
