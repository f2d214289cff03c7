package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * The deployWithMigrations pipeline: deploy the idle colour, health-check it, migrate the database
 * while the old colour still serves, smoke-test, switch traffic, verify, retire the old colour.
 * When a stage fails it undoes exactly what had been done, in reverse: traffic first (so the old
 * code serves again), then the database.
 */
class BlueGreenDeployment implements Serializable {

    private static final long serialVersionUID = 1L

    private final def steps
    private final Map config
    private final MavenGoals maven
    private final TrafficRouter router
    final String environment
    final String deploymentId
    final List<String> colours

    // Progress, read by recover() to decide what to undo.
    String stage
    String liveColour
    String idleColour
    String servingColour
    boolean migrateStarted
    boolean migrated
    boolean switchStarted
    boolean retireStarted

    BlueGreenDeployment(def steps, Map config) {
        if (config.router != null && (config.liveColour != null || config.switchTraffic != null)) {
            throw new DbdeployException("Invalid configuration: give either router or the liveColour and switchTraffic closures, not both. " +
                    "Remove router to use the closures, or remove the closures to use the nginx router.")
        }
        this.steps = steps
        this.config = config
        this.environment = Names.requireSafe('environment', config.environment)
        this.deploymentId = config.deploymentId ? Names.requireSafe('deploymentId', config.deploymentId) : Names.defaultDeploymentId(steps.env)
        this.colours = checkColours(config.colours)
        if (!(config.timeoutMinutes > 0)) {
            throw new DbdeployException("Invalid configuration: key 'timeoutMinutes' must be at least 1 but was ${config.timeoutMinutes}. " +
                    "Give the whole deployment enough time, e.g. timeoutMinutes: 30.")
        }
        this.maven = new MavenGoals(steps, config)
        this.router = config.router != null ?
                new NginxRouter(steps, config.router, colours) :
                new ClosureRouter(config.liveColour, config.switchTraffic)
    }

    /** Runs the deployment; on failure undoes what it can and throws a DbdeployException saying what was undone. */
    void run() {
        steps.lock(resource: "dbdeploy-${environment}") {
            try {
                // The undo path runs outside the timeout, so an expired timeout cannot cut a rollback short.
                steps.timeout(time: config.timeoutMinutes, unit: 'MINUTES') {
                    runStages()
                }
            } catch (Throwable failure) {
                recover(failure)
            }
        }
        describe("${deploymentId}: ${idleColour} serves traffic in ${environment}; the database is migrated" +
                (config.retire ? "; ${liveColour} was retired." : "; ${liveColour} is still running."))
    }

    private void runStages() {
        enter('Resolve live colour') {
            liveColour = router.liveColour()
            if (!colours.contains(liveColour)) {
                throw new DbdeployException("${router.describe()} reports the live colour '${liveColour}', which is not one of ${colours.join(', ')}. " +
                        "Make liveColour return one of them, or set colours to the names your router uses.")
            }
            servingColour = liveColour
            idleColour = otherColour(colours, liveColour)
            steps.echo("dbdeploy: ${liveColour} serves traffic; deploying ${deploymentId} to ${idleColour}.")
        }
        enter('Package and status') {
            maven.run('dbdeploy:package', maven.packageCommand())
            maven.run('dbdeploy:status', maven.statusCommand())
            if (config.rehearse) {
                rehearse()
            }
        }
        enter("Deploy ${idleColour}") {
            config.deploy.call(idleColour)
        }
        enter("Health check ${idleColour}") {
            config.healthCheck.call(idleColour)
        }
        enter('Migrate database') {
            migrateStarted = true
            maven.run('dbdeploy:migrate', maven.migrateCommand(deploymentId))
            migrated = true
        }
        if (config.smokeTest) {
            enter("Smoke test ${idleColour}") {
                config.smokeTest.call(idleColour)
            }
        }
        enter("Switch traffic to ${idleColour}") {
            switchStarted = true
            router.switchTo(idleColour)
            servingColour = idleColour
        }
        if (config.verify) {
            enter("Verify ${idleColour}") {
                config.verify.call(idleColour)
            }
        }
        if (config.retire) {
            enter("Retire ${liveColour}") {
                retireStarted = true
                config.retire.call(liveColour)
            }
        }
    }

    /**
     * Runs every pending changeset forward, back and forward again on a throwaway database before anything is
     * deployed. A failed rehearsal stops the pipeline here, with the rehearsal's own verdict (which changeset, why).
     */
    private void rehearse() {
        try {
            maven.run('dbdeploy:rehearse', maven.rehearseCommand())
        } catch (Throwable failure) {
            if (Aborts.isAbort(failure)) {
                throw failure
            }
            String verdict = maven.lastSummary ? firstErrorLine(maven.lastSummary) : null
            throw new DbdeployException("The rehearsal of the pending changesets failed, so nothing was deployed" +
                    (verdict ? ": ${verdict}" : " (${causeOf(failure)})") +
                    ". Fix the changeset or its rollback, or run dbdeploy:rehearse locally to see the full report.")
        }
    }

    /** The rehearsal's summary.md says what failed on its "**Error:**" line. */
    @NonCPS
    private static String firstErrorLine(String summary) {
        String line = summary.readLines().find { it.startsWith('**Error:**') }
        return line ? line.substring('**Error:**'.length()).trim() : null
    }

    private void enter(String name, Closure body) {
        stage = name
        steps.stage(name) {
            body.call()
        }
    }

    /**
     * Undoes what the failed or aborted run did, records it in the build description, and throws. An abort gets the
     * same undo as a failure and is then rethrown as it is, so that Jenkins ends the build ABORTED.
     */
    private void recover(Throwable failure) {
        String failed = Aborts.isAbort(failure) ?
                "Stage '${stage}' was aborted (${failure.getClass().simpleName})." :
                "Stage '${stage}' failed: ${causeOf(failure)}."
        if (retireStarted) {
            finish("${failed} ${idleColour} serves traffic and passed verification, so nothing was undone. " +
                    "Stop ${liveColour} by hand when convenient.", failure)
        }
        if (!migrateStarted) {
            finish("${failed} Nothing to undo: the database was not changed and traffic stays on ${servingColour ?: 'the live colour'}. " +
                    runAgain(failure), failure)
        }
        if (!migrated && Aborts.isAbort(failure)) {
            // A stopped Maven process cannot restore the database itself; what it committed before the stop stays.
            finish("${failed} Traffic stays on ${liveColour}. Changesets that dbdeploy:migrate committed before it was stopped stay applied " +
                    "(its summary, if any, is above); to return to the state before ${deploymentId}, ${maven.byHand(maven.rollbackCommand(deploymentId))}", failure)
        }
        if (!migrated) {
            finish("${failed} dbdeploy:migrate restores the database itself when it fails (its summary is above), " +
                    "and traffic stays on ${liveColour}. Fix the migration and run the pipeline again.", failure)
        }
        List<String> undone = []
        if (switchStarted) {
            try {
                enter("Switch traffic back to ${liveColour}") {
                    router.switchTo(liveColour)
                    servingColour = liveColour
                }
                undone << "traffic switched back to ${liveColour}"
            } catch (Throwable switchBack) {
                // The new code may be serving and needs the new schema, so the database must stay as it is.
                finish("${failed} Switching traffic back to ${liveColour} ${undoFailed(switchBack)}. " +
                        "The database was NOT rolled back because ${idleColour} may still serve traffic and needs the new schema. " +
                        "Switch traffic to ${liveColour} by hand, then roll the database back: ${maven.byHand(maven.rollbackCommand(deploymentId))}",
                        Aborts.isAbort(switchBack) ? switchBack : failure)
            }
        } else {
            undone << "traffic never left ${liveColour}"
        }
        String rollback = maven.rollbackCommand(deploymentId)
        if (!config.rollbackOnFailure) {
            finish("${failed} Undone: ${undone.join('; ')}. The database keeps the changes of ${deploymentId} because rollbackOnFailure is false; " +
                    "${liveColour} runs on the new schema. To undo them, ${maven.byHand(rollback)}", failure)
        }
        try {
            enter('Roll back database') {
                maven.run('dbdeploy:rollback', rollback)
            }
            undone << "database rolled back to its state before ${deploymentId}"
        } catch (Throwable rollbackFailure) {
            finish("${failed} Undone: ${undone.join('; ')}. Rolling the database back " +
                    (Aborts.isAbort(rollbackFailure) ? 'WAS ABORTED. ' : "FAILED: ${causeOf(rollbackFailure)}. ") +
                    "Traffic stays on ${liveColour}, which runs on the new schema. Roll back by hand: ${maven.byHand(rollback)}",
                    Aborts.isAbort(rollbackFailure) ? rollbackFailure : failure)
        }
        finish("${failed} Undone: ${undone.join('; ')}. ${runAgain(failure)}", failure)
    }

    @NonCPS
    private static String runAgain(Throwable failure) {
        return Aborts.isAbort(failure) ? 'Run the pipeline again when you are ready.' : 'Fix the cause and run the pipeline again.'
    }

    /** Records the outcome; rethrows an abort unchanged (the build ends ABORTED), wraps anything else (FAILURE). */
    private void finish(String message, Throwable failure) {
        describe(message)
        if (Aborts.isAbort(failure)) {
            throw failure
        }
        throw new DbdeployException(message, failure)
    }

    /** How switching back ended, e.g. "failed too: AbortException: ..." or "was aborted too". */
    @NonCPS
    private static String undoFailed(Throwable undoFailure) {
        return Aborts.isAbort(undoFailure) ? 'was aborted too' : "failed too: ${causeOf(undoFailure)}"
    }

    /** The build description: the outcome first, then the summary of the last dbdeploy goal. */
    private void describe(String outcome) {
        steps.echo("dbdeploy: ${outcome}")
        steps.currentBuild.description = maven.lastSummary ? "${outcome}\n\n${maven.lastSummary}" : outcome
    }

    @NonCPS
    private static String causeOf(Throwable failure) {
        String message = failure.message
        if (failure instanceof DbdeployException) {
            return message
        }
        return message ? "${failure.getClass().simpleName}: ${message}" : failure.getClass().simpleName
    }

    @NonCPS
    private static String otherColour(List<String> colours, String colour) {
        return colours.find { it != colour }
    }

    @NonCPS
    private static List<String> checkColours(List<String> colours) {
        if (colours == null || colours.size() != 2 || colours[0] == colours[1]) {
            throw new DbdeployException("Invalid configuration: key 'colours' must name two different colours, e.g. colours: ['blue', 'green'].")
        }
        colours.each { Names.requireSafe('colours', it) }
        return colours
    }
}
