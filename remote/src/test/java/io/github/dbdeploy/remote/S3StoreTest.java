package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import io.github.dbdeploy.remote.testing.S3Server;

/**
 * The content-addressed store against S3Proxy (real S3 API): an object is trusted only when its bytes have the
 * expected SHA-256, by S3's own checksum when it keeps one and by downloading and hashing otherwise. Every S3 call the
 * store makes is recorded, to tell the two apart.
 */
class S3StoreTest {
    static final String BUCKET = "store-test";
    static S3Server server;
    static S3Client s3;
    static final List<String> operations = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        server = new S3Server();
        server.createBucket(BUCKET);
        s3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(server.endpoint()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                }))
                .build();
    }

    @AfterAll
    static void stop() {
        s3.close();
        server.close();
    }

    @BeforeEach
    void clear() {
        operations.clear();
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static byte[] object(String key) {
        return s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(key)).asByteArray();
    }

    /** Puts bytes behind the S3 API's back, as a damaged disk or a store without checksums would: no checksum kept. */
    static void putRaw(String key, byte[] bytes) {
        server.store().putBlob(PutObjectRequest.builder().bucket(BUCKET).key(key).contentLength((long) bytes.length)
                .build(), new ByteArrayInputStream(bytes));
    }

    @Test
    void anObjectWithS3sChecksumIsTrustedWithoutADownloadAndReplacedWhenTheChecksumDiffers(@TempDir Path tmp)
            throws Exception {
        byte[] bytes = randomBytes(10_000, 1);
        Path file = Files.write(tmp.resolve("bundle.tar.gz"), bytes);
        String sha = sha256(bytes);
        String key = "bundles/" + sha + ".tar.gz";
        S3Store store = new S3Store(s3, null, BUCKET);

        assertEquals(S3Store.Upload.UPLOADED, store.ensureUploaded(file, key, sha, bytes.length));
        assertEquals(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha)),
                s3.headObject(r -> r.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED)).checksumSHA256(),
                "S3 keeps the SHA-256 the upload declared");

        operations.clear();
        assertEquals(S3Store.Upload.PRESENT, store.ensureUploaded(file, key, sha, bytes.length));
        assertEquals(List.of("HeadObject"), operations, "trusted by S3's checksum: no download, no upload");

        // Overwritten through the API with other bytes of the same size (and S3's checksum of those bytes).
        byte[] other = randomBytes(10_000, 2);
        String otherChecksum = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256(other)));
        s3.putObject(r -> r.bucket(BUCKET).key(key).checksumSHA256(otherChecksum), RequestBody.fromBytes(other));
        operations.clear();
        assertEquals(S3Store.Upload.REPLACED, store.ensureUploaded(file, key, sha, bytes.length));
        assertEquals(List.of("HeadObject", "PutObject"), operations);
        assertArrayEquals(bytes, object(key));
    }

    @Test
    void anObjectWithoutAChecksumIsHashedAndADamagedOneReplaced(@TempDir Path tmp) throws Exception {
        byte[] bytes = randomBytes(10_000, 3);
        Path file = Files.write(tmp.resolve("runner.jar"), bytes);
        String sha = sha256(bytes);
        String key = "runners/" + sha + ".jar";
        S3Store store = new S3Store(s3, null, BUCKET);

        putRaw(key, bytes); // right bytes, no checksum (an older upload, or a store that keeps none)
        assertEquals(S3Store.Upload.PRESENT, store.ensureUploaded(file, key, sha, bytes.length));
        assertEquals(List.of("HeadObject", "GetObject"), operations, "downloaded and hashed, not uploaded");

        byte[] damaged = bytes.clone();
        damaged[5_000] ^= 0x01; // same size, one bit off
        putRaw(key, damaged);
        operations.clear();
        assertEquals(S3Store.Upload.REPLACED, store.ensureUploaded(file, key, sha, bytes.length));
        assertEquals(List.of("HeadObject", "GetObject", "PutObject"), operations);
        assertArrayEquals(bytes, object(key), "the damaged object was replaced");
    }

    @Test
    void aBucketInAnotherRegionIsRefusedBeforeAnythingIsUploaded() {
        try (S3Client elsewhere = S3Client.builder().region(Region.EU_WEST_1).endpointOverride(server.endpoint())
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY))).build()) {
            S3Store store = new S3Store(elsewhere, null, BUCKET);
            io.github.dbdeploy.engine.DbdeployException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.github.dbdeploy.engine.DbdeployException.class, () -> store.checkRegion("eu-west-1"));
            assertEquals("S3 bucket store-test is in region us-east-1, but dbdeploy.aws.region is eu-west-1. Set"
                    + " dbdeploy.aws.region=us-east-1 (the hosts must be in that region too), or set dbdeploy.s3.bucket"
                    + " to a bucket in eu-west-1. Nothing was uploaded or sent to the hosts.", e.getMessage());
        }
        assertTrue(new S3Store(s3, null, BUCKET).checkRegion(null) == null, "the same region passes");
    }
}
