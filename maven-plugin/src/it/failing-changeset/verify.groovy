import io.github.dbdeploy.maven.it.ItDatabase
import io.github.dbdeploy.engine.SchemaDump
def port = pgPort as int
def before = new File(basedir, 'schema-before.txt').text
assert before.contains('legacy')
assert SchemaDump.of(ItDatabase.adminUrl(port, 'failing-changeset')) == before
assert ItDatabase.query(port, 'failing-changeset', 'select count(*) from databasechangelog') == ['0']
def log = new File(basedir, 'build.log').text
assert log.contains('Changeset 004-broken (author dev) in sql/004-broken.sql failed: ERROR: relation "no_such_table" does not exist')
assert log.contains('Rolled back the 3 changeset(s) applied before it')
assert log =~ /rolled back\s+003-alter/
def json = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/dbdeploy/summary.json'))
assert json.status == 'rolled_back'
assert json.changesets.find { it.id == '004-broken' }.subMap(['author', 'file', 'status']) ==
        [author: 'dev', file: 'sql/004-broken.sql', status: 'failed']
return true
