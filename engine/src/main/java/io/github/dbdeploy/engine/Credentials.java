package io.github.dbdeploy.engine;

import java.util.function.Function;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * Where a database password comes from. {@code dbdeploy.password} may hold
 * <ul>
 *   <li>{@code ssm:/path/name}: read from AWS Systems Manager Parameter Store (decrypted) with the SDK's default
 *       credential and region chains, so on a remote host it is read with the host's own role;</li>
 *   <li>{@code env:NAME}: read from that environment variable;</li>
 *   <li>anything else: the password itself.</li>
 * </ul>
 * With no password configured, {@code DBDEPLOY_PASSWORD} is used when set. The value only ever lives in a
 * {@link Secret}; no message here includes it.
 */
public final class Credentials {
    public static final String PASSWORD_ENV = "DBDEPLOY_PASSWORD";
    public static final String USERNAME_ENV = "DBDEPLOY_USERNAME";
    private static final String SSM_PREFIX = "ssm:";
    private static final String ENV_PREFIX = "env:";

    private Credentials() {
    }

    /** True for values that name where a secret is rather than being the secret. */
    public static boolean isReference(String configured) {
        return configured != null && (configured.startsWith(SSM_PREFIX) || configured.startsWith(ENV_PREFIX));
    }

    public static String username(String configured, Function<String, String> env) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return env.apply(USERNAME_ENV);
    }

    public static Secret password(String configured, Function<String, String> env, AwsSettings aws) {
        if (configured == null || configured.isEmpty()) {
            return Secret.of(env.apply(PASSWORD_ENV));
        }
        if (configured.startsWith(ENV_PREFIX)) {
            String name = configured.substring(ENV_PREFIX.length());
            String value = env.apply(name);
            if (value == null) {
                throw DbdeployException.configuration("dbdeploy.password refers to environment variable " + name
                        + ", which is not set. Export it, or point dbdeploy.password elsewhere.");
            }
            return Secret.of(value);
        }
        if (configured.startsWith(SSM_PREFIX)) {
            return Secret.of(readParameter(configured.substring(SSM_PREFIX.length()), aws));
        }
        return Secret.of(configured);
    }

    private static String readParameter(String name, AwsSettings aws) {
        if (!name.startsWith("/") && name.contains("/")) {
            throw DbdeployException.configuration("Parameter Store name '" + name + "' must start with '/' when it"
                    + " has a path, e.g. ssm:/myapp/prod/db-password");
        }
        SsmClientBuilder builder = SsmClient.builder();
        if (aws.region() != null) {
            builder.region(Region.of(aws.region()));
        }
        if (aws.profile() != null) {
            builder.credentialsProvider(ProfileCredentialsProvider.create(aws.profile()));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        if (aws.ssmEndpoint() != null) {
            builder.endpointOverride(aws.ssmEndpoint());
        }
        try (SsmClient ssm = builder.build()) {
            return ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
        } catch (ParameterNotFoundException e) {
            throw DbdeployException.configuration("Parameter Store has no parameter " + name + ". Create it (aws ssm"
                    + " put-parameter --type SecureString --name " + name + " ...) or fix dbdeploy.password.");
        } catch (SsmException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            // Like a database refusing the credentials: nothing ran (the CLI exits 3, not "a migration failed").
            throw DbdeployException.unavailable("Cannot read Parameter Store parameter " + name + " (" + code + "): "
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage())
                    + ". Check that this machine's AWS role may call ssm:GetParameter on it and kms:Decrypt its key.");
        } catch (SdkClientException e) {
            throw DbdeployException.unavailable("Cannot reach AWS Systems Manager to read " + name + ": " + e.getMessage()
                    + ". Set AWS credentials and region (or dbdeploy.aws.region / dbdeploy.aws.profile).");
        }
    }
}
