package io.github.dbdeploy.maven;

import java.util.List;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.Deployment;
import io.github.dbdeploy.engine.DeploymentHistory;

/** Lists the deployments recorded in the database, newest first, with the changesets each applied. */
@Mojo(name = "history", requiresProject = true, threadSafe = true)
public class HistoryMojo extends AbstractDatabaseMojo {

    @Inject
    public HistoryMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected String goal() {
        return "history";
    }

    @Override
    protected void run(Dbdeploy engine, DeploySettings settings) {
        List<DeploymentHistory> history = engine.history();
        if (history.isEmpty()) {
            getLog().info("No deployments recorded on this database yet.");
            return;
        }
        for (DeploymentHistory h : history) {
            Deployment d = h.deployment();
            getLog().info(d.id() + "  " + d.status() + "  " + d.startedAt() + "  by " + d.deployedBy() + "  applied "
                    + d.applied() + " (environment " + d.environment() + ")");
            h.changesets().forEach(c -> getLog().info("    " + c));
        }
    }
}
