import io.github.dbdeploy.jenkins.BlueGreenDeployment
import io.github.dbdeploy.jenkins.DbdeployStep
import io.github.dbdeploy.jenkins.Specs

/**
 * Blue/green deployment that migrates the database before traffic moves and undoes both on failure.
 * See deployWithMigrations.txt for every key.
 */
def call(Map userConfig = [:]) {
    new DbdeployStep(this, Specs.DEPLOY_WITH_MIGRATIONS).run(userConfig) { Map config ->
        new BlueGreenDeployment(this, config).run()
    }
}
