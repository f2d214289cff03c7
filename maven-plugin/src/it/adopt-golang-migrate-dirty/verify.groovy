import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def db = 'adopt-golang-migrate-dirty'
def log = new File(basedir, 'build.log').text
assert log.contains("schema_migrations says version 3 is dirty: that migration failed partway")
assert log.contains('Nothing was changed, and schema_migrations is left as it was.')
assert ItDatabase.query(port, db, "select to_regclass('databasechangelog') is null and to_regclass('dbdeploy_deployment') is null") == ['t']
assert ItDatabase.query(port, db, "select version || ' ' || dirty from schema_migrations") == ['3 true']
return true
