package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.Command;

/** Lists the deployments recorded in the database, newest first, with the changesets each applied. */
@Mojo(name = "history", requiresProject = true, threadSafe = true)
public class HistoryMojo extends AbstractDatabaseMojo {

    @Inject
    public HistoryMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Command command() {
        return Command.HISTORY;
    }
}
