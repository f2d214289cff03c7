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
return true
