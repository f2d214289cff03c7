def json = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/dbdeploy/summary.json'))
assert json.command == 'migrate' && json.status == 'error' && json.environment == 'local'
assert json.error.contains('127.0.0.1:1'), json.error
assert new File(basedir, 'target/dbdeploy/summary.md').text.contains('ERROR')
def log = new File(basedir, 'build.log').text
assert log.contains('dbdeploy error details (secrets removed):')
assert !log.contains('app-password')
return true
