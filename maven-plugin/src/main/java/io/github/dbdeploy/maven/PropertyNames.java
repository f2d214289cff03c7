package io.github.dbdeploy.maven;

/** Every user-facing property of the plugin, in one place. */
public final class PropertyNames {
    public static final String PREFIX = "dbdeploy.";
    public static final String ENV = "dbdeploy.env";
    public static final String SKIP = "dbdeploy.skip";
    public static final String TARGET = "dbdeploy.target";
    public static final String URL = "dbdeploy.url";
    public static final String USERNAME = "dbdeploy.username";
    public static final String PASSWORD = "dbdeploy.password";
    public static final String SERVER_ID = "dbdeploy.serverId";
    public static final String CHANGELOG = "dbdeploy.changelog";
    public static final String TAG = "dbdeploy.tag";
    public static final String LOCK_WAIT_SECONDS = "dbdeploy.lockWaitSeconds";
    public static final String ROLLBACK_ON_FAILURE = "dbdeploy.rollbackOnFailure";
    public static final String DRY_RUN = "dbdeploy.dryRun";
    public static final String CONTEXTS = "dbdeploy.contexts";
    public static final String LABELS = "dbdeploy.labels";
    public static final String ROLLBACK_TAG = "dbdeploy.rollbackTag";
    public static final String ROLLBACK_COUNT = "dbdeploy.rollbackCount";
    public static final String FAIL_ON_PENDING = "dbdeploy.failOnPending";
    public static final String AWS_REGION = "dbdeploy.aws.region";
    public static final String AWS_PROFILE = "dbdeploy.aws.profile";
    public static final String SSM_ENDPOINT = "dbdeploy.ssm.endpoint";

    /** The Maven profile id that selects an environment: {@code -Penv=prod}. */
    public static final String ENV_PROFILE_PREFIX = "env=";

    private PropertyNames() {
    }
}
