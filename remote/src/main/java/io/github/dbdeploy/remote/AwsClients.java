package io.github.dbdeploy.remote;

import java.time.Instant;
import java.util.Optional;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * The AWS clients of one remote run, built from {@code dbdeploy.aws.region}, {@code dbdeploy.aws.profile} and the
 * endpoint overrides; anything not set is left to the SDK's default chains (environment, profile, instance role).
 */
public final class AwsClients implements AutoCloseable {
    private final S3Client s3;
    private final S3Presigner presigner;
    private final SsmClient ssm;
    private final AwsCredentialsProvider credentials;

    private AwsClients(S3Client s3, S3Presigner presigner, SsmClient ssm, AwsCredentialsProvider credentials) {
        this.s3 = s3;
        this.presigner = presigner;
        this.ssm = ssm;
        this.credentials = credentials;
    }

    public static AwsClients create(RemoteSettings settings) {
        AwsCredentialsProvider credentials = settings.profile() != null
                ? ProfileCredentialsProvider.create(settings.profile())
                : DefaultCredentialsProvider.builder().build();
        try {
            S3ClientBuilder s3 = S3Client.builder().credentialsProvider(credentials);
            S3Presigner.Builder presigner = S3Presigner.builder().credentialsProvider(credentials);
            SsmClientBuilder ssm = SsmClient.builder().credentialsProvider(credentials);
            if (settings.region() != null) {
                Region region = Region.of(settings.region());
                s3.region(region);
                presigner.region(region);
                ssm.region(region);
            }
            if (settings.s3Endpoint() != null) {
                // S3-compatible stores and test servers rarely resolve bucket subdomains.
                s3.endpointOverride(settings.s3Endpoint()).forcePathStyle(true);
                presigner.endpointOverride(settings.s3Endpoint())
                        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
            }
            if (settings.ssmEndpoint() != null) {
                ssm.endpointOverride(settings.ssmEndpoint());
            }
            return new AwsClients(s3.build(), presigner.build(), ssm.build(), credentials);
        } catch (SdkClientException e) {
            throw DbdeployException.configuration("Cannot set up the AWS clients: " + e.getMessage()
                    + "\nSet " + PropertyNames.AWS_REGION + " (or AWS_REGION) and AWS credentials (the default chain:"
                    + " environment, ~/.aws, or " + PropertyNames.AWS_PROFILE + ").");
        }
    }

    public S3Client s3() {
        return s3;
    }

    public S3Presigner presigner() {
        return presigner;
    }

    public SsmClient ssm() {
        return ssm;
    }

    /**
     * When this build signs with temporary credentials (an assumed role, OIDC, an instance profile): when they expire.
     * Empty for long-term keys, and when the credentials cannot be resolved (the first AWS call then says why).
     */
    public Optional<Instant> sessionExpiry() {
        try {
            return expiry(credentials.resolveCredentials());
        } catch (SdkClientException e) {
            return Optional.empty();
        }
    }

    /** Credentials that say when they expire are temporary, whether or not they carry a session token. */
    static Optional<Instant> expiry(AwsCredentials credentials) {
        return credentials.expirationTime();
    }

    @Override
    public void close() {
        s3.close();
        presigner.close();
        ssm.close();
    }
}
