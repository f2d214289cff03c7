package io.github.dbdeploy.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * Content-addressed objects in the deployment bucket: a file is stored under its SHA-256 and uploaded only when no
 * object with exactly those bytes is there, so a repeat deploy uploads nothing and a damaged or replaced object is
 * uploaded anew. An object is trusted by S3's own SHA-256 checksum when the store keeps one (dbdeploy uploads with
 * {@code x-amz-checksum-sha256}, which S3 verifies on receipt), else by downloading and hashing it. The host checks
 * the SHA-256 again after its download, before anything runs.
 */
public final class S3Store {
    static final String SHA256_METADATA = "sha256";

    /** What {@link #ensureUploaded} found and did. */
    public enum Upload {
        /** An object with the same SHA-256 was there: nothing was uploaded. */
        PRESENT,
        /** No object was there: uploaded. */
        UPLOADED,
        /** An object was there with other bytes (damaged, or overwritten): replaced with the right ones. */
        REPLACED;

        public boolean uploaded() {
            return this != PRESENT;
        }
    }

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

    /**
     * Checks, before anything is uploaded, that the bucket is in the region the clients use (a bucket elsewhere makes
     * every later call fail with a redirect, and the host's download with it).
     *
     * @param configuredRegion dbdeploy.aws.region, or null when the SDK's default region applies
     * @return a warning when the region could not be checked (no s3:GetBucketLocation), else null
     */
    public String checkRegion(String configuredRegion) {
        String expected = s3.serviceClientConfiguration().region().id();
        String actual;
        try {
            String constraint = s3.getBucketLocation(r -> r.bucket(bucket)).locationConstraintAsString();
            // S3 answers nothing for us-east-1 and the legacy "EU" for eu-west-1.
            actual = constraint == null || constraint.isEmpty() ? "us-east-1" : "EU".equals(constraint) ? "eu-west-1" : constraint;
        } catch (S3Exception e) {
            String redirected = e.awsErrorDetails() == null ? null : e.awsErrorDetails().sdkHttpResponse()
                    .firstMatchingHeader("x-amz-bucket-region").orElse(null);
            if (redirected != null) {
                actual = redirected;
            } else if (e.statusCode() == 403) {
                return "Cannot check that S3 bucket " + bucket + " is in region " + expected + ": S3 denied"
                        + " GetBucketLocation (" + (code(e) == null ? "HTTP 403" : code(e)) + "). Give the role this build"
                        + " runs with s3:GetBucketLocation on the bucket, so a wrong " + PropertyNames.AWS_REGION
                        + " is caught before anything is uploaded.";
            } else {
                throw describe(e, "find the region of", "");
            }
        } catch (SdkClientException e) {
            throw unreachable(e);
        }
        if (!actual.equals(expected)) {
            throw DbdeployException.configuration("S3 bucket " + bucket + " is in region " + actual + ", but "
                    + (configuredRegion != null ? PropertyNames.AWS_REGION + " is " + configuredRegion
                        : PropertyNames.AWS_REGION + " is not set and the AWS SDK's default region is " + expected)
                    + ". Set " + PropertyNames.AWS_REGION + "=" + actual + " (the hosts must be in that region too), or set "
                    + PropertyNames.S3_BUCKET + " to a bucket in " + expected + ". Nothing was uploaded or sent to the hosts.");
        }
        return null;
    }

    /** Uploads {@code file} as {@code key} unless an object with the same SHA-256 is there already. */
    public Upload ensureUploaded(Path file, String key, String sha256, long size) {
        Upload outcome;
        try {
            HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            outcome = sameBytes(head, key, sha256, size) ? Upload.PRESENT : Upload.REPLACED;
        } catch (NoSuchKeyException e) {
            outcome = Upload.UPLOADED;
        } catch (S3Exception e) {
            if (e.statusCode() != 404 || "NoSuchBucket".equals(code(e))) {
                throw describe(e, "check for", key);
            }
            // HEAD answers 404 without a body, so a missing bucket only shows on the PUT below
            outcome = Upload.UPLOADED;
        } catch (SdkClientException e) {
            throw unreachable(e);
        }
        if (outcome == Upload.PRESENT) {
            return outcome;
        }
        try {
            // S3 verifies the checksum on receipt and keeps it, so the next deploy can trust the object without a download.
            s3.putObject(r -> r.bucket(bucket).key(key).contentLength(size).checksumSHA256(base64(sha256))
                    .metadata(Map.of(SHA256_METADATA, sha256)), RequestBody.fromFile(file));
            return outcome;
        } catch (S3Exception e) {
            throw describe(e, "upload", key);
        } catch (SdkClientException e) {
            throw unreachable(e);
        }
    }

    private boolean sameBytes(HeadObjectResponse head, String key, String sha256, long size) {
        if (head.contentLength() == null || head.contentLength() != size) {
            return false;
        }
        String native256 = head.checksumSHA256();
        // A multipart upload's checksum ("...-N") is over its parts, not the object: it cannot be compared.
        if (native256 != null && !native256.contains("-")) {
            return native256.equals(base64(sha256));
        }
        // The "sha256" metadata proves nothing: whoever replaces the object sets it too. Hash the bytes themselves.
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(key))) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest()).equals(sha256);
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot read s3://" + bucket + "/" + key + " to check its SHA-256: "
                    + e.getMessage() + ". Nothing was sent to the hosts.", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static String base64(String sha256Hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
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
