import io.github.dbdeploy.maven.it.ItDatabase

def log = new File(basedir, 'build.log').text
assert log.contains('dbdeploy migrate failed on 1 of 1 host(s)')
assert log.contains('[i-0000000000000java] SSM status Failed, exit code 11: dbdeploy: Java 17 or newer is required on this host and none was found')
assert log.contains('java-17-amazon-corretto-headless')
assert !log.contains('Exception in thread')
assert !log.contains(ItDatabase.APP_PASSWORD)
def json = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/dbdeploy/summary.json'))
assert json.status == 'failed' && json.hosts*.instanceId == ['i-0000000000000java'] && json.hosts[0].responseCode == 11
assert ItDatabase.query(pgPort as int, 'ssm-host-without-java', "select count(*) from information_schema.tables where table_schema = 'public'") == ['0']
return true
