import io.github.dbdeploy.maven.it.ItDatabase
import io.github.dbdeploy.maven.it.SsmIt

def log = new File(basedir, 'build.log').text
assert log.contains('dbdeploy.password holds a password; with dbdeploy.target=ssm the host reads its own secret')
assert log.contains('dbdeploy.password=ssm:/app/prod/db-password')
assert !log.contains(ItDatabase.APP_PASSWORD)
assert !log.contains('Uploaded')
assert SsmIt.sentScripts().every { !it.contains('ssm_plain_password') }
assert ItDatabase.query(pgPort as int, 'ssm-plain-password', "select count(*) from information_schema.tables where table_schema = 'public'") == ['0']
return true
