import io.github.dbdeploy.jenkins.DbdeployStep
import io.github.dbdeploy.jenkins.SingleGoal
import io.github.dbdeploy.jenkins.Specs

/** Runs dbdeploy:rollback for one environment. See dbdeployRollback.txt. */
def call(Map userConfig = [:]) {
    new DbdeployStep(this, Specs.ROLLBACK).run(userConfig) { Map config ->
        new SingleGoal(this, config).rollback()
    }
}
