package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.RollbackTarget;

/**
 * Emergency rollback: by default back to the state before the most recent deployment that changed the database.
 * Refuses, changing nothing, when any changeset to undo has no rollback.
 */
@Mojo(name = "rollback", requiresProject = true, threadSafe = true)
public class RollbackMojo extends AbstractDatabaseMojo {

    /** Roll back to the state before this deployment id. */
    @Parameter(property = PropertyNames.ROLLBACK_TAG)
    private String rollbackTag;

    /** Roll back this many changesets instead. */
    @Parameter(property = PropertyNames.ROLLBACK_COUNT)
    private String rollbackCount;

    @Inject
    public RollbackMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected String goal() {
        return "rollback";
    }

    @Override
    protected void run(Dbdeploy engine, DeploySettings settings) throws MojoExecutionException {
        RollbackTarget target = RollbackTarget.of(setting(PropertyNames.ROLLBACK_TAG, rollbackTag),
                integerSetting(PropertyNames.ROLLBACK_COUNT, rollbackCount));
        failUnlessSucceeded(engine.rollback(target));
    }
}
