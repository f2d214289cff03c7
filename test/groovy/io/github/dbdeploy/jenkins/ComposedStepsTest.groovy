package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertNull
import static org.junit.jupiter.api.Assertions.assertTrue

import hudson.AbortException
import org.junit.jupiter.api.Test

/** dbdeployStatus, dbdeployMigrate and dbdeployRollback in a pipeline that composes its own flow. */
class ComposedStepsTest extends LibraryTestBase {

    List<String> failing = []
    /** Goals that write no summary, as a goal that dies early would. */
    List<String> silent = []

    @Override
    Object runShell(String line, Map args, Map<String, String> boundEnv) {
        if (failing.any { line.contains(it) }) {
            throw new AbortException('script returned exit code 1')
        }
        if (line.contains('dbdeploy:') && !silent.any { line.contains(it) }) {
            files['target/dbdeploy/summary.md'] = "${line.find(/dbdeploy:\w+/)} OK\n".toString()
        }
        return null
    }

    @Test
    void theStepsRunTheirGoalsWithCredentialsAndTheMigrateIdFlowsIntoRollback() {
        failing << './integration-tests.sh'

        Throwable failure = runJenkinsfile('composedSteps')

        assertEquals([
                'mvn -B dbdeploy:status -Penv=staging',
                './mvnw -B -ntp dbdeploy:migrate -Penv=staging -Ddbdeploy.tag=deploy-prod-42',
                './integration-tests.sh',
                './mvnw -B -ntp dbdeploy:rollback -Penv=staging -Ddbdeploy.rollbackTag=deploy-prod-42',
        ], shells)
        assertTrue(echoes.contains('migrated as deploy-prod-42'))
        shells.findAll { it.contains('dbdeploy:') }.each {
            assertEquals([DBDEPLOY_USERNAME: 'deployer', DBDEPLOY_PASSWORD: SECRET], shellEnv[it])
        }
        assertEquals('script returned exit code 1', failure.message, "the pipeline's own error propagates")
        assertTrue(echoes.contains('dbdeploy:rollback summary (target/dbdeploy/summary.md):\ndbdeploy:rollback OK\n'), echoes.join('\n'))
        assertEquals(3, archived.size())
    }

    @Test
    void aGoalThatWritesNoSummaryIsNotReportedWithItsPredecessorsSummary() {
        silent << 'dbdeploy:migrate'
        failing << './integration-tests.sh'

        runJenkinsfile('composedSteps')

        assertTrue(echoes.contains('dbdeploy:status summary (target/dbdeploy/summary.md):\ndbdeploy:status OK\n'), echoes.join('\n'))
        assertTrue(echoes.contains('dbdeploy:migrate wrote no target/dbdeploy/summary.md; see its output above.'), echoes.join('\n'))
        assertEquals(2, archived.size(), 'status and rollback summaries only')
    }

    @Test
    void aFailedMigrateSaysTheDatabaseWasRestoredAndWhatToDo() {
        failing << 'dbdeploy:migrate'

        Throwable failure = runJenkinsfile('composedSteps')

        assertEquals("[dbdeployMigrate] dbdeploy:migrate failed for environment 'staging' (script returned exit code 1). " +
                "dbdeploy:migrate restores the database itself when it fails; read its summary above, fix the migration and run again.", failure.message)
        assertEquals('FAILURE', buildResult)
        assertTrue(!shells.any { it.contains('dbdeploy:rollback') })
    }

    @Test
    void aFailedStatusIsPrefixedWithItsStep() {
        failing << 'dbdeploy:status'

        Throwable failure = runJenkinsfile('composedSteps')

        assertEquals("[dbdeployStatus] dbdeploy:status failed for environment 'staging' (script returned exit code 1). " +
                "Check that the database of 'staging' is reachable and its credentials are right, then run again.", failure.message)
        assertEquals(['mvn -B dbdeploy:status -Penv=staging'], shells)
    }

    @Test
    void aFailedRollbackGivesTheCommandToRunByHand() {
        failing.addAll(['./integration-tests.sh', 'dbdeploy:rollback'])

        Throwable failure = runJenkinsfile('composedSteps')

        assertEquals("[dbdeployRollback] dbdeploy:rollback failed for environment 'staging' (script returned exit code 1). " +
                "The database may be partly rolled back; read the summary above, then run from the project directory, with the username " +
                "and password of Jenkins credentials 'prod-db' exported as DBDEPLOY_USERNAME and DBDEPLOY_PASSWORD: " +
                "./mvnw -B -ntp dbdeploy:rollback -Penv=staging -Ddbdeploy.rollbackTag=deploy-prod-42", failure.message)
    }

    @Test
    void rollbackWithoutADeploymentIdUndoesTheLatestDeployment() {
        binding.setVariable('stepName', 'dbdeployRollback')
        binding.setVariable('stepConfig', [environment: 'prod'])

        Throwable failure = runJenkinsfile('callStep')

        assertNull(failure)
        assertEquals(['mvn -B dbdeploy:rollback -Penv=prod'], shells)
        assertTrue(!events.any { it.startsWith('withCredentials') })
    }
}
