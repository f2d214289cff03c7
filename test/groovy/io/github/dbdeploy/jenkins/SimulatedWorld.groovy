package io.github.dbdeploy.jenkins

import hudson.AbortException
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException

/**
 * What the `sh` lines of the test Jenkinsfiles do to a pretend production: which colour serves traffic,
 * what the database holds, and the summary files the Maven goals write. Tests inject failures by
 * naming a command; a failing migrate leaves the database as it was, because the real goal rolls back itself.
 */
class SimulatedWorld {

    public static final String BEFORE = 'schema before this deployment'

    String serving = 'blue'
    String database = BEFORE
    /** Commands that fail; each matches when the `sh` line contains it. */
    final List<String> failing = []
    /** Commands that do their work and then fail (a switch that moved traffic but reported an error). */
    final List<String> failingAfterEffect = []
    /** Commands that the user aborts before they have done anything, once each; a killed goal writes no summary. */
    final List<String> aborting = []
    /** The directory of the POM the goals run in, relative to the workspace ('' for the workspace itself). */
    String projectDirectory = ''
    /** The **Error:** line a failing goal's summary.md carries, if any (what the real goals write on failure). */
    String failureDetail
    Map<String, String> files

    Object run(String line, Map args) {
        String aborted = aborting.find { line.contains(it) }
        if (aborted) {
            aborting.remove(aborted)
            throw new FlowInterruptedException('aborted by the user')
        }
        boolean fail = failing.any { line.contains(it) }
        if (fail) {
            if (line.contains('dbdeploy:')) {
                summary(line, 'FAILED, database restored' + (failureDetail ? "\n\n**Error:** ${failureDetail}" : ''))
            }
            throw new AbortException('script returned exit code 1')
        }
        if (line == './live-colour.sh') {
            return args.returnStdout ? "${serving}\n".toString() : null
        }
        def switchTo = line =~ /^\.\/switch\.sh (\w+)$/
        if (switchTo) {
            serving = switchTo[0][1]
        }
        def migrate = line =~ /dbdeploy:migrate .*-Ddbdeploy\.tag=(\S+)/
        if (migrate) {
            database = "migrated by ${migrate[0][1]}".toString()
        }
        def rollback = line =~ /dbdeploy:rollback .*-Ddbdeploy\.rollbackTag=(\S+)/
        if (rollback && database == "migrated by ${rollback[0][1]}".toString()) {
            database = BEFORE
        }
        if (line.contains('dbdeploy:')) {
            summary(line, 'OK')
        }
        if (failingAfterEffect.any { line.contains(it) }) {
            throw new AbortException('script returned exit code 1')
        }
        return args.returnStdout ? '' : (args.returnStatus ? 0 : null)
    }

    private void summary(String line, String outcome) {
        String goal = (line =~ /dbdeploy:(\w+)/)[0][1]
        String directory = projectDirectory ? "${projectDirectory}/target/dbdeploy" : 'target/dbdeploy'
        files["${directory}/summary.md".toString()] = "## dbdeploy ${goal}: ${outcome}\n".toString()
        files["${directory}/summary.json".toString()] = "{\"goal\":\"${goal}\"}".toString()
    }
}
