package io.github.dbdeploy.engine;

/**
 * Every user-facing {@code dbdeploy.*} property, in one place: read by the Maven goals, by remote execution and by
 * the runner on a host.
 */
public final class PropertyNames {
    public static final String PREFIX = "dbdeploy.";
    public static final String ENV = "dbdeploy.env";
    public static final String SKIP = "dbdeploy.skip";
    /** {@code local} (JDBC from this machine) or {@code ssm} (on hosts reached through AWS SSM Run Command). */
    public static final String TARGET = "dbdeploy.target";
    public static final String URL = "dbdeploy.url";
    public static final String USERNAME = "dbdeploy.username";
    public static final String PASSWORD = "dbdeploy.password";
    public static final String SERVER_ID = "dbdeploy.serverId";
    public static final String CHANGELOG = "dbdeploy.changelog";
    /**
     * For a directory changelog: {@code auto} (the default), {@code flyway}, {@code golang-migrate}, {@code dbmate},
     * {@code diesel}, {@code drizzle} or {@code sql} (see MigrationFormat).
     */
    public static final String FORMAT = "dbdeploy.format";
    public static final String TAG = "dbdeploy.tag";
    /**
     * adopt: the tool whose history table to read ({@code flyway}, {@code golang-migrate}, {@code dbmate},
     * {@code sql}, {@code diesel}, {@code drizzle}, {@code rails}, {@code knex}, {@code alembic}); found by itself when
     * only one is there.
     */
    public static final String ADOPT_FROM = "dbdeploy.adoptFrom";
    /** baseline (and adopt from a tool whose migrations are code): the last migration the database already has. */
    public static final String BASELINE_VERSION = "dbdeploy.baselineVersion";
    public static final String LOCK_WAIT_SECONDS = "dbdeploy.lockWaitSeconds";
    public static final String ROLLBACK_ON_FAILURE = "dbdeploy.rollbackOnFailure";
    public static final String DRY_RUN = "dbdeploy.dryRun";
    public static final String CONTEXTS = "dbdeploy.contexts";
    public static final String LABELS = "dbdeploy.labels";
    public static final String ROLLBACK_TAG = "dbdeploy.rollbackTag";
    public static final String ROLLBACK_COUNT = "dbdeploy.rollbackCount";
    public static final String FAIL_ON_PENDING = "dbdeploy.failOnPending";
    /** Who is recorded as having deployed; default {@code user@host} of the process that sends the deployment. */
    public static final String DEPLOYED_BY = "dbdeploy.deployedBy";
    /**
     * How long one statement of a changeset may wait for a table lock ({@code 500ms}, {@code 2s}; {@code 0} = no limit)
     * before the changeset is retried; default {@code 1s}.
     */
    public static final String LOCK_TIMEOUT = "dbdeploy.lockTimeout";
    /** How often a changeset that ran into {@link #LOCK_TIMEOUT} is retried; default 5, {@code 0} = never. */
    public static final String LOCK_RETRIES = "dbdeploy.lockRetries";
    /** The longest one statement of a changeset may run ({@code 30s}, {@code 10min}); default no limit. */
    public static final String STATEMENT_TIMEOUT = "dbdeploy.statementTimeout";
    /** A SQL file of post-deploy checks, run after the last changeset and before the deployment lock is released. */
    public static final String CHECKS = "dbdeploy.checks";
    /** {@code changeset} (the default: one transaction per changeset) or {@code deployment} (one for all of them). */
    public static final String TRANSACTION = "dbdeploy.transaction";

    /**
     * Where {@code rehearse} starts: unset means the changesets pending on the target (every changeset without
     * {@code dbdeploy.url}); a changeset id means that changeset and all after it; {@code all} means every changeset.
     */
    public static final String REHEARSE_FROM = "dbdeploy.rehearse.from";
    /** Comma list of the rehearsal checks that fail the build: rollback, reapply, breaking, locks, rewrites, dataLoss. */
    public static final String REHEARSE_FAIL_ON = "dbdeploy.rehearse.failOn";
    /** Major version of the rehearsal server when the target's cannot be read, e.g. {@code 16}. */
    public static final String REHEARSE_POSTGRES_VERSION = "dbdeploy.rehearse.postgresVersion";

    public static final String AWS_REGION = "dbdeploy.aws.region";
    public static final String AWS_PROFILE = "dbdeploy.aws.profile";

    /** Bucket that receives the bundle and the runner jar (content-addressed). Required with target ssm. */
    public static final String S3_BUCKET = "dbdeploy.s3.bucket";
    /** Key prefix in that bucket; default {@code dbdeploy}. */
    public static final String S3_PREFIX = "dbdeploy.s3.prefix";
    /** Endpoint override for S3 (tests, S3-compatible stores); path-style addressing is then used. */
    public static final String S3_ENDPOINT = "dbdeploy.s3.endpoint";

    /** Endpoint override for SSM (Run Command and Parameter Store), for tests and private endpoints. */
    public static final String SSM_ENDPOINT = "dbdeploy.ssm.endpoint";
    /** Comma-separated instance ids, e.g. {@code i-0abc,i-0def}. */
    public static final String SSM_INSTANCE_IDS = "dbdeploy.ssm.instanceIds";
    /** SSM Targets, e.g. {@code tag:Role=db} or {@code tag:Role=db;tag:Env=prod}; values may be comma-separated. */
    public static final String SSM_TARGETS = "dbdeploy.ssm.targets";
    public static final String SSM_EXECUTION_TIMEOUT_SECONDS = "dbdeploy.ssm.executionTimeoutSeconds";
    public static final String SSM_DELIVERY_TIMEOUT_SECONDS = "dbdeploy.ssm.deliveryTimeoutSeconds";
    public static final String SSM_MAX_CONCURRENCY = "dbdeploy.ssm.maxConcurrency";
    public static final String SSM_MAX_ERRORS = "dbdeploy.ssm.maxErrors";
    /** Bucket where SSM writes each host's full output (SSM's API returns only the first 24,000/8,000 characters). */
    public static final String SSM_OUTPUT_BUCKET = "dbdeploy.ssm.outputBucket";
    public static final String SSM_OUTPUT_PREFIX = "dbdeploy.ssm.outputPrefix";
    public static final String SSM_POLL_MILLIS = "dbdeploy.ssm.pollMillis";
    /** Directory on the host for the runner cache and the per-run directories; default {@code /var/lib/dbdeploy}. */
    public static final String SSM_HOST_DIRECTORY = "dbdeploy.ssm.hostDirectory";
    /**
     * How hosts download the bundle and the runner: {@code presigned} (default; curl with presigned URLs) or
     * {@code host-role} (the AWS CLI with the host's own instance role, so nothing in the command expires early).
     */
    public static final String SSM_DOWNLOAD = "dbdeploy.ssm.download";

    /** The Maven profile id that selects an environment: {@code -Penv=prod}. */
    public static final String ENV_PROFILE_PREFIX = "env=";

    /** {@code dbdeploy.<goal>.skip}: skips one goal, beside {@link #SKIP} for all of them. */
    public static String skipOf(Command command) {
        return PREFIX + command.goal() + ".skip";
    }

    private PropertyNames() {
    }
}
