package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * Runs the dbdeploy Maven goals for one environment. Database credentials reach Maven only as the
 * environment variables DBDEPLOY_USERNAME and DBDEPLOY_PASSWORD (bound by withCredentials), never on a
 * command line, so they cannot leak through the command echo or a process listing.
 */
class MavenGoals implements Serializable {

    private static final long serialVersionUID = 1L

    static final String SUMMARY_MD = 'target/dbdeploy/summary.md'
    static final String SUMMARY_JSON = 'target/dbdeploy/summary.json'

    private final def steps
    final String environment
    final String credentialsId
    final String mavenCommand
    final String mavenArgs
    /** The summary.md of the last goal that wrote one, for the build description. */
    String lastSummary

    MavenGoals(def steps, Map config) {
        this.steps = steps
        this.environment = Names.requireSafe('environment', config.environment)
        this.credentialsId = config.credentialsId
        this.mavenCommand = config.mavenCommand
        this.mavenArgs = config.mavenArgs
    }

    String packageCommand() {
        return mvn("dbdeploy:package -Penv=${environment}")
    }

    String statusCommand() {
        return mvn("dbdeploy:status -Penv=${environment}")
    }

    String migrateCommand(String deploymentId) {
        return mvn("dbdeploy:migrate -Penv=${environment} -Ddbdeploy.tag=${deploymentId}")
    }

    /** Without a deployment id the goal undoes the most recent deployment. */
    String rollbackCommand(String deploymentId) {
        return mvn("dbdeploy:rollback -Penv=${environment}" + (deploymentId ? " -Ddbdeploy.rollbackTag=${deploymentId}" : ''))
    }

    /** The words a human needs to run a command by hand with the same credentials. */
    String byHand(String command) {
        String creds = credentialsId ?
                "with the username and password of Jenkins credentials '${credentialsId}' exported as DBDEPLOY_USERNAME and DBDEPLOY_PASSWORD" :
                'with DBDEPLOY_USERNAME and DBDEPLOY_PASSWORD exported if your environment needs them'
        return "run from the project directory, ${creds}: ${command}"
    }

    /**
     * Runs one goal and publishes its summary whether it passed or failed.
     * @param goal the goal's name for messages, e.g. 'dbdeploy:migrate'
     */
    void run(String goal, String command) {
        clearSummary()
        try {
            if (credentialsId) {
                steps.withCredentials([steps.usernamePassword(credentialsId: credentialsId,
                        usernameVariable: 'DBDEPLOY_USERNAME', passwordVariable: 'DBDEPLOY_PASSWORD')]) {
                    steps.sh(command)
                }
            } else {
                steps.sh(command)
            }
        } finally {
            publishSummary(goal)
        }
    }

    /**
     * Empties the summary files of an earlier goal, so that a goal which writes none (or dies before
     * writing it) is not reported with its predecessor's summary.
     */
    private void clearSummary() {
        for (String path : [SUMMARY_MD, SUMMARY_JSON]) {
            if (steps.fileExists(path)) {
                steps.writeFile(file: path, text: '')
            }
        }
    }

    /** Shows summary.md in the log and archives both summary files. Never masks the goal's own failure. */
    private void publishSummary(String goal) {
        try {
            String summary = steps.fileExists(SUMMARY_MD) ? steps.readFile(SUMMARY_MD) : ''
            if (summary.trim()) {
                lastSummary = summary
                steps.echo("${goal} summary (${SUMMARY_MD}):\n${summary}")
                steps.archiveArtifacts(artifacts: SUMMARY_JSON + "," + SUMMARY_MD, allowEmptyArchive: true)
            } else {
                steps.echo("${goal} wrote no ${SUMMARY_MD}; see its output above.")
            }
        } catch (Exception e) {
            steps.echo("Could not publish the summary of ${goal}: ${e.message}")
        }
    }

    @NonCPS
    private String mvn(String goalAndArgs) {
        return [mavenCommand, mavenArgs, goalAndArgs].findAll { it }.join(' ')
    }
}
