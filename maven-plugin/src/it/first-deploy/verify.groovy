import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def ids = ItDatabase.query(port, 'first-deploy', 'select id from databasechangelog order by orderexecuted')
assert ids == ['001-customer', '002-email', '003-seed']
assert ItDatabase.query(port, 'first-deploy', 'select count(*) from customer') == ['2']
assert ItDatabase.query(port, 'first-deploy', "select to_regclass('databasechangeloglock') is null") == ['t']
assert ItDatabase.query(port, 'first-deploy', "select deployment_id || ':' || applied from dbdeploy_deployment order by started_at") == ['first:3', 'second:0']
def log = new File(basedir, 'build.log').text
assert log =~ /applied\s+001-customer \(sql\/001-customer.sql\) \d+ ms/
assert log.contains('dbdeploy migrate local: success, applied 3, skipped 0')
assert log.contains('dbdeploy migrate local: success, applied 0, skipped 3')
assert !log.contains('app-password')
// Liquibase's own console output stays out of the way.
assert !log.contains('Running Changeset') && !log.contains('UPDATE SUMMARY')
def json = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/dbdeploy/summary.json'))
assert json.deploymentId == 'second' && json.status == 'success' && json.skipped == 3
assert new File(basedir, 'target/dbdeploy/summary.md').text.contains('| `second` | 0 | 3 |')
return true
