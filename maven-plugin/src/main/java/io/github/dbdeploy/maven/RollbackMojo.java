package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;

/**
 * Emergency rollback: by default back to the state before the most recent deployment that changed the database.
 * Refuses, changing nothing, when any changeset to undo has no rollback.
 */
@Mojo(name = "rollback", requiresProject = true, threadSafe = true)
public class RollbackMojo extends AbstractDatabaseMojo {

    /**
     * Roll back to the state before this deployment id (see {@code dbdeploy:history}).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.ROLLBACK_TAG)
    private String rollbackTag;

    /**
     * Roll back this many changesets instead.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.ROLLBACK_COUNT)
    private String rollbackCount;

    /**
     * {@code none} when a table named like another tool's history ({@code schema_migrations}...) is the application's
     * own: then a database without dbdeploy history is not refused as one another tool manages.
     */
    @Parameter(property = PropertyNames.ADOPT_FROM)
    private String adoptFrom;

    @Inject
    public RollbackMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Command command() {
        return Command.ROLLBACK;
    }
}
