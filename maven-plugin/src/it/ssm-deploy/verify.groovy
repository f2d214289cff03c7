import io.github.dbdeploy.maven.it.ItDatabase
import io.github.dbdeploy.maven.it.SsmIt

def port = pgPort as int
// The host applied both changesets to its database, once.
assert ItDatabase.query(port, 'ssm-deploy', 'select id from databasechangelog order by orderexecuted') == ['001-customer', '002-orders']
assert ItDatabase.query(port, 'ssm-deploy', "select applied from dbdeploy_deployment order by started_at") == ['2', '0']

def log = new File(basedir, 'build.log').text
// dbdeploy:package wrote a bundle.
assert new File(basedir, 'target/dbdeploy/dbdeploy-bundle.tar.gz').isFile()
assert log =~ /dbdeploy package: .*dbdeploy-bundle.tar.gz \(3 file\(s\), \d+ bytes\)/
// First deploy uploaded the runner and the bundle; the second uploaded nothing.
assert log.contains('Uploaded runner jar s3://deployments/dbdeploy/runners/')
assert log.contains('Uploaded bundle s3://deployments/dbdeploy/bundles/')
assert log.contains('Already in S3: runner jar s3://deployments/dbdeploy/runners/')
assert log.contains('Already in S3: bundle s3://deployments/dbdeploy/bundles/')
// The host's own lines, prefixed with its instance id.
assert log.contains('[i-0123456789abcdef0] dbdeploy migrate prod: success, applied 2, skipped 0')
assert log.contains('[i-0123456789abcdef0] Changelog unchanged since the last deployment: nothing to apply.')
assert log.contains('dbdeploy migrate prod via SSM: success on 1 host(s)')
// The host's summary came back, with the instance id.
def json = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/dbdeploy/summary.json'))
assert json.target == 'ssm' && json.hosts*.instanceId == ['i-0123456789abcdef0']
assert json.deploymentId ==~ /1\.0\.0-\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}/
assert json.status == 'success' && json.applied == 0 && json.skipped == 2
assert json.remote.commandId != null
assert new File(basedir, 'target/dbdeploy/summary.md').text.contains('| `i-0123456789abcdef0` | success | Success | 0 | 2 |')
// No secret anywhere: not the database password, not CI's AWS secret, in the log or in any command sent.
assert !log.contains(ItDatabase.APP_PASSWORD)
assert !log.contains('ci-secret-key-that-must-never-leak-0001')
def scripts = SsmIt.sentScripts().findAll { it.contains('ssm_deploy') }
assert scripts.size() == 2
scripts.each { assert !it.contains(ItDatabase.APP_PASSWORD) && !it.contains('ci-secret-key') && it.contains('password=ssm\\:/it/prod/db-password') }
return true
