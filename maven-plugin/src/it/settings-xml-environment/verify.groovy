import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def db = 'settings-xml-environment'
assert ItDatabase.query(port, db, "select deployment_id from dbdeploy_deployment") == ['via-profile']
assert ItDatabase.query(port, db, 'select id from databasechangelog') == ['001-first']
def log = new File(basedir, 'build.log').text
assert log.contains('dbdeploy migrate: environment ci')
assert log.contains('dbdeploy rollback: environment ci')
assert !log.contains('is not configured')
return true
