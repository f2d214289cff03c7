package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertTrue

import org.junit.jupiter.api.Test

/** Bad input is refused before any command runs, with every problem named and the fix pointed at. */
class ConfigurationTest extends LibraryTestBase {

    @Override
    Object runShell(String line, Map args, Map<String, String> boundEnv) {
        return args.returnStdout ? 'blue' : null
    }

    private Throwable call(String step, Map config) {
        binding.setVariable('stepName', step)
        binding.setVariable('stepConfig', config)
        return runJenkinsfile('callStep')
    }

    /**
     * Closures written here belong to this test instance, which cannot be serialized; dehydrate() drops that owner,
     * as the CPS engine needs for anything it keeps across a step. (A Jenkinsfile's closures are serializable already.)
     */
    private static Map minimal() {
        return [environment: 'prod', liveColour: { -> 'blue' }.dehydrate(), deploy: { c -> }.dehydrate(),
                healthCheck: { c -> }.dehydrate(), switchTraffic: { c -> }.dehydrate()]
    }

    @Test
    void anUnknownKeyIsAnErrorThatListsTheAllowedKeys() {
        Throwable failure = call('deployWithMigrations', minimal() + [enviroment: 'prod', rollback: true])

        assertEquals("[deployWithMigrations] Invalid configuration: unknown keys 'enviroment', 'rollback' (allowed keys: colours, credentialsId, " +
                "deploy, deploymentId, environment, healthCheck, liveColour, mavenArgs, mavenCommand, rehearse, retire, rollbackOnFailure, router, " +
                "smokeTest, switchTraffic, timeoutMinutes, verify). Fix the call in your Jenkinsfile; vars/deployWithMigrations.txt lists " +
                "every key with its type, default and an example.", failure.message)
        assertEquals([], shells)
        assertEquals('FAILURE', buildResult)
    }

    @Test
    void missingRequiredKeysAreNamed() {
        Throwable failure = call('deployWithMigrations', [environment: 'prod', deploy: { c -> }.dehydrate()])

        assertTrue(failure.message.startsWith("[deployWithMigrations] Invalid configuration: missing required keys " +
                "'liveColour' (or 'router'), 'healthCheck', 'switchTraffic' (or 'router')."), failure.message)
        assertEquals([], shells)
    }

    @Test
    void aWrongTypeNamesTheKeyAndBothTypesButNotTheValue() {
        Throwable failure = call('deployWithMigrations', minimal() + [timeoutMinutes: '30', rollbackOnFailure: 'no', deploy: './deploy.sh'])

        assertTrue(failure.message.startsWith("[deployWithMigrations] Invalid configuration: key 'deploy' must be a Closure but was a String; " +
                "key 'timeoutMinutes' must be an int but was a String; key 'rollbackOnFailure' must be a boolean but was a String."), failure.message)
        assertTrue(!failure.message.contains('./deploy.sh'), 'values are never echoed')
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        Throwable failure = call('dbdeployStatus', [credentialsId: 42, verbose: true])

        assertEquals("[dbdeployStatus] Invalid configuration: missing required key 'environment'; unknown key 'verbose' " +
                "(allowed keys: credentialsId, environment, mavenArgs, mavenCommand); key 'credentialsId' must be a String but was an Integer. " +
                "Fix the call in your Jenkinsfile; vars/dbdeployStatus.txt lists every key with its type, default and an example.", failure.message)
    }

    @Test
    void anEnvironmentThatCouldInjectIntoTheShellIsRefused() {
        Throwable failure = call('dbdeployMigrate', [environment: 'prod; rm -rf /'])

        assertEquals("[dbdeployMigrate] Invalid configuration: key 'environment' must match [A-Za-z0-9][A-Za-z0-9._-]* " +
                "(letters, digits, '.', '_', '-'), but was 'prod; rm -rf /'. Use a plain name such as 'prod' or 'shop-42'.", failure.message)
        assertEquals([], shells)
    }

    @Test
    void aRouterAndClosuresTogetherAreRefused() {
        Throwable failure = call('deployWithMigrations', minimal() + [router: [type: 'nginx', upstreamFile: '/x', servers: [blue: 'a:1', green: 'b:1'], probeUrl: 'http://a/']])

        assertTrue(failure.message.startsWith('[deployWithMigrations] Invalid configuration: give either router or the liveColour and switchTraffic closures, not both.'), failure.message)
    }

    @Test
    void aRouterMapIsCheckedLikeTheStepMap() {
        Map config = minimal()
        config.remove('liveColour')
        config.remove('switchTraffic')
        Throwable failure = call('deployWithMigrations', config + [router: [type: 'nginx', servers: [blue: 'a:1'], reload: true]])

        assertTrue(failure.message.startsWith("[deployWithMigrations] Invalid router: missing required keys 'upstreamFile', 'probeUrl'; unknown key 'reload' " +
                "(allowed keys: nginxCommand, probeUrl, servers, type, upstreamFile, upstreamName)."), failure.message)
    }

    @Test
    void aRouterNeedsAnAddressForEachColour() {
        Map config = minimal()
        config.remove('liveColour')
        config.remove('switchTraffic')
        Throwable failure = call('deployWithMigrations', config + [router: [type: 'nginx', upstreamFile: '/x', servers: [blue: 'a:1'], probeUrl: 'http://a/']])

        assertTrue(failure.message.startsWith('[deployWithMigrations] Invalid router: servers has no address for green.'), failure.message)
    }

    @Test
    void onlyTheNginxRouterIsBuiltIn() {
        Map config = minimal()
        config.remove('liveColour')
        config.remove('switchTraffic')
        Throwable failure = call('deployWithMigrations', config + [router: [type: 'haproxy', upstreamFile: '/x', servers: [blue: 'a:1', green: 'b:1'], probeUrl: 'http://a/']])

        assertTrue(failure.message.startsWith("[deployWithMigrations] Invalid router: type 'haproxy' is not built in"), failure.message)
    }

    @Test
    void coloursMustBeTwoDifferentNames() {
        Throwable failure = call('deployWithMigrations', minimal() + [colours: ['blue', 'blue']])

        assertTrue(failure.message.startsWith("[deployWithMigrations] Invalid configuration: key 'colours' must name two different colours"), failure.message)
    }

    @Test
    void timeoutMustBePositive() {
        Throwable failure = call('deployWithMigrations', minimal() + [timeoutMinutes: 0])

        assertTrue(failure.message.startsWith("[deployWithMigrations] Invalid configuration: key 'timeoutMinutes' must be at least 1 but was 0."), failure.message)
    }

    @Test
    void withoutABuildNumberADeploymentIdMustBeGiven() {
        binding.setVariable('env', [:])

        Throwable failure = call('dbdeployMigrate', [environment: 'prod'])

        assertEquals("[dbdeployMigrate] Cannot derive a deployment id: JOB_BASE_NAME and BUILD_NUMBER are not set. " +
                "Pass deploymentId: 'something-unique' to the step.", failure.message)
    }

    @Test
    void gStringsAreAcceptedWhereStringsAreExpected() {
        String number = '7'
        call('dbdeployMigrate', [environment: "pr${'od'}", deploymentId: "release-${number}"])

        assertEquals(['mvn -B dbdeploy:migrate -Penv=prod -Ddbdeploy.tag=release-7'], shells)
    }
}
