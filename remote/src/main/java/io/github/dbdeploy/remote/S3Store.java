package io.github.dbdeploy.remote;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * Content-addressed objects in the deployment bucket: a file is stored under its SHA-256 and uploaded only when
 * that key is missing, so a repeat deploy uploads nothing. The host downloads through presigned GET URLs, so it
 * needs only curl; an object changed in S3 after upload is caught by the host's SHA-256 check before anything runs.
 */
public final class S3Store {
    static final String SHA256_METADATA = "sha256";

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    public S3Store(S3Client s3, S3Presigner presigner, String bucket) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /** Uploads {@code file} as {@code key} unless an object of that size is there already; true if it uploaded. */
    public boolean ensureUploaded(Path file, String key, String sha256, long size) {
        try {
            HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key));
            if (head.contentLength() != null && head.contentLength() == size) {
                return false;
            }
        } catch (NoSuchKeyException e) {
            // not there yet
        } catch (S3Exception e) {
            if (e.statusCode() != 404 || "NoSuchBucket".equals(code(e))) {
                throw describe(e, "check for", key);
            }
            // HEAD answers 404 without a body, so a missing bucket only shows on the PUT below
        } catch (SdkClientException e) {
            throw unreachable(e);
        }
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentLength(size).metadata(Map.of(SHA256_METADATA, sha256)),
                    RequestBody.fromFile(file));
            return true;
        } catch (S3Exception e) {
            throw describe(e, "upload", key);
        } catch (SdkClientException e) {
            throw unreachable(e);
        }
    }

    /** A URL that lets the host GET {@code key} with plain curl until it expires; it grants nothing else. */
    public String presignedGet(String key, Duration validFor) {
        return presigner.presignGetObject(r -> r.signatureDuration(validFor)
                .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toString();
    }

    /** The text of an object, e.g. a host's full output written by SSM; null when it does not exist. */
    public String readText(String objectBucket, String key) {
        try {
            return s3.getObjectAsBytes(r -> r.bucket(objectBucket).key(key)).asString(StandardCharsets.UTF_8);
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            throw describe(e, "read", objectBucket, key);
        } catch (SdkClientException e) {
            throw unreachable(e);
        }
    }

    private DbdeployException describe(S3Exception e, String action, String key) {
        return describe(e, action, bucket, key);
    }

    static DbdeployException describe(S3Exception e, String action, String bucket, String key) {
        String code = code(e);
        String where = "s3://" + bucket + "/" + key;
        if ("NoSuchBucket".equals(code)) {
            return DbdeployException.configuration("S3 bucket " + bucket + " does not exist (cannot " + action + " "
                    + where + "). Create it, or set " + PropertyNames.S3_BUCKET + " to an existing bucket"
                    + " in the region of " + PropertyNames.AWS_REGION + ". Nothing was sent to the hosts.");
        }
        if (e.statusCode() == 403) {
            return DbdeployException.configuration("S3 denied access (" + (code == null ? "HTTP 403" : code)
                    + ") when trying to " + action + " " + where + ". Give the role this build runs with s3:GetObject,"
                    + " s3:PutObject and s3:ListBucket on bucket " + bucket + " (and check its credentials)."
                    + " Nothing was sent to the hosts.");
        }
        return DbdeployException.runtime("S3 refused to " + action + " " + where + ": " + (code == null ? "" : code + ": ")
                + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage())
                + " (HTTP " + e.statusCode() + "). Nothing was sent to the hosts.");
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static DbdeployException unreachable(SdkClientException e) {
        return DbdeployException.runtime("Cannot reach S3: " + e.getMessage() + "\nCheck the network, "
                + PropertyNames.AWS_REGION + " and " + PropertyNames.S3_ENDPOINT + ". Nothing was sent to the hosts.");
    }

    static boolean isMissingBucket(S3Exception e) {
        return e instanceof NoSuchBucketException || "NoSuchBucket".equals(code(e));
    }
}
