package io.github.dbdeploy.remote.testing;

import java.net.URI;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 HTTP API in-process (S3Proxy over an in-memory store) with AWS signature checks switched on, so wrong
 * credentials are refused as S3 refuses them and presigned URLs are really verified.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIADBDEPLOYTEST0001";
    public static final String SECRET_KEY = "ci-secret-key-that-must-never-leak-0001";

    private final S3Proxy proxy;
    private final BlobStore store;

    public S3Server() {
        try {
            store = new TransientNio2BlobStore();
            proxy = S3Proxy.builder()
                    .blobStore(store)
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .build();
            proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start S3Proxy", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** The store behind the API, to create buckets and to tamper with objects behind the client's back. */
    public BlobStore store() {
        return store;
    }

    public void createBucket(String bucket) {
        store.createContainer(bucket);
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception ignored) {
            // test teardown
        }
    }
}
