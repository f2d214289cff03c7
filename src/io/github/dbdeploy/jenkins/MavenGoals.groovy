package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * Runs the dbdeploy Maven goals for one environment. Database credentials reach Maven only as the
 * environment variables DBDEPLOY_USERNAME and DBDEPLOY_PASSWORD (bound by withCredentials), never on a
 * command line, so they cannot leak through the command echo or a process listing.
 */
class MavenGoals implements Serializable {

    private static final long serialVersionUID = 1L

    /** What every goal writes into the target/dbdeploy directory of the module it ran in. */
    static final String SUMMARY_MD = 'summary.md'
    static final String SUMMARY_JSON = 'summary.json'

    private final def steps
    final String environment
    final String credentialsId
    final String mavenCommand
    final String mavenArgs
    /** The summary.md of the last goal that wrote one, for the build description. */
    String lastSummary
    /** The target/dbdeploy directories the goals write to, as -f/--file and -pl/--projects in the command select them. */
    final List<String> summaryDirectories

    MavenGoals(def steps, Map config) {
        this.steps = steps
        this.environment = Names.requireSafe('environment', config.environment)
        this.credentialsId = config.credentialsId
        this.mavenCommand = config.mavenCommand
        this.mavenArgs = config.mavenArgs
        this.summaryDirectories = summaryDirectoriesOf("${config.mavenCommand ?: ''} ${config.mavenArgs ?: ''}".toString())
    }

    String packageCommand() {
        return mvn("dbdeploy:package -Penv=${environment}")
    }

    String statusCommand() {
        return mvn("dbdeploy:status -Penv=${environment}")
    }

    /** Rehearses the pending changesets on a throwaway embedded PostgreSQL; the target is only read. */
    String rehearseCommand() {
        return mvn("dbdeploy:rehearse -Penv=${environment}")
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
        clearSummaries()
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
            publishSummaries(goal)
        }
    }

    /**
     * Empties the summary files of an earlier goal, so that a goal which writes none (or dies before
     * writing it) is not reported with its predecessor's summary.
     */
    private void clearSummaries() {
        // Index loops: an iterator held across a step cannot be serialized by Jenkins' CPS engine.
        for (int d = 0; d < summaryDirectories.size(); d++) {
            List<String> paths = ["${summaryDirectories[d]}/${SUMMARY_MD}".toString(), "${summaryDirectories[d]}/${SUMMARY_JSON}".toString()]
            for (int p = 0; p < paths.size(); p++) {
                if (steps.fileExists(paths[p])) {
                    steps.writeFile(file: paths[p], text: '')
                }
            }
        }
    }

    /**
     * Shows each summary.md the goal wrote in the log, copies both summary files to names of the goal's own
     * (migrate-summary.md, rollback-summary.json, ...) so that a later goal cannot overwrite them, and archives the copies.
     * A problem while publishing never masks the goal's own outcome, but an abort is never swallowed.
     */
    private void publishSummaries(String goal) {
        String name = goal.substring(goal.indexOf(':') + 1)
        List<String> found = []
        try {
            for (int d = 0; d < summaryDirectories.size(); d++) {
                String directory = summaryDirectories[d]
                String markdown = "${directory}/${SUMMARY_MD}"
                String summary = steps.fileExists(markdown) ? steps.readFile(markdown) : ''
                if (summary.trim()) {
                    found << summary
                    steps.echo("${goal} summary (${markdown}):\n${summary}")
                    List<String> archive = [copy(markdown, "${directory}/${name}-summary.md")]
                    String json = "${directory}/${SUMMARY_JSON}"
                    if (steps.fileExists(json)) {
                        archive << copy(json, "${directory}/${name}-summary.json")
                    }
                    steps.archiveArtifacts(artifacts: archive.join(','), allowEmptyArchive: true)
                }
            }
        } catch (Exception e) {
            if (Aborts.isAbort(e)) {
                throw e
            }
            steps.echo("Could not publish the summary of ${goal}: ${e.message}")
        }
        if (found) {
            lastSummary = found.join('\n')
        } else {
            steps.echo("${goal} wrote no ${summaryPaths()}; see its output above.")
        }
    }

    @NonCPS
    private String summaryPaths() {
        return summaryDirectories.collect { "${it}/${SUMMARY_MD}" }.join(' or ')
    }

    private String copy(String from, String to) {
        steps.writeFile(file: to, text: steps.readFile(from))
        return to
    }

    /**
     * Where the goals write target/dbdeploy, relative to the workspace: beside the POM that -f/--file names (a file or
     * a directory), and in each module that -pl/--projects selects (a path, or ':artifactId' for a module in a
     * directory of that name). Quoted arguments are not supported: paths here have no spaces.
     */
    @NonCPS
    static List<String> summaryDirectoriesOf(String commandLine) {
        List<String> words = commandLine.trim() ? commandLine.trim().split(/\s+/) as List<String> : []
        String pom = optionValue(words, '-f', '--file')
        String projects = optionValue(words, '-pl', '--projects')
        String base = ''
        if (pom) {
            base = pom.endsWith('.xml') ? (pom.contains('/') ? pom.substring(0, pom.lastIndexOf('/')) : '') : pom
        }
        List<String> modules = (projects ?: '').split(',').collect { it.trim() }
                .findAll { it && !it.startsWith('!') && !it.startsWith('-') }
                .collect { String m -> m.startsWith('?') ? m.substring(1) : m }
                .collect { String m -> m.contains(':') ? m.substring(m.lastIndexOf(':') + 1) : m }
        List<String> directories = modules ? modules.collect { join(base, it) } : [clean(base)]
        return directories.collect { it ? "${it}/target/dbdeploy".toString() : 'target/dbdeploy' }.unique()
    }

    /** The value of an option given as "-x value", "--long value" or "--long=value"; the last one wins, as in Maven. */
    @NonCPS
    private static String optionValue(List<String> words, String shortName, String longName) {
        String value = null
        for (int i = 0; i < words.size(); i++) {
            String word = words[i]
            if ((word == shortName || word == longName) && i + 1 < words.size()) {
                value = words[i + 1]
            } else if (word.startsWith(longName + '=')) {
                value = word.substring(longName.length() + 1)
            }
        }
        return value
    }

    @NonCPS
    private static String join(String base, String module) {
        return clean(clean(base) ? "${clean(base)}/${module}" : module)
    }

    @NonCPS
    private static String clean(String path) {
        String p = path.replaceAll(/\/+$/, '').replaceAll(/^(\.\/)+/, '')
        return p == '.' ? '' : p
    }

    @NonCPS
    private String mvn(String goalAndArgs) {
        return [mavenCommand, mavenArgs, goalAndArgs].findAll { it }.join(' ')
    }
}
