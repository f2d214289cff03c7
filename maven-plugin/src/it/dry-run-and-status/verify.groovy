import io.github.dbdeploy.maven.it.ItDatabase
def log = new File(basedir, 'build.log').text
assert log.contains('create table customer (id bigint primary key, name text not null)')
assert log.contains('2 changeset(s) are pending on environment local (dbdeploy.failOnPending=true). Apply them with: mvn dbdeploy:migrate -Penv=local')
assert log.contains('  001-customer (sql/001-customer.sql)')
assert ItDatabase.query(pgPort as int, 'dry-run-and-status', "select count(*) from pg_tables where schemaname = 'public'") == ['0']
return true
