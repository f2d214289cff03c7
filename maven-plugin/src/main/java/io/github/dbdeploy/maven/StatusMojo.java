package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.Deployment;
import io.github.dbdeploy.engine.StatusReport;

/** Lists pending changesets, the last deployment and the lock holder; with failOnPending, a CI gate. */
@Mojo(name = "status", requiresProject = true, threadSafe = true)
public class StatusMojo extends AbstractDatabaseMojo {

    /** Fail the build when changesets are pending. */
    @Parameter(property = PropertyNames.FAIL_ON_PENDING, defaultValue = "false")
    private boolean failOnPending;

    @Inject
    public StatusMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected String goal() {
        return "status";
    }

    @Override
    protected void run(Dbdeploy engine, DeploySettings settings) throws MojoFailureException {
        StatusReport report = engine.status();
        Deployment last = report.lastDeployment();
        getLog().info("Last deployment: " + (last == null ? "none recorded"
                : last.id() + " (" + last.status() + ", " + last.applied() + " applied) at " + last.startedAt()
                    + " by " + last.deployedBy()));
        getLog().info("Deployment lock: " + (report.lockHolder() == null ? "free" : "held by " + report.lockHolder()));
        if (report.pending().isEmpty()) {
            getLog().info("Pending changesets: none");
            return;
        }
        getLog().info("Pending changesets (" + report.pending().size() + "):");
        report.pending().forEach(p -> getLog().info("  " + p));
        if (booleanSetting(PropertyNames.FAIL_ON_PENDING, failOnPending)) {
            throw new MojoFailureException(report.pending().size() + " changeset(s) are pending on environment "
                    + settings.environment() + " (" + PropertyNames.FAIL_ON_PENDING + "=true). Apply them with: mvn"
                    + " dbdeploy:migrate" + ("default".equals(settings.environment()) ? "" : " -Penv=" + settings.environment()));
        }
    }
}
