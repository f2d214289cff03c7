import io.github.dbdeploy.maven.it.ItDatabase
def log = new File(basedir, 'build.log').text
assert log.contains("Environment 'staging' is not configured: there is no profile <id>env=staging</id> in this project, its parents or settings.xml. Configured environments: local, prod. Nothing was changed.")
assert ItDatabase.query(pgPort as int, 'unknown-environment', "select count(*) from pg_tables where schemaname = 'public'") == ['0']
return true
