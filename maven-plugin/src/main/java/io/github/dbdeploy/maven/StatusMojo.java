package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;

/** Lists pending changesets, the last deployment and the lock holder; with failOnPending, a CI gate. */
@Mojo(name = "status", requiresProject = true, threadSafe = true)
public class StatusMojo extends AbstractDatabaseMojo {

    /**
     * Fail the build when changesets are pending.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.FAIL_ON_PENDING, defaultValue = "false")
    private boolean failOnPending;

    @Inject
    public StatusMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Command command() {
        return Command.STATUS;
    }
}
