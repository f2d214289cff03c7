import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def db = 'pom-settings'
// Run 1 kept 001 (rollbackOnFailure=false from <properties>), run 2 undid it, run 3 rolled its own failure back.
assert ItDatabase.query(port, db, "select deployment_id || ':' || status from dbdeploy_deployment order by deployment_id") ==
        ['from-profile:rolled_back', 'keep-1:failed']
assert ItDatabase.query(port, db, 'select count(*) from databasechangelog') == ['0']
assert ItDatabase.query(port, db, "select to_regclass('kept') is null") == ['t']
def log = new File(basedir, 'build.log').text
assert log.contains('The 1 changeset(s) applied before it remain (dbdeploy.rollbackOnFailure is false)')
assert log.contains('Rolled back the 1 changeset(s) applied before it')
assert log.contains('Unknown setting dbdeploy.ssm.maxConcurency is ignored. Did you mean dbdeploy.ssm.maxConcurrency?')
return true
