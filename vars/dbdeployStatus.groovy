import io.github.dbdeploy.jenkins.DbdeployStep
import io.github.dbdeploy.jenkins.SingleGoal
import io.github.dbdeploy.jenkins.Specs

/** Runs dbdeploy:status for one environment. See dbdeployStatus.txt. */
def call(Map userConfig = [:]) {
    new DbdeployStep(this, Specs.STATUS).run(userConfig) { Map config ->
        new SingleGoal(this, config).status()
    }
}
