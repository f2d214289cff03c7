import io.github.dbdeploy.maven.it.ItDatabase
import io.github.dbdeploy.engine.SchemaDump
def port = pgPort as int
// A database that already has a schema of its own, as in production.
ItDatabase.executeAsApp(port, 'failing-changeset', "create table legacy (id int primary key, name text); insert into legacy values (1, 'kept')")
new File(basedir, 'schema-before.txt').text = SchemaDump.of(ItDatabase.adminUrl(port, 'failing-changeset'))
return true
