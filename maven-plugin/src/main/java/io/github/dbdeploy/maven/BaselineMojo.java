package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;

/**
 * For a database that predates any tracking (built by hand, restored from a dump): records every migration up to and
 * including {@code dbdeploy.baselineVersion} as applied, without running it. Versions compare as numbers ({@code 3}
 * matches {@code 003}).
 */
@Mojo(name = "baseline", requiresProject = true, threadSafe = true)
public class BaselineMojo extends AbstractDatabaseMojo {

    /** The last migration the database already has. */
    @Parameter(property = PropertyNames.BASELINE_VERSION)
    private String baselineVersion;

    /** Print what would be recorded, change nothing. */
    @Parameter(property = PropertyNames.DRY_RUN, defaultValue = "false")
    private boolean dryRun;

    @Inject
    public BaselineMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Command command() {
        return Command.BASELINE;
    }
}
