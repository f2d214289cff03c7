import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def log = new File(basedir, 'build.log').text
// Only what is pending on the target is rehearsed, on a server of the target's major version fetched by Maven.
assert log.contains('2 changeset(s) pending on jdbc:postgresql://localhost:' + port + '/rehearse (PostgreSQL 14, read only, no lock taken)')
assert log =~ /Rehearsal server started: PostgreSQL 14\.\d+\.\d+, the target's major version/
assert log =~ /rehearsed 002-index \(sql\/002-index.sql\) \d+ ms: rollback exact, reapply ok/
assert log.contains('lock ShareLock on public.orders')
assert log =~ /rehearsed 003-discount \(sql\/003-discount.sql\) \d+ ms: rollback differs, reapply failed/
assert log.contains('after rollback + column public.orders.discount: #3 integer')
assert log.contains('1 of 2 rehearsed changeset(s) failed (dbdeploy.rehearse.failOn=rollback,reapply): 003-discount (sql/003-discount.sql): rollback, reapply.')

def json = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/dbdeploy/summary.json'))
assert json.command == 'rehearse' && json.status == 'failed'
assert json.rehearsal.collect { [it.id, it.rollback, it.reapply] } == [['002-index', 'exact', 'ok'], ['003-discount', 'differs', 'failed']]
assert json.rehearsal[0].locks == [[relation: 'public.orders', mode: 'ShareLock']]
assert new File(basedir, 'target/dbdeploy/summary.md').text.contains('| `003-discount` (dev) | `sql/003-discount.sql` | ok | differs | failed |')

// The target is as version 1 left it.
assert ItDatabase.query(port, 'rehearse', 'select id from databasechangelog') == ['001-orders']
assert ItDatabase.query(port, 'rehearse', "select count(*) from pg_indexes where indexname = 'orders_total_idx'") == ['0']
assert ItDatabase.query(port, 'rehearse', "select count(*) from information_schema.columns where column_name = 'discount'") == ['0']
return true
