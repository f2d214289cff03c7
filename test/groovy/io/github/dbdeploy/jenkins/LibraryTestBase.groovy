package io.github.dbdeploy.jenkins

import static com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration.library

import com.lesfurets.jenkins.unit.cps.BasePipelineTestCPS
import hudson.AbortException
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach

/**
 * Loads the library the way Jenkins does (a test Jenkinsfile says {@code @Library('dbdeploy') _}) and
 * mocks the pipeline steps once. The Jenkinsfiles, vars/ and src/ all run through the CPS interpreter, and the
 * whole program is serialized after every step ({@link StepBoundaryCpsHelper}), as an old Jenkins would: a loop
 * holding an iterator across a step, or a @NonCPS helper calling a step, fails here as it would there. Mocks run a step's body with helper.callClosure, so
 * the body has finished (and been checked) before the mock's own code after it runs. Subclasses decide what `sh` does; every `sh` line, stage, lock,
 * credentials binding and echo is recorded in order so that tests can assert the exact sequence.
 */
abstract class LibraryTestBase extends BasePipelineTestCPS {

    public static final File ROOT = new File(System.getProperty('dbdeploy.library.root', '..')).canonicalFile
    public static final String SECRET = 'pa55-w0rd-never-logged'

    /** The `sh` lines in the order they ran. */
    final List<String> shells = []
    /** For each `sh` line, the credentials variables bound while it ran. */
    final Map<String, Map<String, String>> shellEnv = [:]
    /**
     * Everything the pipeline did, in order: "stage:NAME", "sh:LINE", "lock:R", "timeout:N MINUTES", "withCredentials:ID",
     * "libraryResource:PATH", "error:MSG".
     */
    final List<String> events = []
    final List<String> echoes = []
    final List<Map> archived = []
    /** The agent's files, for readFile/writeFile/fileExists. */
    final Map<String, String> files = [:]
    final Map<String, Map<String, String>> credentials = ['prod-db': [username: 'deployer', password: SECRET]]
    protected final Deque<Map<String, String>> boundEnv = new ArrayDeque<>()

    LibraryTestBase() {
        helper = new StepBoundaryCpsHelper()
    }

    @BeforeEach
    void setUpLibrary() {
        scriptRoots = [new File(ROOT, 'test/resources/jenkinsfiles').path] as String[]
        scriptExtension = 'jenkins'
        baseClassLoader = new LibrarySourceClassLoader(getClass().classLoader, new File(ROOT, 'src'))
        super.setUp()
        helper.registerSharedLibrary(library().name('dbdeploy')
                .defaultVersion('main')
                .allowOverride(false)
                .implicit(false)
                .targetPath(ROOT.path)
                .retriever(new ProjectRootRetriever(ROOT))
                .build())

        binding.setVariable('env', [JOB_NAME: 'shop/deploy-prod', JOB_BASE_NAME: 'deploy-prod', BUILD_NUMBER: '42'])
        binding.setVariable('currentBuild', [result: 'SUCCESS', description: null])
        binding.setVariable('overrides', [:])
        binding.setVariable('removals', [])

        helper.registerAllowedMethod('sh', [String]) { String line -> shell(line, [:]) }
        helper.registerAllowedMethod('sh', [Map]) { Map args -> shell(args.script as String, args) }
        helper.registerAllowedMethod('echo', [String]) { String message -> echoes << message; events << "echo:${message}".toString() }
        helper.registerAllowedMethod('stage', [String, Closure]) { String name, Closure body ->
            events << "stage:${name}".toString()
            helper.callClosure(body)
        }
        helper.registerAllowedMethod('lock', [Map, Closure]) { Map args, Closure body ->
            events << "lock:${args.resource}".toString()
            try {
                helper.callClosure(body)
            } finally {
                events << 'lock:released'
            }
        }
        helper.registerAllowedMethod('timeout', [Map, Closure]) { Map args, Closure body ->
            events << "timeout:${args.time} ${args.unit}".toString()
            helper.callClosure(body)
        }
        helper.registerAllowedMethod('usernamePassword', [Map]) { Map args -> [kind: 'usernamePassword'] + args }
        helper.registerAllowedMethod('withCredentials', [List, Closure]) { List bindings, Closure body ->
            Map<String, String> vars = [:]
            bindings.each { Map b ->
                Map<String, String> c = credentials[b.credentialsId]
                if (c == null) {
                    throw new AbortException("Could not find credentials entry with ID '${b.credentialsId}'")
                }
                vars[b.usernameVariable] = c.username
                vars[b.passwordVariable] = c.password
            }
            events << "withCredentials:${bindings.collect { it.credentialsId }.join(',')}".toString()
            boundEnv.push(vars)
            try {
                helper.callClosure(body)
            } finally {
                boundEnv.pop()
            }
        }
        helper.registerAllowedMethod('error', [String]) { String message ->
            events << "error:${message}".toString()
            updateBuildStatus('FAILURE')
            throw new AbortException(message)
        }
        helper.registerAllowedMethod('fileExists', [String]) { String path -> files.containsKey(path) }
        helper.registerAllowedMethod('readFile', [String]) { String path ->
            if (!files.containsKey(path)) {
                throw new FileNotFoundException(path)
            }
            files[path]
        }
        helper.registerAllowedMethod('writeFile', [Map]) { Map args -> files[args.file as String] = args.text as String }
        helper.registerAllowedMethod('archiveArtifacts', [Map]) { Map args -> archived << args }
        // As Jenkins does: the file from the library's resources/, and an abort when there is none.
        helper.registerAllowedMethod('libraryResource', [String]) { String path ->
            events << "libraryResource:${path}".toString()
            libraryResourceText(path)
        }
        helper.registerAllowedMethod('sleep', [Map]) { Map args -> events << "sleep:${args.time} ${args.unit}".toString() }
    }

    /** A file of the library's resources/, as the libraryResource step returns it. */
    static String libraryResourceText(String path) {
        File file = new File(ROOT, "resources/${path}")
        if (!file.isFile()) {
            throw new AbortException("No such library resource: ${path} (looked in ${file})")
        }
        return file.getText('UTF-8')
    }

    /** Secrets may be bound into the environment of a command, but never printed or put on a command line. */
    @AfterEach
    void noSecretLeaked() {
        List<String> output = shells + echoes + events + [String.valueOf(binding.getVariable('currentBuild').description)]
        List<String> leaks = output.findAll { it.contains(SECRET) }
        assert leaks.isEmpty(): "the password leaked into: ${leaks}"
    }

    /** What `sh` does: record it, then let the subclass decide the outcome. */
    protected Object shell(String line, Map args) {
        shells << line
        events << "sh:${line}".toString()
        Map<String, String> bound = [:]
        boundEnv.each { bound.putAll(it) }
        shellEnv[line] = bound
        return runShell(line, args, bound)
    }

    /** Returns stdout for returnStdout, the status for returnStatus, or null; throws AbortException to fail. */
    abstract Object runShell(String line, Map args, Map<String, String> boundEnv)

    /** Runs a test Jenkinsfile and returns what it threw, as Jenkins would end the build with it. */
    Throwable runJenkinsfile(String name) {
        try {
            runScript("${name}.jenkins")
            return null
        } catch (Throwable t) {
            // As Jenkins ends a build: an abort (FlowInterruptedException, an InterruptedException) is ABORTED.
            updateBuildStatus(t instanceof InterruptedException ? 'ABORTED' : 'FAILURE')
            return t
        }
    }

    String getBuildResult() {
        return binding.getVariable('currentBuild').result
    }

    String getBuildDescription() {
        return binding.getVariable('currentBuild').description
    }

    List<String> getStages() {
        return events.findAll { it.startsWith('stage:') }.collect { it.substring('stage:'.length()) }
    }
}
