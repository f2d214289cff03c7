import io.github.dbdeploy.jenkins.DbdeployStep
import io.github.dbdeploy.jenkins.SingleGoal
import io.github.dbdeploy.jenkins.Specs

/** Runs dbdeploy:migrate for one environment and returns the deployment id. See dbdeployMigrate.txt. */
def call(Map userConfig = [:]) {
    new DbdeployStep(this, Specs.MIGRATE).run(userConfig) { Map config ->
        new SingleGoal(this, config).migrate()
    }
}
