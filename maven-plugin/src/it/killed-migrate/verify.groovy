import io.github.dbdeploy.maven.it.ItDatabase
import io.github.dbdeploy.maven.it.MavenRun
def port = pgPort as int
def args = ['-Dit.pg.port=' + port, '-Penv=local', '-Ddbdeploy.password=app-password', 'dbdeploy:migrate'] as String[]
def victim = MavenRun.start(basedir, localRepositoryPath.toString(), 'run-killed.log', args)
// Wait until the slow changeset is running, then kill the JVM without warning.
def deadline = System.currentTimeMillis() + 120_000
while (ItDatabase.query(port, 'killed-migrate', "select count(*) from pg_stat_activity where query like 'select pg_sleep(15)%'") != ['1']) {
    assert victim.isAlive() && System.currentTimeMillis() < deadline : victim.log()
    Thread.sleep(100)
}
victim.kill()
// The server notices the vanished client within about a second (client_connection_check_interval), cancels the
// statement and releases the lock, long before the 15 s sleep would have ended: no stale lock, not even for a while.
def killedAt = System.currentTimeMillis()
while (ItDatabase.query(port, 'killed-migrate', "select count(*) from pg_stat_activity where query like 'select pg_sleep(15)%'") != ['0']) {
    assert System.currentTimeMillis() - killedAt < 8_000 : 'the killed deploy still holds its session'
    Thread.sleep(100)
}
assert ItDatabase.query(port, 'killed-migrate', 'select id from databasechangelog') == ['001-customer']
def rerun = MavenRun.start(basedir, localRepositoryPath.toString(), 'run-after.log', args)
assert rerun.await(180) == 0 : rerun.log()
assert rerun.log().contains('earlier deployment(s) ended without finishing')
assert !rerun.log().contains('Waiting for the deployment lock')
assert ItDatabase.query(port, 'killed-migrate', 'select id from databasechangelog order by orderexecuted') == ['001-customer', '002-slow', '002-email']
assert ItDatabase.query(port, 'killed-migrate', "select to_regclass('databasechangeloglock') is null") == ['t']
assert ItDatabase.query(port, 'killed-migrate', "select count(*) from dbdeploy_deployment where status = 'interrupted'") == ['1']
return true
