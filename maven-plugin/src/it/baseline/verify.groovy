import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
// "3" matched "003": 001-003 recorded (not run), then 004 and 010 applied.
assert ItDatabase.query(port, 'baseline', "select id || ' ' || exectype from databasechangelog order by orderexecuted") ==
        ['001 EXECUTED', '002 EXECUTED', '003 EXECUTED', '004 EXECUTED', '010 EXECUTED']
assert ItDatabase.query(port, 'baseline', "select deployment_id || ':' || status || ':' || applied from dbdeploy_deployment order by started_at") ==
        ['baseline:baseline:3', 'next:success:2']
assert ItDatabase.query(port, 'baseline', "select count(*) from note") == ['3'], 'the seed ran once, by hand, not again'
assert ItDatabase.query(port, 'baseline', "select indisvalid from pg_index where indexrelid = 'orders_customer_idx'::regclass") == ['t']
def log = new File(basedir, 'build.log').text
assert log.contains('dbdeploy baseline local: success, recorded 3 as applied (not run)')
assert log =~ /dbdeploy migrate local: success, applied 2, skipped 3/
return true
