import io.github.dbdeploy.maven.it.ItDatabase
def log = new File(basedir, 'build.log').text
assert log.contains('FATAL: password authentication failed for user "app"')
assert log.contains("Check the credentials for environment 'local'")
assert !log.contains('Wr0ng-Secret-Value')
assert ItDatabase.query(pgPort as int, 'wrong-password', "select count(*) from pg_tables where schemaname = 'public'") == ['0']
return true
