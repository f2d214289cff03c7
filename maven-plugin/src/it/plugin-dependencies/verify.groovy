import io.github.dbdeploy.maven.it.ItDatabase
assert ItDatabase.query(pgPort as int, 'plugin-dependencies', 'select count(*) from databasechangelog') == ['2']
def log = new File(basedir, 'build.log').text
assert log =~ /dbdeploy migrate: environment local, database .* \(dbdeploy [^,]+, Liquibase 4\.33\.\d+, PostgreSQL JDBC 42\.7\.12\)/
// help: the goal, its settings with their properties, including the remote ones.
assert log.contains('dbdeploy:migrate')
assert log.contains('rollbackOnFailure') && log.contains('User property: dbdeploy.rollbackOnFailure')
assert log.contains('User property: dbdeploy.ssm.maxConcurrency')
return true
