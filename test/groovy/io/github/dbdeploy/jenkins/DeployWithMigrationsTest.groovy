package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertNull
import static org.junit.jupiter.api.Assertions.assertTrue
import static org.junit.jupiter.api.Assertions.assertFalse

import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.Arguments
import org.junit.jupiter.params.provider.MethodSource

import java.util.stream.Stream

class DeployWithMigrationsTest extends LibraryTestBase {

    public static final String PACKAGE = 'mvn -B dbdeploy:package -Penv=prod'
    public static final String STATUS = 'mvn -B dbdeploy:status -Penv=prod'
    public static final String REHEARSE = 'mvn -B dbdeploy:rehearse -Penv=prod'
    public static final String MIGRATE = 'mvn -B dbdeploy:migrate -Penv=prod -Ddbdeploy.tag=deploy-prod-42'
    public static final String ROLLBACK = 'mvn -B dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=deploy-prod-42'
    public static final String MIGRATED = 'migrated by deploy-prod-42'

    /** The happy path, in order. */
    public static final List<String> ALL_STEPS = [
            './live-colour.sh',
            PACKAGE,
            STATUS,
            REHEARSE,
            './deploy.sh green',
            'curl -fsS http://green.internal/health',
            MIGRATE,
            './smoke-test.sh green',
            './switch.sh green',
            './verify.sh green',
            './retire.sh blue',
    ]

    final SimulatedWorld world = new SimulatedWorld()

    @BeforeEach
    void connectWorld() {
        world.files = files
    }

    @Override
    Object runShell(String line, Map args, Map<String, String> boundEnv) {
        return world.run(line, args)
    }

    @Test
    void happyPathRunsEveryStageInOrderAndMigratesBeforeTrafficMoves() {
        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertNull(failure)
        assertEquals(ALL_STEPS, shells)
        assertEquals(['Resolve live colour', 'Package and status', 'Deploy green', 'Health check green', 'Migrate database',
                      'Smoke test green', 'Switch traffic to green', 'Verify green', 'Retire blue'], stages)
        assertTrue(shells.indexOf(MIGRATE) < shells.indexOf('./switch.sh green'), 'migrate runs while blue still serves')
        assertEquals('green', world.serving)
        assertEquals(MIGRATED, world.database)
        assertEquals('SUCCESS', buildResult)
        assertTrue(buildDescription.startsWith('deploy-prod-42: green serves traffic in prod; the database is migrated; blue was retired.'), buildDescription)
        assertTrue(buildDescription.contains('## dbdeploy migrate: OK'), 'the migrate summary is in the description')
    }

    @Test
    void aFailedRehearsalStopsBeforeAnythingIsDeployedAndSaysWhichChangesetAndWhy() {
        world.failing << 'dbdeploy:rehearse'
        world.failureDetail = 'Rehearsal failed: 002-drop-email (dev) in sql/002.sql: rollback differs: column customer.email is missing'

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertEquals(ALL_STEPS.subList(0, 4), shells, 'nothing deployed, nothing migrated')
        assertEquals('blue', world.serving)
        assertEquals(SimulatedWorld.BEFORE, world.database)
        assertEquals('FAILURE', buildResult)
        assertTrue(buildDescription.contains('The rehearsal of the pending changesets failed, so nothing was deployed: ' +
                'Rehearsal failed: 002-drop-email (dev) in sql/002.sql: rollback differs: column customer.email is missing'),
                buildDescription)
        assertTrue(failure.message.contains('002-drop-email'), failure.message)
    }

    @Test
    void rehearseFalseLeavesTheRehearsalOut() {
        binding.setVariable('overrides', [rehearse: false])

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertNull(failure)
        assertFalse(shells.contains(REHEARSE))
        assertEquals(ALL_STEPS - [REHEARSE], shells)
    }

    @Test
    void theWholeRunHoldsTheEnvironmentLockAndATimeout() {
        runJenkinsfile('blueGreenPipeline')

        assertEquals('lock:dbdeploy-prod', events[0])
        assertEquals('timeout:30 MINUTES', events[1])
        assertEquals('stage:Resolve live colour', events[2])
        assertEquals('lock:released', events.findAll { !it.startsWith('echo:') }.last())
    }

    @Test
    void timeoutMinutesIsPassedToTheTimeoutStep() {
        binding.setVariable('overrides', [timeoutMinutes: 12])

        runJenkinsfile('blueGreenPipeline')

        assertTrue(events.contains('timeout:12 MINUTES'))
    }

    @Test
    void credentialsAreBoundOnlyAroundMavenAndNeverOnTheCommandLine() {
        runJenkinsfile('blueGreenPipeline')

        shells.each { line ->
            Map<String, String> bound = shellEnv[line]
            if (line.startsWith('mvn ')) {
                assertEquals([DBDEPLOY_USERNAME: 'deployer', DBDEPLOY_PASSWORD: SECRET], bound, line)
            } else {
                assertEquals([:], bound, "no database credentials for the user's own command: ${line}")
            }
            assertFalse(line.contains(SECRET))
            assertFalse(line.contains('deployer'), 'not even the user name goes on a command line')
        }
        assertEquals(4, events.count { it == 'withCredentials:prod-db' }, 'package, status, rehearse and migrate each bind the credentials')
    }

    @Test
    void withoutCredentialsIdMavenRunsWithoutABinding() {
        binding.setVariable('removals', ['credentialsId'])

        runJenkinsfile('blueGreenPipeline')

        assertFalse(events.any { it.startsWith('withCredentials') })
        assertEquals(ALL_STEPS, shells)
    }

    @Test
    void summariesAreShownInTheLogAndArchivedAfterEveryGoal() {
        runJenkinsfile('blueGreenPipeline')

        assertTrue(echoes.contains('dbdeploy:migrate summary (target/dbdeploy/summary.md):\n## dbdeploy migrate: OK\n'), echoes.join('\n'))
        assertTrue(echoes.contains('dbdeploy:status summary (target/dbdeploy/summary.md):\n## dbdeploy status: OK\n'))
        assertEquals(['target/dbdeploy/package-summary.md,target/dbdeploy/package-summary.json',
                      'target/dbdeploy/status-summary.md,target/dbdeploy/status-summary.json',
                      'target/dbdeploy/rehearse-summary.md,target/dbdeploy/rehearse-summary.json',
                      'target/dbdeploy/migrate-summary.md,target/dbdeploy/migrate-summary.json'], archived*.artifacts)
    }

    @Test
    void eachGoalsSummaryIsKeptUnderItsOwnNameSoTheRollbackDoesNotHideWhyItRan() {
        world.failing << './verify.sh'

        runJenkinsfile('blueGreenPipeline')

        assertEquals('## dbdeploy migrate: OK\n', files['target/dbdeploy/migrate-summary.md'])
        assertEquals('{"goal":"migrate"}', files['target/dbdeploy/migrate-summary.json'])
        assertEquals('## dbdeploy rollback: OK\n', files['target/dbdeploy/rollback-summary.md'])
        assertEquals('target/dbdeploy/rollback-summary.md,target/dbdeploy/rollback-summary.json', archived.last().artifacts)
        assertTrue(archived*.artifacts.contains('target/dbdeploy/migrate-summary.md,target/dbdeploy/migrate-summary.json'))
    }

    @Test
    void summariesAreFoundBesideThePomThatMinusFNames() {
        binding.setVariable('overrides', [mavenArgs: '-B -f db/pom.xml'])
        world.projectDirectory = 'db'

        runJenkinsfile('blueGreenPipeline')

        assertTrue(shells.contains('mvn -B -f db/pom.xml dbdeploy:migrate -Penv=prod -Ddbdeploy.tag=deploy-prod-42'))
        assertTrue(echoes.contains('dbdeploy:migrate summary (db/target/dbdeploy/summary.md):\n## dbdeploy migrate: OK\n'), echoes.join('\n'))
        assertTrue(archived*.artifacts.contains('db/target/dbdeploy/migrate-summary.md,db/target/dbdeploy/migrate-summary.json'), "${archived}")
        assertTrue(buildDescription.contains('## dbdeploy migrate: OK'), buildDescription)
        assertFalse(echoes.any { it.contains('wrote no') }, echoes.join('\n'))
    }

    @Test
    void mavenCommandAndArgsAndDeploymentIdAreUsedVerbatim() {
        binding.setVariable('overrides', [mavenCommand: './mvnw', mavenArgs: '-B -ntp -s settings.xml', deploymentId: 'release-7.1'])

        runJenkinsfile('blueGreenPipeline')

        assertEquals('./mvnw -B -ntp -s settings.xml dbdeploy:migrate -Penv=prod -Ddbdeploy.tag=release-7.1', shells[6])
    }

    @Test
    void optionalStagesAreLeftOutWhenTheirClosuresAreNotGiven() {
        binding.setVariable('removals', ['smokeTest', 'verify', 'retire'])

        runJenkinsfile('blueGreenPipeline')

        assertEquals(['./live-colour.sh', PACKAGE, STATUS, REHEARSE, './deploy.sh green', 'curl -fsS http://green.internal/health', MIGRATE, './switch.sh green'], shells)
        assertEquals('green', world.serving)
        assertTrue(buildDescription.startsWith('deploy-prod-42: green serves traffic in prod; the database is migrated; blue is still running.'))
    }

    @Test
    void deploysToBlueWhenGreenIsLive() {
        world.serving = 'green'

        runJenkinsfile('blueGreenPipeline')

        assertTrue(shells.contains('./deploy.sh blue'))
        assertTrue(shells.contains('./retire.sh green'))
        assertEquals('blue', world.serving)
    }

    // ---- a failure injected at every stage ----

    static Stream<Arguments> failures() {
        return Stream.of(
                // failing command, sh lines that ran, rollback expected, final colour, final database, message fragment
                Arguments.of('./live-colour.sh', 1, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Resolve live colour' failed: AbortException: script returned exit code 1. Nothing to undo"),
                Arguments.of('dbdeploy:package', 2, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Package and status' failed: AbortException: script returned exit code 1. Nothing to undo: the database was not changed and traffic stays on blue."),
                Arguments.of('dbdeploy:status', 3, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Package and status' failed"),
                Arguments.of('dbdeploy:rehearse', 4, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Package and status' failed: The rehearsal of the pending changesets failed, so nothing was deployed (AbortException: script returned exit code 1). Fix the changeset"),
                Arguments.of('./deploy.sh', 5, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Deploy green' failed"),
                Arguments.of('curl -fsS', 6, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Health check green' failed"),
                Arguments.of('dbdeploy:migrate', 7, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Migrate database' failed: AbortException: script returned exit code 1. dbdeploy:migrate restores the database itself when it fails (its summary is above), and traffic stays on blue."),
                Arguments.of('./smoke-test.sh', 8, true, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Smoke test green' failed: AbortException: script returned exit code 1. Undone: traffic never left blue; database rolled back to its state before deploy-prod-42."),
                Arguments.of('./switch.sh green', 9, true, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Switch traffic to green' failed: AbortException: script returned exit code 1. Undone: traffic switched back to blue; database rolled back to its state before deploy-prod-42."),
                Arguments.of('./verify.sh', 10, true, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Verify green' failed: AbortException: script returned exit code 1. Undone: traffic switched back to blue; database rolled back to its state before deploy-prod-42. Fix the cause and run the pipeline again."),
                Arguments.of('./retire.sh', 11, false, 'green', MIGRATED,
                        "Stage 'Retire blue' failed: AbortException: script returned exit code 1. green serves traffic and passed verification, so nothing was undone. Stop blue by hand when convenient."),
        )
    }

    @ParameterizedTest(name = 'failure in {0}')
    @MethodSource('failures')
    void aFailureAtEveryStageUndoesExactlyWhatWasDone(String failingCommand, int stepsRun, boolean rollsBack,
                                                      String finalColour, String finalDatabase, String message) {
        world.failing << failingCommand

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        List<String> expected = ALL_STEPS.subList(0, stepsRun)
        if (failingCommand == './switch.sh green' || failingCommand == './verify.sh') {
            expected = expected + ['./switch.sh blue']
        }
        if (rollsBack) {
            expected = expected + [ROLLBACK]
        }
        assertEquals(expected, shells)
        assertEquals(rollsBack, shells.contains(ROLLBACK), 'rollback with this deployment\'s tag')
        assertEquals(rollsBack ? 1 : 0, shells.count { it.contains('dbdeploy:rollback') })
        assertEquals(finalColour, world.serving, 'colour serving traffic at the end')
        assertEquals(finalDatabase, world.database)
        assertEquals('FAILURE', buildResult)
        assertTrue(failure.message.startsWith('[deployWithMigrations] '), failure.message)
        assertTrue(failure.message.contains(message), "expected <${message}> in <${failure.message}>")
        assertTrue(buildDescription.startsWith(message) || buildDescription.contains(message), buildDescription)
        assertEquals('lock:released', events.findAll { it.startsWith('lock:') }.last())
    }

    @Test
    void aSwitchThatMovedTrafficAndThenFailedIsSwitchedBack() {
        world.failingAfterEffect << './switch.sh green'

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertEquals(ALL_STEPS.subList(0, 9) + ['./switch.sh blue', ROLLBACK], shells)
        assertEquals('blue', world.serving)
        assertEquals(SimulatedWorld.BEFORE, world.database)
        assertTrue(failure.message.contains('Undone: traffic switched back to blue; database rolled back'))
    }

    @Test
    void aFailedRollbackLeavesTrafficOnTheOldColourAndGivesTheExactCommand() {
        world.failing.addAll(['./verify.sh', 'dbdeploy:rollback'])

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertEquals(ALL_STEPS.subList(0, 10) + ['./switch.sh blue', ROLLBACK], shells)
        assertEquals('blue', world.serving)
        assertEquals(MIGRATED, world.database)
        assertEquals('FAILURE', buildResult)
        assertEquals("[deployWithMigrations] Stage 'Verify green' failed: AbortException: script returned exit code 1. " +
                "Undone: traffic switched back to blue. Rolling the database back FAILED: AbortException: script returned exit code 1. " +
                "Traffic stays on blue, which runs on the new schema. Roll back by hand: run from the project directory, " +
                "with the username and password of Jenkins credentials 'prod-db' exported as DBDEPLOY_USERNAME and DBDEPLOY_PASSWORD: " +
                ROLLBACK, failure.message)
    }

    @Test
    void whenSwitchingBackFailsTheDatabaseIsNotRolledBack() {
        world.failing.addAll(['./verify.sh', './switch.sh blue'])

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertEquals(ALL_STEPS.subList(0, 10) + ['./switch.sh blue'], shells)
        assertEquals('green', world.serving)
        assertEquals(MIGRATED, world.database, 'green still serves and needs the new schema')
        assertTrue(failure.message.contains('Switching traffic back to blue failed too'), failure.message)
        assertTrue(failure.message.contains('The database was NOT rolled back'))
        assertTrue(failure.message.endsWith(ROLLBACK))
    }

    @Test
    void rollbackOnFailureFalseSwitchesBackButKeepsTheSchemaAndSaysSo() {
        binding.setVariable('overrides', [rollbackOnFailure: false])
        world.failing << './verify.sh'

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertEquals(ALL_STEPS.subList(0, 10) + ['./switch.sh blue'], shells)
        assertEquals('blue', world.serving)
        assertEquals(MIGRATED, world.database)
        assertEquals('FAILURE', buildResult)
        assertTrue(failure.message.contains('Undone: traffic switched back to blue. The database keeps the changes of deploy-prod-42 because rollbackOnFailure is false'), failure.message)
        assertTrue(failure.message.endsWith(ROLLBACK))
        assertTrue(buildDescription.contains('rollbackOnFailure is false'))
    }

    @Test
    void theBuildDescriptionCarriesTheRollbackSummary() {
        world.failing << './verify.sh'

        runJenkinsfile('blueGreenPipeline')

        assertTrue(buildDescription.endsWith('\n\n## dbdeploy rollback: OK\n'), buildDescription)
    }

    @Test
    void aLiveColourOutsideTheColoursIsRefusedBeforeAnythingRuns() {
        world.serving = 'purple'

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertEquals(['./live-colour.sh'], shells)
        assertTrue(failure.message.contains("the switchTraffic closure reports the live colour 'purple', which is not one of blue, green"), failure.message)
    }

    @Test
    void missingCredentialsFailBeforeTheDatabaseIsTouched() {
        binding.setVariable('overrides', [credentialsId: 'no-such-credentials'])

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertEquals(['./live-colour.sh'], shells)
        assertTrue(failure.message.contains("Could not find credentials entry with ID 'no-such-credentials'"), failure.message)
        assertTrue(failure.message.contains('Nothing to undo'))
    }

    // ---- an abort (the Stop button, or an expired timeout) injected at every stage ----

    static Stream<Arguments> aborts() {
        String rollbackByHand = "run from the project directory, with the username and password of Jenkins credentials 'prod-db' " +
                "exported as DBDEPLOY_USERNAME and DBDEPLOY_PASSWORD: ${ROLLBACK}"
        return Stream.of(
                // aborted command, sh lines that ran, rollback expected, final colour, final database, message fragment
                Arguments.of('./live-colour.sh', 1, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Resolve live colour' was aborted (FlowInterruptedException). Nothing to undo"),
                Arguments.of('dbdeploy:package', 2, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Package and status' was aborted (FlowInterruptedException). Nothing to undo: the database was not changed and traffic stays on blue. Run the pipeline again when you are ready."),
                Arguments.of('dbdeploy:status', 3, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Package and status' was aborted"),
                Arguments.of('dbdeploy:rehearse', 4, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Package and status' was aborted (FlowInterruptedException). Nothing to undo"),
                Arguments.of('./deploy.sh', 5, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Deploy green' was aborted"),
                Arguments.of('curl -fsS', 6, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Health check green' was aborted"),
                Arguments.of('dbdeploy:migrate', 7, false, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Migrate database' was aborted (FlowInterruptedException). Traffic stays on blue. Changesets that dbdeploy:migrate " +
                                "committed before it was stopped stay applied (its summary, if any, is above); to return to the state before deploy-prod-42, ${rollbackByHand}"),
                Arguments.of('./smoke-test.sh', 8, true, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Smoke test green' was aborted (FlowInterruptedException). Undone: traffic never left blue; database rolled back to its state before deploy-prod-42. Run the pipeline again when you are ready."),
                Arguments.of('./switch.sh green', 9, true, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Switch traffic to green' was aborted (FlowInterruptedException). Undone: traffic switched back to blue; database rolled back to its state before deploy-prod-42."),
                Arguments.of('./verify.sh', 10, true, 'blue', SimulatedWorld.BEFORE,
                        "Stage 'Verify green' was aborted (FlowInterruptedException). Undone: traffic switched back to blue; database rolled back to its state before deploy-prod-42."),
                Arguments.of('./retire.sh', 11, false, 'green', MIGRATED,
                        "Stage 'Retire blue' was aborted (FlowInterruptedException). green serves traffic and passed verification, so nothing was undone."),
        )
    }

    @ParameterizedTest(name = 'abort in {0}')
    @MethodSource('aborts')
    void anAbortAtEveryStageGetsTheSameUndoAsAFailureAndEndsAborted(String abortedCommand, int stepsRun, boolean rollsBack,
                                                                    String finalColour, String finalDatabase, String message) {
        world.aborting << abortedCommand

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        List<String> expected = ALL_STEPS.subList(0, stepsRun)
        if (abortedCommand == './switch.sh green' || abortedCommand == './verify.sh') {
            expected = expected + ['./switch.sh blue']
        }
        if (rollsBack) {
            expected = expected + [ROLLBACK]
        }
        assertEquals(expected, shells)
        assertEquals(finalColour, world.serving, 'colour serving traffic at the end')
        assertEquals(finalDatabase, world.database)
        assertTrue(failure instanceof FlowInterruptedException, "the abort itself reaches Jenkins, not a wrapper: ${failure}")
        assertEquals('ABORTED', buildResult)
        assertFalse(events.any { it.startsWith('error:') }, 'no error step turns the abort into a failure')
        assertTrue(buildDescription.startsWith(message), "expected <${message}> at the start of <${buildDescription}>")
        assertEquals('lock:released', events.findAll { it.startsWith('lock:') }.last())
    }

    @Test
    void anAbortDuringTheRollbackEndsAbortedAndGivesTheCommandToFinishByHand() {
        world.failing << './verify.sh'
        world.aborting << 'dbdeploy:rollback'

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertTrue(failure instanceof FlowInterruptedException, "${failure}")
        assertEquals('ABORTED', buildResult)
        assertEquals('blue', world.serving)
        assertTrue(buildDescription.contains('Undone: traffic switched back to blue. Rolling the database back WAS ABORTED. ' +
                'Traffic stays on blue, which runs on the new schema. Roll back by hand:'), buildDescription)
    }

    @Test
    void anAbortWhilePublishingASummaryIsNotSwallowed() {
        helper.registerAllowedMethod('readFile', [String]) { String path ->
            if (path == 'target/dbdeploy/summary.md' && shells.last() == STATUS) {
                throw new FlowInterruptedException('aborted while reading the summary')
            }
            files[path]
        }

        Throwable failure = runJenkinsfile('blueGreenPipeline')

        assertTrue(failure instanceof FlowInterruptedException, "${failure}")
        assertEquals('ABORTED', buildResult)
        assertEquals(ALL_STEPS.subList(0, 3), shells, 'nothing runs after the abort')
        assertTrue(buildDescription.startsWith("Stage 'Package and status' was aborted"), buildDescription)
    }
}
