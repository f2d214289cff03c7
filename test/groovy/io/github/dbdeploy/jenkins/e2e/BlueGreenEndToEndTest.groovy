package io.github.dbdeploy.jenkins.e2e

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertNull
import static org.junit.jupiter.api.Assertions.assertTrue
import static org.junit.jupiter.api.Assertions.fail
import static org.junit.jupiter.api.Assumptions.assumeTrue

import hudson.AbortException
import io.github.dbdeploy.jenkins.LibraryTestBase
import io.github.dbdeploy.jenkins.NginxRouter
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.MethodOrderer
import org.junit.jupiter.api.Order
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInfo
import org.junit.jupiter.api.TestMethodOrder

import java.lang.management.ManagementFactory
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.sql.Connection
import java.sql.DriverManager
import java.util.concurrent.TimeUnit
import java.util.jar.JarFile

/**
 * The library in a real run: JenkinsPipelineUnit executes the test Jenkinsfiles with `sh` run for real,
 * the real dbdeploy Maven plugin migrates a real PostgreSQL, a real nginx on loopback routes a load
 * generator to one of two real app processes, and the nginx router switches it.
 *
 * The tests run in order and share one environment, as one deployment history:
 * 1. dbdeployMigrate brings the database to version 1's schema; blue runs version 1 behind nginx.
 * 2. deployWithMigrations of version 2 whose verify stage fails: traffic goes back to blue, the database is rolled back.
 * 3. the same deployment, verify passing: green serves version 2 on the migrated schema, blue is retired.
 * Under load throughout 2 and 3, no request may fail.
 *
 * Needs nginx (Debian package 'nginx') and the plugin installed by the maven-plugin module's integration
 * tests into maven-plugin/target/local-repo; without them the tests are skipped, unless DBDEPLOY_E2E_REQUIRED=true.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation)
class BlueGreenEndToEndTest extends LibraryTestBase {

    static final boolean REQUIRED = System.getenv('DBDEPLOY_E2E_REQUIRED') == 'true'
    static final File LOCAL_REPO = new File(System.getProperty('dbdeploy.e2e.localRepo', "${ROOT}/maven-plugin/target/local-repo")).canonicalFile
    static final String PLUGIN_VERSION = System.getProperty('dbdeploy.e2e.pluginVersion', '0.1.0-SNAPSHOT')
    static final File WORK = new File(System.getProperty('dbdeploy.e2e.workDir', 'target/e2e')).canonicalFile
    static final File WORKSPACE = new File(WORK, 'workspace')
    static final File NGINX_DIR = new File(WORK, 'nginx')
    static final File UPSTREAM_FILE = new File(NGINX_DIR, 'shop-upstream.conf')
    static final File REPORT = new File(WORK, 'load-report.txt')

    static EmbeddedPostgres postgres
    static String adminUrl
    static String appJdbcUrl
    static String mavenJdbcUrl
    /** The database login: postgres with any password on the embedded server (trust), or the external URL's user and password. */
    static String dbUser = 'postgres'
    static String dbPassword = SECRET
    static int bluePort, greenPort, nginxPort
    static Process nginx
    static String nginxCommand
    static boolean initialised
    /** Why the environment could not be set up; each test is skipped (or fails, if required) with it. */
    static String missing

    String testName
    final StringBuilder log = new StringBuilder()

    @BeforeAll
    static void startEnvironment() {
        File plugin = new File(LOCAL_REPO, "io/github/dbdeploy/dbdeploy-maven-plugin/${PLUGIN_VERSION}")
        String nginxBinary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find { new File(it).canExecute() }
        if (!plugin.isDirectory()) {
            missing = "the dbdeploy Maven plugin is not installed in ${LOCAL_REPO} " +
                    "(run 'mvn -B verify' from the repository root: the maven-plugin module's integration tests install it there)"
            return
        }
        List<String> goalsMissing = missingGoals(new File(plugin, "dbdeploy-maven-plugin-${PLUGIN_VERSION}.jar"))
        if (goalsMissing) {
            missing = "the dbdeploy Maven plugin in ${LOCAL_REPO} has no goal ${goalsMissing.join(', ')} yet; the library calls " +
                    "package, status, migrate and rollback"
            return
        }
        if (nginxBinary == null) {
            missing = 'nginx is not installed (Debian: apt-get install -y nginx)'
            return
        }

        WORK.deleteDir()
        WORK.mkdirs()
        copyTree(new File(ROOT, 'test/resources/e2e-project').toPath(), WORKSPACE.toPath())

        String external = System.getenv('DBDEPLOY_TEST_JDBC_URL')
        if (external) {
            adminUrl = external
        } else {
            postgres = EmbeddedPostgres.builder().start()
            adminUrl = postgres.getJdbcUrl('postgres', 'postgres')
        }
        // Groovy 2.4 cannot call static interface methods such as ProcessHandle.current(), hence the MXBean.
        String database = "shop_e2e_${ManagementFactory.runtimeMXBean.name.split('@')[0]}"
        sql(adminUrl) { it.createStatement().execute("create database ${database}") }
        URI admin = new URI(adminUrl.substring('jdbc:'.length()))
        mavenJdbcUrl = "jdbc:postgresql://${admin.host}:${admin.port}/${database}"
        Map<String, String> params = (admin.query ?: '').split('&').findAll { it.contains('=') }.collectEntries {
            [(it.substring(0, it.indexOf('='))): URLDecoder.decode(it.substring(it.indexOf('=') + 1), 'UTF-8')]
        }
        dbUser = params.user ?: dbUser
        dbPassword = params.password ?: dbPassword
        appJdbcUrl = "${mavenJdbcUrl}?user=${URLEncoder.encode(dbUser, 'UTF-8')}&password=${URLEncoder.encode(dbPassword, 'UTF-8')}"

        bluePort = freePort()
        greenPort = freePort()
        nginxPort = freePort()
        startNginx(nginxBinary)
    }

    @AfterAll
    static void stopEnvironment() {
        ['blue', 'green'].each { colour ->
            File pidFile = new File(WORKSPACE, "run/${colour}.pid")
            if (pidFile.isFile()) {
                new ProcessBuilder('kill', pidFile.text.trim()).inheritIO().start().waitFor(10, TimeUnit.SECONDS)
            }
        }
        if (nginx != null) {
            new ProcessBuilder((nginxCommand + ' -s quit').split(' ')).inheritIO().start().waitFor(10, TimeUnit.SECONDS)
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly()
            }
        }
        postgres?.close()
    }

    @BeforeEach
    void realAgent(TestInfo info) {
        require(missing == null, missing)
        testName = info.testMethod.get().name
        credentials['e2e-db'] = [username: dbUser, password: dbPassword]
        String appClasspath = [TinyApp, GroovySystem, org.postgresql.Driver].collect {
            new File(it.protectionDomain.codeSource.location.toURI()).path
        }.join(File.pathSeparator)
        Map env = binding.getVariable('env') as Map
        env.putAll([
                E2E_MAVEN_ARGS    : "-B -ntp -Dmaven.repo.local=${LOCAL_REPO} -Ddbdeploy.version=${PLUGIN_VERSION} -De2e.jdbcUrl=${mavenJdbcUrl}".toString(),
                E2E_APP_CLASSPATH : appClasspath,
                E2E_APP_JDBC_URL  : appJdbcUrl,
                E2E_BLUE_PORT     : String.valueOf(bluePort),
                E2E_GREEN_PORT    : String.valueOf(greenPort),
                E2E_NGINX_PORT    : String.valueOf(nginxPort),
                E2E_NGINX_COMMAND : nginxCommand,
                E2E_UPSTREAM_FILE : UPSTREAM_FILE.path,
        ])
        // The agent's files are real files, relative to the workspace.
        helper.registerAllowedMethod('fileExists', [String]) { String path -> file(path).exists() }
        helper.registerAllowedMethod('readFile', [String]) { String path -> file(path).text }
        helper.registerAllowedMethod('writeFile', [Map]) { Map args ->
            File target = file(args.file as String)
            target.parentFile.mkdirs()
            target.text = args.text as String
        }
        helper.registerAllowedMethod('sleep', [Map]) { Map args ->
            events << "sleep:${args.time} ${args.unit}".toString()
            Thread.sleep(TimeUnit.valueOf(args.unit as String).toMillis(args.time as long))
        }
        helper.registerAllowedMethod('archiveArtifacts', [Map]) { Map args ->
            archived << args
            File into = new File(WORK, "archive/${testName}")
            into.mkdirs()
            (args.artifacts as String).split(',').each { String path ->
                if (file(path).isFile()) {
                    Files.copy(file(path).toPath(), new File(into, file(path).name).toPath(), StandardCopyOption.REPLACE_EXISTING)
                }
            }
        }
    }

    /** `sh` on a real shell, in the workspace, with the job's environment and any bound credentials, as Jenkins runs it. */
    @Override
    Object runShell(String line, Map args, Map<String, String> boundEnv) {
        ProcessBuilder builder = new ProcessBuilder('sh', '-xe', '-c', line).directory(WORKSPACE)
        (binding.getVariable('env') as Map).each { k, v -> builder.environment()[k as String] = v as String }
        builder.environment().putAll(boundEnv)
        builder.redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        File stderr = File.createTempFile('sh-', '.err', WORK)
        builder.redirectError(stderr)
        long start = System.currentTimeMillis()
        Process process = builder.start()
        String stdout = process.inputStream.getText('UTF-8')
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly()
            throw new AbortException("script timed out: ${line}")
        }
        int code = process.exitValue()
        log << "\$ ${line}   (exit ${code}, ${System.currentTimeMillis() - start} ms)\n" << stderr.text << stdout
        stderr.delete()
        println "[e2e ${testName}] ${line} -> exit ${code} in ${System.currentTimeMillis() - start} ms"
        if (args.returnStatus) {
            return code
        }
        if (code != 0) {
            throw new AbortException("script returned exit code ${code}")
        }
        return args.returnStdout ? stdout : null
    }

    @Test
    @Order(1)
    void dbdeployMigrateBringsTheDatabaseToVersionOneAndBlueServesIt() {
        Throwable failure = runAndKeepLog('e2eInitialSchema')

        assertNull(failure, "the initial migrate failed; see ${logFile()}")
        assertEquals(['greeting'], tables())
        assertEquals(['1-greeting'], appliedChangesets())
        assertTrue(new File(WORK, "archive/${testName}/migrate-summary.md").isFile(), 'the summary was archived under the goal\'s name')

        runShell('./scripts/deploy.sh blue', [:], [:])
        runShell('./scripts/health-check.sh blue', [:], [:])
        assertEquals('blue v1: hello', get(nginxPort))
        initialised = true
    }

    @Test
    @Order(2)
    void aFailedVerifyPutsTrafficBackOnBlueAndRollsTheDatabaseBackWithoutAFailedRequest() {
        assumeTrue(initialised, 'needs the initial deployment of the previous test')
        newBuild()
        binding.getVariable('env').putAll([E2E_DEPLOYMENT_ID: 'e2e-verify-fails', E2E_VERIFY_FAIL: '1'])

        LoadGenerator load = new LoadGenerator(nginxPort, 2, 20_000, 120_000, 5).start()
        Throwable failure = runAndKeepLog('e2eDeploy')
        Thread.sleep(500)
        load.stop()
        report(load, 'verify fails, deployment undone')

        assertTrue(failure instanceof AbortException, "the build fails; see ${logFile()}")
        assertEquals('FAILURE', buildResult)
        assertTrue(failure.message.startsWith("[deployWithMigrations] Stage 'Verify green' failed: AbortException: script returned exit code 1. " +
                "Undone: traffic switched back to blue; database rolled back to its state before e2e-verify-fails."), failure.message)
        assertTrue(shells.contains("mvn ${env('E2E_MAVEN_ARGS')} dbdeploy:rollback -Penv=e2e -Ddbdeploy.rollbackTag=e2e-verify-fails".toString()))
        assertEquals('blue', NginxRouter.colourIn(UPSTREAM_FILE.text))
        assertEquals('blue v1: hello', get(nginxPort))
        assertEquals(['id', 'text'], columns('greeting'), 'the lang column was rolled back')
        assertEquals(['1-greeting'], appliedChangesets())
        assertTrue(new File(WORK, "archive/${testName}/rollback-summary.md").text.contains('rollback'), 'the rollback\'s summary is archived')
        assertTrue(new File(WORK, "archive/${testName}/migrate-summary.md").text.contains('e2e-verify-fails'),
                'the migrate summary that explains the rollback is archived beside it')
        assertTrue(buildDescription.contains('e2e-verify-fails'), buildDescription)
        assertTrue(load.answeredBy['green']?.get() > 0, "green served traffic between the switch and the switch back: ${load.answeredBy}")
        assertZeroFailures(load)
    }

    @Test
    @Order(3)
    void aSuccessfulDeploymentMovesTrafficToGreenOnTheMigratedSchemaWithoutAFailedRequest() {
        assumeTrue(initialised, 'needs the initial deployment of the first test')
        newBuild()
        binding.getVariable('env').putAll([E2E_DEPLOYMENT_ID: 'e2e-success'])

        LoadGenerator load = new LoadGenerator(nginxPort, 2, 20_000, 120_000, 5).start()
        Throwable failure = runAndKeepLog('e2eDeploy')
        Thread.sleep(500)
        load.stop()
        report(load, 'successful deployment')

        assertNull(failure, "the deployment failed; see ${logFile()}")
        assertEquals('SUCCESS', buildResult)
        assertEquals('green', NginxRouter.colourIn(UPSTREAM_FILE.text))
        assertEquals('green v2: hello (en)', get(nginxPort))
        assertEquals(['id', 'lang', 'text'], columns('greeting'))
        assertEquals(['1-greeting', '2-greeting-lang'], appliedChangesets())
        assertTrue(!new File(WORKSPACE, 'run/blue.pid').exists(), 'blue was retired')
        assertTrue(buildDescription.startsWith('e2e-success: green serves traffic in e2e; the database is migrated; blue was retired.'), buildDescription)
        assertTrue(new File(WORK, "archive/${testName}/migrate-summary.md").text.contains('e2e-success'), 'the migrate summary is archived')
        assertTrue(load.answeredBy['green']?.get() > 0 && load.answeredBy['blue']?.get() > 0, "${load.answeredBy}")
        assertZeroFailures(load)
    }

    // ---- helpers ----

    /** The workspace now holds version 2 of the application and its changelog, as a new commit would. */
    private static void newBuild() {
        new File(WORKSPACE, 'app-version').text = '2\n'
        Files.copy(new File(WORKSPACE, 'changelogs/v2.xml').toPath(), new File(WORKSPACE, 'src/main/resources/db/changelog.xml').toPath(), StandardCopyOption.REPLACE_EXISTING)
    }

    private Throwable runAndKeepLog(String jenkinsfile) {
        try {
            return runJenkinsfile(jenkinsfile)
        } finally {
            echoes.each { log << "[echo] ${it}\n" }
            logFile().text = log.toString()
            assertTrue(!log.toString().contains(dbPassword), "the database password appeared in the build output; see ${logFile()}")
        }
    }

    private File logFile() {
        return new File(WORK, "${testName}.log")
    }

    private void report(LoadGenerator load, String scenario) {
        String line = load.report(scenario)
        println "[e2e] ${line}"
        REPORT << line + '\n'
    }

    private static void assertZeroFailures(LoadGenerator load) {
        assertTrue(load.requests > 100, "the load generator ran: ${load.requests} requests")
        assertEquals(0L, load.failures, "failed requests, e.g. ${load.failureSamples}")
    }

    private String env(String name) {
        return (binding.getVariable('env') as Map)[name]
    }

    private static File file(String path) {
        File f = new File(path)
        return f.absolute ? f : new File(WORKSPACE, path)
    }

    private static String get(int port) {
        return new URL("http://127.0.0.1:${port}/").getText('UTF-8').trim()
    }

    private static List<String> tables() {
        return query("select table_name from information_schema.tables where table_schema = 'public' and table_name not ilike 'databasechange%' " +
                "and table_name not ilike 'dbdeploy%' order by 1")
    }

    private static List<String> columns(String table) {
        return query("select column_name from information_schema.columns where table_name = '${table}' order by 1")
    }

    private static List<String> appliedChangesets() {
        return query('select id from databasechangelog order by orderexecuted')
    }

    private static List<String> query(String text) {
        List<String> rows = []
        sql(appJdbcUrl) { Connection c ->
            def rs = c.createStatement().executeQuery(text)
            while (rs.next()) {
                rows << rs.getString(1)
            }
        }
        return rows
    }

    private static void sql(String url, Closure body) {
        Connection c = DriverManager.getConnection(url)
        try {
            body.call(c)
        } finally {
            c.close()
        }
    }

    private static void startNginx(String binary) {
        File tmp = new File(NGINX_DIR, 'tmp')
        tmp.mkdirs()
        UPSTREAM_FILE.text = NginxRouter.render(libraryResourceText(NginxRouter.UPSTREAM_TEMPLATE), 'shop', 'blue', "127.0.0.1:${bluePort}")
        File conf = new File(NGINX_DIR, 'nginx.conf')
        conf.text = """
worker_processes 1;
pid ${NGINX_DIR}/nginx.pid;
error_log ${NGINX_DIR}/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${tmp}/body;
    proxy_temp_path ${tmp}/proxy;
    fastcgi_temp_path ${tmp}/fastcgi;
    uwsgi_temp_path ${tmp}/uwsgi;
    scgi_temp_path ${tmp}/scgi;
    include ${UPSTREAM_FILE};
    server {
        listen 127.0.0.1:${nginxPort};
        location / {
            proxy_pass http://shop;
            proxy_connect_timeout 2s;
            # How the router's probe knows which upstream file nginx serves from.
            add_header X-Dbdeploy-Colour \$${NginxRouter.colourVariable('shop')} always;
        }
    }
}
"""
        nginxCommand = "${binary} -p ${NGINX_DIR} -c ${conf} -e ${NGINX_DIR}/error.log"
        nginx = new ProcessBuilder((nginxCommand + ' -g daemon_off;').split(' ').collect { it == 'daemon_off;' ? 'daemon off;' : it })
                .redirectErrorStream(true).redirectOutput(new File(NGINX_DIR, 'stdout.log')).start()
        long deadline = System.currentTimeMillis() + 10_000
        while (System.currentTimeMillis() < deadline) {
            try {
                new Socket('127.0.0.1', nginxPort).close()
                return
            } catch (IOException ignored) {
                if (!nginx.alive) {
                    fail("nginx exited: ${new File(NGINX_DIR, 'stdout.log').text} ${new File(NGINX_DIR, 'error.log').text}")
                }
                Thread.sleep(50)
            }
        }
        fail('nginx did not start listening within 10 s')
    }

    private static int freePort() {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())
        try {
            return socket.localPort
        } finally {
            socket.close()
        }
    }

    private static void copyTree(Path from, Path to) {
        def stream = Files.walk(from)
        try {
            stream.iterator().each { Path source ->
                Path target = to.resolve(from.relativize(source).toString())
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target)
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING)
                }
            }
        } finally {
            stream.close()
        }
    }

    /** The goals the library calls that the installed plugin's descriptor does not declare. */
    private static List<String> missingGoals(File pluginJar) {
        if (!pluginJar.isFile()) {
            return ['(no plugin jar)']
        }
        JarFile jar = new JarFile(pluginJar)
        try {
            def entry = jar.getEntry('META-INF/maven/plugin.xml')
            String descriptor = entry ? jar.getInputStream(entry).getText('UTF-8') : ''
            List<String> goals = new XmlSlurper().parseText(descriptor ?: '<plugin/>').mojos.mojo.goal*.text()
            return ['package', 'status', 'migrate', 'rollback'].findAll { !goals.contains(it) }
        } finally {
            jar.close()
        }
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            if (REQUIRED) {
                fail("End-to-end test cannot run: ${what}. DBDEPLOY_E2E_REQUIRED=true makes this a failure.")
            }
            println "[e2e] SKIPPED: ${what}."
            assumeTrue(false, "End-to-end test skipped: ${what}.")
        }
    }
}
