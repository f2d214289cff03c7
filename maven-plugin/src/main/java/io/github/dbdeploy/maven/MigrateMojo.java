package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;

/**
 * Applies pending changesets under the deployment lock, after recording the state before the deployment; on any
 * failure rolls back to that state (unless {@code dbdeploy.rollbackOnFailure=false}) and fails the build.
 */
@Mojo(name = "migrate", requiresProject = true, threadSafe = true)
public class MigrateMojo extends AbstractDatabaseMojo {

    /**
     * Print the SQL that would run, change nothing.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.DRY_RUN, defaultValue = "false")
    private boolean dryRun;

    /**
     * Roll back to the state before the deployment when a changeset fails.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.ROLLBACK_ON_FAILURE, defaultValue = "true")
    private boolean rollbackOnFailure;

    /**
     * {@code none} when a table named like another tool's history ({@code schema_migrations}...) is the application's
     * own: then a database without dbdeploy history is not refused as one another tool manages.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.ADOPT_FROM)
    private String adoptFrom;

    /**
     * {@code changeset}: each changeset commits on its own, and a failure runs the rollback scripts of those before it.
     * {@code deployment}: all pending changesets commit together or not at all (no rollback script runs), holding
     * every lock they take until the end; refused when a changeset must run outside a transaction.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.TRANSACTION, defaultValue = "changeset")
    private String transaction;

    @Inject
    public MigrateMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Command command() {
        return Command.MIGRATE;
    }
}
