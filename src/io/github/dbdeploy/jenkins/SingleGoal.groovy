package io.github.dbdeploy.jenkins

/**
 * The small steps (dbdeployMigrate, dbdeployRollback, dbdeployStatus): one Maven goal each,
 * with the same credentials handling and summary publishing as deployWithMigrations.
 */
class SingleGoal implements Serializable {

    private static final long serialVersionUID = 1L

    private final def steps
    private final Map config
    private final MavenGoals maven

    SingleGoal(def steps, Map config) {
        this.steps = steps
        this.config = config
        this.maven = new MavenGoals(steps, config)
    }

    /** Applies pending changes; returns the deployment id, which dbdeployRollback accepts to undo them. */
    String migrate() {
        String id = config.deploymentId ? Names.requireSafe('deploymentId', config.deploymentId) : Names.defaultDeploymentId(steps.env)
        run('dbdeploy:migrate', maven.migrateCommand(id),
                "dbdeploy:migrate restores the database itself when it fails; read its summary above, fix the migration and run again.")
        return id
    }

    void rollback() {
        String id = config.deploymentId ? Names.requireSafe('deploymentId', config.deploymentId) : null
        String command = maven.rollbackCommand(id)
        run('dbdeploy:rollback', command,
                "The database may be partly rolled back; read the summary above, then ${maven.byHand(command)}")
    }

    void status() {
        run('dbdeploy:status', maven.statusCommand(),
                "Check that the database of '${config.environment}' is reachable and its credentials are right, then run again.")
    }

    private void run(String goal, String command, String nextStep) {
        try {
            maven.run(goal, command)
        } catch (Exception e) {
            if (Aborts.isAbort(e)) {
                throw e
            }
            throw new DbdeployException("${goal} failed for environment '${config.environment}' (${e.message}). ${nextStep}", e)
        }
    }
}
