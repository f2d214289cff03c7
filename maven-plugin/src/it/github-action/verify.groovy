import java.nio.file.Files
import io.github.dbdeploy.maven.it.ItDatabase

// The GitHub Action's steps as a runner runs them: bash, INPUT_* variables, and real GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and GITHUB_ENV files. run.sh runs real Maven (the Maven running this build) with the plugin
// this build installed into the ITs' local repository, against the ITs' PostgreSQL with password authentication.
def port = pgPort as int
File repoRoot = basedir.parentFile.parentFile.parentFile.parentFile
File scripts = new File(repoRoot, '.github/actions/dbdeploy')
String path = new File(System.getProperty('maven.home'), 'bin').path + File.pathSeparator + System.getenv('PATH')
String mavenArgs = "-s\n${new File(basedir.parentFile, 'interpolated-settings.xml')}\n" +
        "-Dmaven.repo.local=${localRepositoryPath}\n-Dit.pg.port=${port}"

def runStep = { String name, String script, Map<String, String> inputs, String searchPath ->
    File gh = new File(basedir, "gh-" + name)
    gh.mkdirs()
    File output = new File(gh, 'output'), stepSummary = new File(gh, 'step_summary'), env = new File(gh, 'env')
    [output, stepSummary, env].each { it.text = '' }
    def pb = new ProcessBuilder('bash', new File(scripts, script).path).directory(basedir.parentFile)
            .redirectErrorStream(true)
    def e = pb.environment()
    e.keySet().removeAll { it.startsWith('INPUT_') || it.startsWith('GITHUB_') || it.startsWith('DBDEPLOY_') }
    e.putAll(inputs)
    e.put('PATH', searchPath)
    e.put('GITHUB_OUTPUT', output.path)
    e.put('GITHUB_STEP_SUMMARY', stepSummary.path)
    e.put('GITHUB_ENV', env.path)
    e.put('GITHUB_ACTOR', 'octocat')
    e.put('GITHUB_REPOSITORY', 'acme/shop')
    e.put('GITHUB_RUN_ID', '42')
    e.put('DBDEPLOY_PASSWORD', ItDatabase.APP_PASSWORD) // as `env: DBDEPLOY_PASSWORD: ${{ secrets.DB_PASSWORD }}`
    Process p = pb.start()
    String log = p.inputStream.getText('UTF-8')
    p.waitFor()
    new File(gh, 'log.txt').text = log
    def outputs = [:]
    output.readLines().each { line -> int i = line.indexOf('='); outputs[line.substring(0, i)] = line.substring(i + 1) }
    assert !log.contains(ItDatabase.APP_PASSWORD) && !stepSummary.text.contains(ItDatabase.APP_PASSWORD)
    return [code: p.exitValue(), log: log, outputs: outputs, summary: stepSummary.text, env: env.text]
}

// Java: set up only when missing or too old.
def java = runStep('java-present', 'check-java.sh', [INPUT_JAVA_VERSION: '17'], path)
assert java.code == 0 && java.outputs == [missing: 'false'] : java.log
java = runStep('java-too-old', 'check-java.sh', [INPUT_JAVA_VERSION: '99'], path)
assert java.outputs == [missing: 'true'] : java.log
assert java.log.contains('is older than 99; setting up Java 99.') : java.log

// A successful migrate; maven-args one per line (paths could hold spaces).
def ok = runStep('success', 'run.sh', [INPUT_GOAL: 'migrate', INPUT_ENVIRONMENT: 'ci',
        INPUT_WORKING_DIRECTORY: basedir.name, INPUT_MAVEN_ARGS: mavenArgs + '\n-Ddbdeploy.tag=gh-1\n'], path)
assert ok.code == 0 : ok.log
assert ok.log.contains('dbdeploy: mvn -B --no-transfer-progress dbdeploy:migrate -Penv=ci') : ok.log
assert ok.outputs == [status: 'success', 'deployment-id': 'gh-1', applied: '2'] : ok.outputs
assert ok.summary.startsWith('### dbdeploy migrate on `ci`: success') : ok.summary
assert ok.env.trim() == 'DBDEPLOY_SUMMARY_DIR=' + new File(basedir, 'target/dbdeploy').canonicalPath : ok.env
assert ItDatabase.query(port, 'github-action', 'select deployed_by from dbdeploy_deployment') ==
        ['octocat@github-actions/acme/shop#42']

// The next commit adds two changesets, the second of which fails: rolled back. The outputs are read as on a runner
// without jq, through the fallback.
File changelog = new File(basedir, 'db/changelog.xml')
changelog.text = changelog.text.replace('</databaseChangeLog>',
        '  <include file="sql/003-invoice.sql" relativeToChangelogFile="true"/>\n' +
        '  <include file="sql/004-broken.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>')
File noJq = new File(basedir, 'path-without-jq')
noJq.mkdirs()
path.split(File.pathSeparator).each { dir ->
    new File(dir).listFiles()?.each { f ->
        File link = new File(noJq, f.name)
        if (f.name != 'jq' && f.isFile() && f.canExecute() && !link.exists()) {
            Files.createSymbolicLink(link.toPath(), f.toPath())
        }
    }
}
def failed = runStep('rolled-back', 'run.sh', [INPUT_ENVIRONMENT: 'ci', INPUT_WORKING_DIRECTORY: basedir.name,
        INPUT_MAVEN_ARGS: mavenArgs.replace('\n', ' ') + ' -Ddbdeploy.tag=gh-2'],
        noJq.path)
assert failed.code == 1 : failed.log
assert failed.outputs == [status: 'rolled_back', 'deployment-id': 'gh-2', applied: '1'] : failed.outputs
assert failed.summary.startsWith('### dbdeploy migrate on `ci`: failed, rolled back') : failed.summary
assert failed.summary.contains('`004-broken`') : failed.summary
assert failed.log.contains('::error title=dbdeploy migrate::dbdeploy migrate ended with status rolled_back') : failed.log
assert ItDatabase.query(port, 'github-action', "select to_regclass('invoice') is null") == ['t']
assert ItDatabase.query(port, 'github-action', 'select count(*) from databasechangelog') == ['2']

// A password in maven-args is refused before Maven runs, without showing it; the outputs still say so.
def refused = runStep('password-in-args', 'run.sh', [INPUT_WORKING_DIRECTORY: basedir.name,
        INPUT_MAVEN_ARGS: '-Ddbdeploy.password=' + ItDatabase.APP_PASSWORD], path)
assert refused.code == 2 : refused.log
assert refused.log.contains('maven-args must not carry a password') : refused.log
assert refused.outputs == [status: 'error', 'deployment-id': '', applied: '0'] : refused.outputs
assert refused.summary.startsWith('### dbdeploy migrate: ERROR') : refused.summary
return true
