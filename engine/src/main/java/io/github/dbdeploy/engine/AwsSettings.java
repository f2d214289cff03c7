package io.github.dbdeploy.engine;

import java.net.URI;

/**
 * Optional overrides of the AWS SDK's default chains ({@code dbdeploy.aws.region}, {@code dbdeploy.aws.profile},
 * {@code dbdeploy.ssm.endpoint}); null fields leave the default chain in charge.
 */
public record AwsSettings(String region, String profile, URI ssmEndpoint) {
    public static final AwsSettings DEFAULTS = new AwsSettings(null, null, null);
}
