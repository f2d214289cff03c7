import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
assert ItDatabase.query(port, 'emergency-rollback', 'select id from databasechangelog order by orderexecuted') == ['001-customer', '002-email']
assert ItDatabase.query(port, 'emergency-rollback', "select to_regclass('orders') is null") == ['t']
assert ItDatabase.query(port, 'emergency-rollback', 'select count(*) from customer') == ['0']
assert ItDatabase.query(port, 'emergency-rollback', "select status from dbdeploy_deployment where deployment_id = 'release-2'") == ['rolled_back']
assert ItDatabase.query(port, 'emergency-rollback', "select status from dbdeploy_deployment where deployment_id = 'release-1'") == ['success']
def log = new File(basedir, 'build.log').text
assert log.contains('Rolling back 2 changeset(s) to the state before deployment release-2')
// history: newest first, each deployment with what it applied
assert log =~ /release-2  rolled_back  .*  by .*  applied 2 \(environment local\)/
assert log =~ /release-1  success  .*  applied 2 \(environment local\)\s+\[INFO\]     001-customer \(sql\/001-customer.sql\)\s+\[INFO\]     002-email/
assert log.indexOf('release-2  rolled_back') < log.indexOf('release-1  success')
return true
