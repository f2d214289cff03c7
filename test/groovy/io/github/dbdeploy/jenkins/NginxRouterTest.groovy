package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertNull
import static org.junit.jupiter.api.Assertions.assertTrue

import hudson.AbortException
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/** deployWithMigrations with the built-in nginx router instead of liveColour/switchTraffic closures. */
class NginxRouterTest extends LibraryTestBase {

    static final String UPSTREAM = '/etc/nginx/conf.d/shop-upstream.conf'
    static final String BLUE_FILE = NginxRouter.render('shop', 'blue', '10.0.0.5:8080')
    static final String GREEN_FILE = NginxRouter.render('shop', 'green', '10.0.0.6:8080')

    /** What the running nginx serves: the colour of the upstream file at its last successful reload. */
    String nginxServes = 'blue'
    List<String> failing = []
    boolean rejectGreen

    @BeforeEach
    void seedUpstreamFile() {
        files[UPSTREAM] = BLUE_FILE
    }

    @Override
    Object runShell(String line, Map args, Map<String, String> boundEnv) {
        if (line == 'nginx -t' && rejectGreen && files[UPSTREAM].contains('dbdeploy-colour: green')) {
            throw new AbortException('script returned exit code 1')
        }
        if (failing.any { line.contains(it) }) {
            throw new AbortException('script returned exit code 1')
        }
        if (line == 'nginx -s reload') {
            nginxServes = NginxRouter.colourIn(files[UPSTREAM])
        }
        return null
    }

    @Test
    void theRenderedFileNamesItsColourAndServer() {
        assertEquals('''# Written by dbdeploy (deployWithMigrations); it is rewritten on every deployment.
# dbdeploy-colour: green
upstream shop {
    server 10.0.0.6:8080;
}
''', GREEN_FILE)
        assertEquals('green', NginxRouter.colourIn(GREEN_FILE))
        assertNull(NginxRouter.colourIn('upstream shop { server 1.2.3.4:80; }'))
    }

    @Test
    void switchingRewritesTheUpstreamFileTestsTheConfigThenReloads() {
        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertNull(failure)
        assertEquals([
                'mvn -B dbdeploy:package -Penv=prod',
                'mvn -B dbdeploy:status -Penv=prod',
                './deploy.sh green',
                'curl -fsS http://green.internal/health',
                'mvn -B dbdeploy:migrate -Penv=prod -Ddbdeploy.tag=deploy-prod-42',
                'nginx -t',
                'nginx -s reload',
                './verify.sh green',
        ], shells)
        assertEquals(GREEN_FILE, files[UPSTREAM])
        assertEquals('green', nginxServes)
    }

    @Test
    void aConfigurationNginxRejectsIsRestoredAndNeverReloaded() {
        rejectGreen = true

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals(['nginx -t', 'nginx -t', 'nginx -s reload', 'mvn -B dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=deploy-prod-42'],
                shells.subList(5, shells.size()), 'rejected switch, then the switch back to blue, then the rollback')
        assertEquals(BLUE_FILE, files[UPSTREAM])
        assertEquals('blue', nginxServes)
        assertEquals('FAILURE', buildResult)
        assertTrue(failure.message.contains("Stage 'Switch traffic to green' failed: nginx -t rejected the configuration with ${UPSTREAM} pointing at green"), failure.message)
        assertTrue(failure.message.contains('Undone: traffic switched back to blue; database rolled back to its state before deploy-prod-42.'), failure.message)
    }

    @Test
    void aFailedVerifyPutsNginxBackOnBlue() {
        failing << './verify.sh'

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals(['nginx -t', 'nginx -s reload', './verify.sh green', 'nginx -t', 'nginx -s reload',
                      'mvn -B dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=deploy-prod-42'], shells.subList(5, shells.size()))
        assertEquals(BLUE_FILE, files[UPSTREAM])
        assertEquals('blue', nginxServes)
        assertTrue(failure.message.startsWith("[deployWithMigrations] Stage 'Verify green' failed"))
    }

    @Test
    void theLiveColourComesFromTheFileSoGreenDeploysToBlue() {
        files[UPSTREAM] = GREEN_FILE
        nginxServes = 'green'

        runJenkinsfile('deployWithNginxRouter')

        assertTrue(shells.contains('./deploy.sh blue'))
        assertEquals(NginxRouter.render('shop', 'blue', '10.0.0.5:8080'), files[UPSTREAM])
        assertEquals('blue', nginxServes)
    }

    @Test
    void aMissingUpstreamFileStopsBeforeAnythingRunsAndSaysHowToCreateIt() {
        files.remove(UPSTREAM)

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals([], shells)
        assertTrue(failure.message.contains("The nginx upstream file ${UPSTREAM} does not exist, so the live colour is unknown."), failure.message)
        assertTrue(failure.message.contains("vars/deployWithMigrations.txt, 'nginx router'"))
    }

    @Test
    void aFileNotWrittenByDbdeployIsRefused() {
        files[UPSTREAM] = 'upstream shop { server 10.0.0.5:8080; }\n'

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals([], shells)
        assertTrue(failure.message.contains("has no '# dbdeploy-colour: <colour>' line"), failure.message)
    }

    @Test
    void nginxCommandIsUsedForTestAndReload() {
        binding.setVariable('overrides', [router: [type: 'nginx', upstreamFile: UPSTREAM, upstreamName: 'shop', nginxCommand: 'sudo -n nginx',
                                                   servers: [blue: '10.0.0.5:8080', green: '10.0.0.6:8080']]])

        runJenkinsfile('deployWithNginxRouter')

        assertTrue(shells.containsAll(['sudo -n nginx -t', 'sudo -n nginx -s reload']))
    }
}
