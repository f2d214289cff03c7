package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertNull
import static org.junit.jupiter.api.Assertions.assertTrue

import hudson.AbortException
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource

/** deployWithMigrations with the built-in nginx router instead of liveColour/switchTraffic closures. */
class NginxRouterTest extends LibraryTestBase {

    static final String UPSTREAM = '/etc/nginx/conf.d/shop-upstream.conf'
    static final String TEMPLATE = libraryResourceText(NginxRouter.UPSTREAM_TEMPLATE)
    static final String BLUE_FILE = NginxRouter.render(TEMPLATE, 'shop', 'blue', '10.0.0.5:8080')
    static final String GREEN_FILE = NginxRouter.render(TEMPLATE, 'shop', 'green', '10.0.0.6:8080')
    static final String PROBE = "curl -sS -o /dev/null -D - --max-time 5 'http://shop.internal/health'"

    /** What the running nginx serves: the colour of the upstream file at its last successful reload. */
    String nginxServes = 'blue'
    List<String> failing = []
    boolean rejectGreen
    /** nginx -s reload exits 0 but the master keeps the old configuration (as when it cannot apply the new one). */
    boolean reloadIgnored
    /** Commands that the user aborts while they run, once each (the undo that follows runs them again). */
    List<String> aborting = []

    @BeforeEach
    void seedUpstreamFile() {
        files[UPSTREAM] = BLUE_FILE
    }

    @Override
    Object runShell(String line, Map args, Map<String, String> boundEnv) {
        if (line == 'nginx -t' && rejectGreen && files[UPSTREAM].contains('dbdeploy-colour: green')) {
            throw new AbortException('script returned exit code 1')
        }
        String aborted = aborting.find { line.contains(it) }
        if (aborted) {
            aborting.remove(aborted)
            throw new FlowInterruptedException('aborted by the user')
        }
        if (failing.any { line.contains(it) }) {
            throw new AbortException('script returned exit code 1')
        }
        if (line.endsWith('-s reload') && !reloadIgnored) {
            nginxServes = NginxRouter.colourIn(files[UPSTREAM])
        }
        if (line == PROBE) {
            // What curl -D - prints for a request that nginx proxied, with the header the user's server block adds.
            return "HTTP/1.1 200 OK\r\nServer: nginx\r\nX-Dbdeploy-Colour: ${nginxServes}\r\n\r\n".toString()
        }
        return null
    }

    private void routerWith(Map changes) {
        Map router = [type   : 'nginx', upstreamFile: UPSTREAM, upstreamName: 'shop', probeUrl: 'http://shop.internal/health',
                      servers: [blue: '10.0.0.5:8080', green: '10.0.0.6:8080']]
        router.putAll(changes)
        binding.setVariable('overrides', [router: router])
    }

    @Test
    void theRenderedFileNamesItsColourAndServer() {
        assertEquals('''# Written by dbdeploy (deployWithMigrations); it is rewritten on every deployment.
# dbdeploy-colour: green
upstream shop {
    server 10.0.0.6:8080;
}
map $host $dbdeploy_colour_shop {
    default "green";
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
                'mvn -B dbdeploy:rehearse -Penv=prod',
                './deploy.sh green',
                'curl -fsS http://green.internal/health',
                'mvn -B dbdeploy:migrate -Penv=prod -Ddbdeploy.tag=deploy-prod-42',
                'nginx -t',
                'nginx -s reload',
                PROBE,
                './verify.sh green',
        ], shells)
        assertEquals(GREEN_FILE, files[UPSTREAM])
        assertEquals('green', nginxServes)
        // The file comes from the library's resources/, as Jenkins serves it, just before it is written.
        assertEquals(1, events.count("libraryResource:${NginxRouter.UPSTREAM_TEMPLATE}".toString()))
    }

    @Test
    void aConfigurationNginxRejectsIsRestoredAndNeverReloaded() {
        rejectGreen = true

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals(['nginx -t', 'nginx -t', 'nginx -s reload', PROBE, 'mvn -B dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=deploy-prod-42'],
                shells.subList(6, shells.size()), 'rejected switch, then the switch back to blue, then the rollback')
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

        assertEquals(['nginx -t', 'nginx -s reload', PROBE, './verify.sh green', 'nginx -t', 'nginx -s reload', PROBE,
                      'mvn -B dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=deploy-prod-42'], shells.subList(6, shells.size()))
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
        assertEquals(NginxRouter.render(TEMPLATE, 'shop', 'blue', '10.0.0.5:8080'), files[UPSTREAM])
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
        routerWith(nginxCommand: 'sudo -n nginx')

        runJenkinsfile('deployWithNginxRouter')

        assertTrue(shells.containsAll(['sudo -n nginx -t', 'sudo -n nginx -s reload']))
    }

    @Test
    void aReloadThatNginxDidNotApplyIsCaughtByTheProbeAndUndone() {
        reloadIgnored = true

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals(['nginx -t', 'nginx -s reload'] + [PROBE] * NginxRouter.PROBE_ATTEMPTS +
                ['nginx -t', 'nginx -s reload', PROBE, 'mvn -B dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=deploy-prod-42'],
                shells.subList(6, shells.size()), 'probed until it gave up, then switched back (blue answers at once) and rolled back')
        assertEquals(NginxRouter.PROBE_ATTEMPTS - 1, events.count { it == 'sleep:1 SECONDS' }, 'one second between attempts')
        assertTrue(!shells.contains('./verify.sh green'), 'the switch was never reported done')
        assertEquals('FAILURE', buildResult)
        assertTrue(failure.message.contains("Stage 'Switch traffic to green' failed: nginx was reloaded with ${UPSTREAM} pointing at green " +
                "(10.0.0.6:8080), but http://shop.internal/health did not answer from green through nginx in 10 attempts " +
                "(last: HTTP 200, X-Dbdeploy-Colour: blue)."), failure.message)
        assertTrue(failure.message.contains("'add_header X-Dbdeploy-Colour \$dbdeploy_colour_shop always;'"), failure.message)
        assertTrue(failure.message.contains('Undone: traffic switched back to blue; database rolled back'), failure.message)
    }

    @ParameterizedTest
    @ValueSource(strings = [
            '10.9.9.9:8080;\n}\nserver 6.6.6.6:80',
            '10.9.9.9:8080; include /etc/shadow',
            '10.9.9.9:8080\n',
            '10.9.9.9 :8080',
            '{10.9.9.9:8080}',
            '"10.9.9.9:8080"',
            '10.9.9.9',
            '10.9.9.9:0',
            '10.9.9.9:65536',
            'unix:/tmp/app.sock',
            '-bad-.example:80',
    ])
    void aServerThatIsNotHostAndPortIsRefusedBeforeAnythingRuns(String server) {
        routerWith(servers: [blue: '10.0.0.5:8080', green: server])

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals([], shells)
        assertEquals(BLUE_FILE, files[UPSTREAM])
        assertTrue(failure.message.startsWith('[deployWithMigrations] Invalid router: servers.green must be host:port'), failure.message)
        assertTrue(!failure.message.contains(server), 'the value is not echoed')
    }

    @ParameterizedTest
    @ValueSource(strings = ['shop-green.internal:8080', '127.0.0.1:80', '[::1]:8080', '[2001:db8::6]:65535', 'green:1'])
    void hostNamesAndAddressesWithPortsAreAccepted(String server) {
        routerWith(servers: [blue: '10.0.0.5:8080', green: server])

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertNull(failure)
        assertEquals(NginxRouter.render(TEMPLATE, 'shop', 'green', server), files[UPSTREAM])
    }

    @ParameterizedTest
    @ValueSource(strings = ["http://shop.internal/'; rm -rf / #", 'http://shop.internal/$(id)', 'ftp://shop.internal/', 'http://shop internal/', 'shop.internal'])
    void aProbeUrlThatIsNotAPlainHttpUrlIsRefused(String url) {
        routerWith(probeUrl: url)

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertEquals([], shells)
        assertTrue(failure.message.startsWith('[deployWithMigrations] Invalid router: probeUrl must be an http:// or https:// URL'), failure.message)
    }

    @Test
    void anAbortWhileNginxChecksTheNewFilePutsTheOldFileBackAndEndsAborted() {
        aborting << 'nginx -t'

        Throwable failure = runJenkinsfile('deployWithNginxRouter')

        assertTrue(failure instanceof FlowInterruptedException, "${failure}")
        assertEquals('ABORTED', buildResult)
        assertEquals(BLUE_FILE, files[UPSTREAM])
        assertEquals('blue', nginxServes)
        assertEquals('mvn -B dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=deploy-prod-42', shells.last(), 'the same undo as a failure')
    }
}
