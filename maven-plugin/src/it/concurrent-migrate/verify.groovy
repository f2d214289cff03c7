import io.github.dbdeploy.maven.it.ItDatabase
import io.github.dbdeploy.maven.it.MavenRun
def port = pgPort as int
def args = ['-Dit.pg.port=' + port, '-Penv=local', '-Ddbdeploy.password=app-password', 'dbdeploy:migrate'] as String[]
def a = MavenRun.start(basedir, localRepositoryPath.toString(), 'run-a.log', args)
def b = MavenRun.start(basedir, localRepositoryPath.toString(), 'run-b.log', args)
assert a.await(180) == 0 : a.log()
assert b.await(180) == 0 : b.log()
def ids = ItDatabase.query(port, 'concurrent-migrate', 'select id from databasechangelog order by orderexecuted')
assert ids == ['001-customer', '002-slow', '002-email', '003-seed']
assert ItDatabase.query(port, 'concurrent-migrate', 'select count(*) from customer') == ['2']
def logs = [a.log(), b.log()]
assert logs.count { it.contains('success, applied 4') } == 1 : logs
assert logs.count { it.contains('success, applied 0') } == 1 : logs
assert logs.any { it.contains('Waiting for the deployment lock held by') } : logs
// Both runs started at once with generated ids: each is its own row in the journal, neither erased the other.
def journal = ItDatabase.query(port, 'concurrent-migrate',
        "select deployment_id || ' ' || status || ' ' || applied from dbdeploy_deployment order by seq")
assert journal.size() == 2 : journal
assert journal*.split(' ')*.getAt(0).unique().size() == 2 : journal
assert journal.every { it ==~ /1\.0\.0-\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6} success [04]/ } : journal
assert journal*.split(' ')*.getAt(2).sort() == ['0', '4'] : journal
return true
