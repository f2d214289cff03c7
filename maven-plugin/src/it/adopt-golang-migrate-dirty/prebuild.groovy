import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def db = 'adopt-golang-migrate-dirty'
def dir = new File(basedir, '../../../../engine/src/test/resources/formats/golang-migrate').canonicalFile
// What golang-migrate left: versions 1 and 2 applied, version 3 started and marked dirty.
['000001_init.up.sql', '000002_seed.up.sql'].each { ItDatabase.executeAsApp(port, db, new File(dir, it).text) }
ItDatabase.executeAsApp(port, db, 'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)')
ItDatabase.executeAsApp(port, db, 'INSERT INTO schema_migrations (version, dirty) VALUES (3, true)')
return true
