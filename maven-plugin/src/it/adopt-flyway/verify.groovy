import io.github.dbdeploy.maven.it.ItDatabase
import io.github.dbdeploy.engine.SchemaDump
def port = pgPort as int
def db = 'adopt-flyway'
def log = new File(basedir, 'build.log').text

// 3: migrate before adopt was refused, naming the tool, its rows and the command.
assert log.contains("Refusing to migrate: this database has flyway's history table flyway_schema_history (4 row(s))" +
        " and no dbdeploy history")
assert log.contains('mvn dbdeploy:adopt -Penv=local')
// 4: the edited file was named.
assert log =~ /V2__seed\.sql was changed after Flyway applied it: flyway_schema_history has checksum -?\d+ \(row 2\), the file has -?\d+/
// 5: the dry run listed what it would record.
assert log.contains('would record 4 (V4__orders_customer_index.sql), applied ')
// 6, 7: adopted once; the second run recorded nothing.
assert log.contains('dbdeploy adopt local: success, recorded 4 as applied (not run), already recorded 0')
assert log.contains('dbdeploy adopt local: success, recorded 0 as applied (not run), already recorded 4')
// 8: migrate applied V10 alone.
assert log =~ /dbdeploy migrate local: success, applied 1, skipped 4, .* \(deployment v10\)/
// 9: history shows the adoption as a deployment of its own.
assert log =~ /adopted  adopted  .*applied 4/

assert ItDatabase.query(port, db, "select id || ' ' || exectype || ' ' || coalesce(comments, '') from databasechangelog order by orderexecuted") ==
        ['1 EXECUTED adopted from flyway_schema_history', '2 EXECUTED adopted from flyway_schema_history',
         '3 EXECUTED adopted from flyway_schema_history', '4 EXECUTED adopted from flyway_schema_history', '10 EXECUTED ']
// DATEEXECUTED is when Flyway applied each migration.
assert ItDatabase.query(port, db, "select count(*) from databasechangelog d join flyway_schema_history f on f.version = d.id" +
        " where d.dateexecuted = f.installed_on") == ['4']
assert ItDatabase.query(port, db, "select deployment_id || ':' || status || ':' || applied from dbdeploy_deployment order by started_at") ==
        ['adopted:adopted:4', 'v10:success:1']
// Flyway's table is as Flyway left it: four successful rows.
assert ItDatabase.query(port, db, "select version || ' ' || success from flyway_schema_history order by installed_rank") ==
        ['1 true', '2 true', '3 true', '4 true']
// Flyway's checksums, for the engine's AdoptTest.
println 'FLYWAY CHECKSUMS ' + ItDatabase.query(port, db, "select script || '=' || checksum from flyway_schema_history order by installed_rank")

// The schema is the one Flyway builds from every file.
def withoutFlyway = { String dump -> dump.readLines().findAll { !it.startsWith('flyway_schema_history') }.join('\n') }
def reference = "jdbc:postgresql://localhost:${port}/adopt_flyway_reference?user=postgres"
assert ItDatabase.query(port, db, "select 1") == ['1']
assert withoutFlyway(SchemaDump.of(ItDatabase.adminUrl(port, db))) == withoutFlyway(SchemaDump.of(reference))
return true
