import io.github.dbdeploy.maven.it.ItDatabase
// The password reached the database only after settings.xml decryption, and was printed nowhere.
assert ItDatabase.query(pgPort as int, 'encrypted-server-password', 'select count(*) from databasechangelog') == ['3']
def log = new File(basedir, 'build.log').text
assert !log.contains('app-password') && !log.contains('TG7JoBVvL1EHs')
return true
