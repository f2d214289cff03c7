import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def db = 'directory-changelog'
// Applied, rolled back through the U files, applied again: one changeset per Flyway migration, in numeric order.
assert ItDatabase.query(port, db, "select id || ' ' || author || ' ' || filename from databasechangelog order by orderexecuted") ==
        ['1 flyway V1__init.sql', '2 flyway V2__seed.sql', '3 flyway V3__shipped_status.sql',
         '4 flyway V4__orders_customer_index.sql', '10 flyway V10__customer_orders.sql']
assert ItDatabase.query(port, db, "select deployment_id || ':' || status || ':' || applied from dbdeploy_deployment order by started_at") ==
        ['first:rolled_back:5', 'again:success:5']
assert ItDatabase.query(port, db, "select indisvalid from pg_index where indexrelid = 'orders_customer_idx'::regclass") == ['t']
def log = new File(basedir, 'build.log').text
assert log =~ /dbdeploy migrate local: success, applied 5, skipped 0, .* \(deployment first\)/
assert log.contains('dbdeploy rollback local: success, rolled back 5')
return true
