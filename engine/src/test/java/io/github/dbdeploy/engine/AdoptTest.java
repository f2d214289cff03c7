package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.formats.Migration;
import io.github.dbdeploy.engine.formats.MigrationDirectory;
import io.github.dbdeploy.engine.formats.MigrationFormat;

/**
 * adopt, baseline and the guard against migrating a database another tool manages, against real PostgreSQL. Each
 * tool's history table is created with the tool's own DDL and filled with the rows the tool writes, beside the schema
 * its migrations built.
 */
class AdoptTest {
    /** Flyway's DDL for its history table (flyway-database-postgresql 12.11.0, PostgreSQLDatabase.getRawCreateScript). */
    private static final String FLYWAY_DDL = """
            CREATE TABLE "public"."flyway_schema_history" (
                "installed_rank" INT NOT NULL,
                "version" VARCHAR(50),
                "description" VARCHAR(200) NOT NULL,
                "type" VARCHAR(20) NOT NULL,
                "script" VARCHAR(1000) NOT NULL,
                "checksum" INT,
                "installed_by" VARCHAR(100) NOT NULL,
                "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
                "execution_time" INT NOT NULL,
                "success" BOOLEAN NOT NULL
            );
            ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
            CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
            """;
    /** The checksums flyway-maven-plugin 12.11.0 recorded for the sample's files (see the adopt-flyway IT). */
    private static final String[] FLYWAY_CHECKSUMS = {"V1__init.sql", "785566044", "V2__seed.sql", "264440455",
            "V3__shipped_status.sql", "-1260508405", "V4__orders_customer_index.sql", "860671594"};

    @TempDir
    Path dir;

    private final List<String> lines = new ArrayList<>();
    private final Progress progress = new Progress() {
        @Override
        public void info(String line) {
            lines.add(line);
        }

        @Override
        public void warn(String line) {
            lines.add("WARN " + line);
        }
    };

    private DeploySettings settings(String url, Path changelog, String id, UnaryOperator<DeploySettings.Builder> more) {
        return more.apply(DeploySettings.builder().environment("test").jdbcUrl(url).changelog(changelog)
                .deploymentId(id).outputDirectory(dir.resolve("out"))).build();
    }

    private DeploySettings settings(String url, Path changelog, String id) {
        return settings(url, changelog, id, b -> b);
    }

    @Test
    void flywayHistoryIsAdoptedWithItsTimesAndLiquibaseChecksumsThenMigrateAppliesOnlyTheRest() throws Exception {
        Path changelog = copyOf(MigrationFormat.FLYWAY);
        String url = TestDatabases.newDatabase("adopt_flyway");
        List<Migration> migrations = MigrationDirectory.read(changelog, MigrationFormat.FLYWAY, Integer.MAX_VALUE);
        applyAsTheToolDid(url, migrations.subList(0, 4));
        execute(url, FLYWAY_DDL);
        for (int i = 0; i < 4; i++) {
            Migration m = migrations.get(i);
            execute(url, "insert into flyway_schema_history values (" + (i + 1) + ", '" + m.version() + "', '"
                    + m.description() + "', 'SQL', '" + m.logicalPath() + "', " + FLYWAY_CHECKSUMS[2 * i + 1]
                    + ", 'app', timestamp '2024-01-0" + (i + 1) + " 12:00:00', 12, true)");
        }
        String flywayRows = rows(url, "select * from flyway_schema_history order by installed_rank");

        RunSummary adopt = new Dbdeploy(settings(url, changelog, "adopted"), progress).adopt();

        assertEquals(RunSummary.SUCCESS, adopt.status(), adopt.error());
        assertEquals(4, adopt.applied());
        assertEquals(List.of("1 V1__init.sql 2024-01-01 12:00:00 EXECUTED adopted from flyway_schema_history",
                        "2 V2__seed.sql 2024-01-02 12:00:00 EXECUTED adopted from flyway_schema_history",
                        "3 V3__shipped_status.sql 2024-01-03 12:00:00 EXECUTED adopted from flyway_schema_history",
                        "4 V4__orders_customer_index.sql 2024-01-04 12:00:00 EXECUTED adopted from flyway_schema_history"),
                column(url, "select id || ' ' || filename || ' ' || dateexecuted || ' ' || exectype || ' ' || comments"
                        + " from databasechangelog order by orderexecuted"));
        assertEquals(flywayRows, rows(url, "select * from flyway_schema_history order by installed_rank"),
                "Flyway's table is never changed");
        assertEquals(List.of("adopted adopted 4"), column(url, "select deployment_id || ' ' || status || ' ' || applied"
                + " from dbdeploy_deployment"));

        // The MD5SUMs are the ones Liquibase writes when it runs the same files itself.
        String reference = TestDatabases.newDatabase("adopt_flyway_ref");
        RunSummary all = new Dbdeploy(settings(reference, changelog, "all"), progress).migrate();
        assertEquals(5, all.applied(), all.error());
        assertEquals(column(reference, "select id || ' ' || md5sum from databasechangelog where id <> '10' order by id"),
                column(url, "select id || ' ' || md5sum from databasechangelog order by id"));

        RunSummary again = new Dbdeploy(settings(url, changelog, "again"), progress).adopt();
        assertEquals(0, again.applied());
        assertEquals(4, again.skipped());
        assertEquals(List.of("4"), column(url, "select count(*) from databasechangelog"), "adopting again changes nothing");
        assertEquals(List.of("1"), column(url, "select count(*) from dbdeploy_deployment"));

        RunSummary migrate = new Dbdeploy(settings(url, changelog, "v10"), progress).migrate();
        assertEquals(RunSummary.SUCCESS, migrate.status(), migrate.error());
        assertEquals(1, migrate.applied());
        assertEquals(4, migrate.skipped());
        assertEquals(List.of("10"), migrate.changesets().stream().map(ChangesetOutcome::id).toList());
        assertEquals(SchemaDump.of(reference), SchemaDump.of(url).replaceAll("(?m)^flyway_schema_history.*\n", ""));

        List<DeploymentHistory> history = new Dbdeploy(settings(url, changelog, null), progress).history();
        DeploymentHistory adopted = history.stream().filter(h -> h.deployment().id().equals("adopted")).findFirst()
                .orElseThrow();
        assertEquals(Deployment.ADOPTED, adopted.deployment().status());
        assertEquals(4, adopted.changesets().size(), adopted.changesets().toString());

        // Emergency rollback undoes the last deployment (V10), never what adopt recorded.
        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.lastDeployment());
        assertEquals(1, rollback.applied(), rollback.error());
        assertEquals(List.of("4"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void aFlywayFileEditedAfterFlywayRanItIsRefusedByName() throws Exception {
        Path changelog = copyOf(MigrationFormat.FLYWAY);
        String url = TestDatabases.newDatabase("adopt_flyway_edit");
        List<Migration> migrations = MigrationDirectory.read(changelog, MigrationFormat.FLYWAY, Integer.MAX_VALUE);
        applyAsTheToolDid(url, migrations.subList(0, 2));
        execute(url, FLYWAY_DDL);
        execute(url, "insert into flyway_schema_history values (1, '1', 'init', 'SQL', 'V1__init.sql', "
                + FLYWAY_CHECKSUMS[1] + ", 'app', now(), 12, true), (2, '2', 'seed', 'SQL', 'V2__seed.sql', "
                + FLYWAY_CHECKSUMS[3] + ", 'app', now(), 12, true)");
        Files.writeString(changelog.resolve("V2__seed.sql"), "-- edited\n", java.nio.file.StandardOpenOption.APPEND);

        DbdeployException e = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt());

        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("V2__seed.sql was changed after Flyway applied it: flyway_schema_history"
                + " has checksum " + FLYWAY_CHECKSUMS[3] + " (row 2)"), e.getMessage());
        assertFalse(e.getMessage().contains("V1__init.sql"), e.getMessage());
        assertEquals(List.of("f"), column(url, "select to_regclass('databasechangelog') is not null"));
    }

    @Test
    void aFailedFlywayRunAndARowWithoutAFileAreRefusedTogether() throws Exception {
        Path changelog = copyOf(MigrationFormat.FLYWAY);
        String url = TestDatabases.newDatabase("adopt_flyway_failed");
        execute(url, FLYWAY_DDL);
        execute(url, "insert into flyway_schema_history values (1, '1', 'init', 'SQL', 'V1__init.sql', "
                + FLYWAY_CHECKSUMS[1] + ", 'app', now(), 12, true), (2, '1.5', 'hotfix', 'SQL', 'V1_5__hotfix.sql',"
                + " 123, 'app', now(), 12, true), (3, '2', 'seed', 'SQL', 'V2__seed.sql', " + FLYWAY_CHECKSUMS[3]
                + ", 'app', now(), 12, false)");

        DbdeployException e = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt());

        assertTrue(e.getMessage().contains("2 problem(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("V2__seed.sql (row 3): Flyway recorded it as failed (success = false)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("V1_5__hotfix.sql (row 2) is applied according to flyway_schema_history"
                + " but has no migration file"), e.getMessage());
    }

    @Test
    void golangMigrateCountsEveryVersionUpToTheCurrentOneAndRefusesADirtyOne() throws Exception {
        Path changelog = copyOf(MigrationFormat.GOLANG_MIGRATE);
        String url = TestDatabases.newDatabase("adopt_golang");
        List<Migration> migrations = MigrationDirectory.read(changelog, MigrationFormat.GOLANG_MIGRATE,
                Integer.MAX_VALUE);
        applyAsTheToolDid(url, migrations.subList(0, 3));
        execute(url, "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key,"
                + " dirty boolean not null)");
        execute(url, "insert into schema_migrations values (3, true)");

        DbdeployException dirty = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt());
        assertTrue(dirty.getMessage().contains("schema_migrations says version 3 is dirty"), dirty.getMessage());
        assertEquals(List.of("f"), column(url, "select to_regclass('databasechangelog') is not null"));

        execute(url, "update schema_migrations set dirty = false");
        RunSummary adopt = new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt();
        assertEquals(List.of("1", "2", "3"), column(url, "select id from databasechangelog order by orderexecuted"));
        assertEquals(3, adopt.applied());
        RunSummary migrate = new Dbdeploy(settings(url, changelog, "next"), progress).migrate();
        assertEquals(List.of("4", "10"), migrate.changesets().stream().map(ChangesetOutcome::id).toList());
        assertEquals(List.of("3 false"), column(url, "select version || ' ' || dirty from schema_migrations"));
    }

    @Test
    void migrateAndRollbackRefuseAnUnadoptedDatabaseNamingTheToolAndTheAdoptCommand() throws Exception {
        Path changelog = copyOf(MigrationFormat.GOLANG_MIGRATE);
        String url = TestDatabases.newDatabase("adopt_guard");
        applyAsTheToolDid(url, MigrationDirectory.read(changelog, MigrationFormat.GOLANG_MIGRATE, Integer.MAX_VALUE)
                .subList(0, 2));
        execute(url, "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);"
                + " insert into schema_migrations values (2, false)");
        String before = SchemaDump.of(url);
        DeploySettings prod = settings(url, changelog, "v1", b -> b.environment("prod"));

        DbdeployException migrate = assertThrows(DbdeployException.class, () -> new Dbdeploy(prod, progress).migrate());
        DbdeployException dryRun = assertThrows(DbdeployException.class, () -> new Dbdeploy(prod, progress).dryRun());
        DbdeployException rollback = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(prod, progress).rollback(RollbackTarget.lastDeployment()));

        assertEquals(DbdeployException.Kind.CONFIGURATION, migrate.kind());
        assertEquals("Refusing to migrate: this database has golang-migrate's history table schema_migrations"
                + " (1 row(s)) and no dbdeploy history, so dbdeploy would take every migration for one never applied"
                + " and run it again. Record what golang-migrate applied first:\n  mvn dbdeploy:adopt -Penv=prod\n"
                + "then run migrate again. Nothing was changed. (If that table is your application's own, set"
                + " -Ddbdeploy.adoptFrom=none.)", migrate.getMessage());
        assertTrue(dryRun.getMessage().startsWith("Refusing to migrate"), dryRun.getMessage());
        assertTrue(rollback.getMessage().startsWith("Refusing to rollback: this database has golang-migrate's"),
                rollback.getMessage());
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("false false"), column(url, "select to_regclass('databasechangelog') is not null"
                + " || ' ' || (to_regclass('dbdeploy_deployment') is not null)"));

        // A table of that name that is the application's own: the user says so, and migrate runs.
        RunSummary own = new Dbdeploy(settings(url, changelog, "v1", b -> b.adoptFrom("none")), progress).migrate();
        assertEquals(RunSummary.FAILED, own.status(), "the guard let migrate run (its first migration failed)");
        assertTrue(own.error().contains("already exists"), "000001 ran and met its own tables: " + own.error());
    }

    @Test
    void dbmateRowsAreMatchedByVersion() throws Exception {
        Path changelog = copyOf(MigrationFormat.DBMATE);
        String url = TestDatabases.newDatabase("adopt_dbmate");
        applyAsTheToolDid(url, MigrationDirectory.read(changelog, MigrationFormat.DBMATE, Integer.MAX_VALUE)
                .subList(0, 2));
        execute(url, "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version varchar(128) primary key);"
                + " INSERT INTO \"schema_migrations\" (version) VALUES ('20240101120000'), ('20240102120000')");

        RunSummary adopt = new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt();

        assertEquals(RunSummary.SUCCESS, adopt.status());
        assertEquals(List.of("20240101120000 dbmate", "20240102120000 dbmate"),
                column(url, "select id || ' ' || author from databasechangelog order by orderexecuted"));
        assertEquals(3, new Dbdeploy(settings(url, changelog, "next"), progress).migrate().applied());
    }

    @Test
    void dieselRowsKeepTheirRunOnTime() throws Exception {
        Path changelog = copyOf(MigrationFormat.DIESEL);
        String url = TestDatabases.newDatabase("adopt_diesel");
        applyAsTheToolDid(url, MigrationDirectory.read(changelog, MigrationFormat.DIESEL, Integer.MAX_VALUE)
                .subList(0, 3));
        execute(url, "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL,"
                + " run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
        execute(url, "INSERT INTO __diesel_schema_migrations (version, run_on) VALUES ('00000000000000',"
                + " '2024-01-01 10:00:00'), ('20240101120000', '2024-01-01 12:00:01'),"
                + " ('20240102120000', '2024-01-02 12:00:01')");

        new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt();

        assertEquals(List.of("00000000000000 2024-01-01 10:00:00", "20240101120000 2024-01-01 12:00:01",
                "20240102120000 2024-01-02 12:00:01"), column(url, "select id || ' ' || dateexecuted"
                + " from databasechangelog order by orderexecuted"));
    }

    @Test
    void drizzleHashesMustMatchTheFiles() throws Exception {
        Path changelog = copyOf(MigrationFormat.DRIZZLE);
        String url = TestDatabases.newDatabase("adopt_drizzle");
        List<Migration> migrations = MigrationDirectory.read(changelog, MigrationFormat.DRIZZLE, Integer.MAX_VALUE);
        applyAsTheToolDid(url, migrations.subList(0, 3));
        // drizzle-orm's pg migrator: its schema, its table, one row per migration (sha256 of the file, journal 'when').
        execute(url, "CREATE SCHEMA IF NOT EXISTS \"drizzle\"; CREATE TABLE IF NOT EXISTS"
                + " \"drizzle\".\"__drizzle_migrations\" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)");
        for (Migration m : migrations.subList(0, 3)) {
            execute(url, "insert into \"drizzle\".\"__drizzle_migrations\" (\"hash\", \"created_at\") values ('"
                    + sha256(changelog.resolve(m.logicalPath())) + "', " + m.version() + ")");
        }
        Files.writeString(changelog.resolve("0001_seed.sql"), "\n-- tidied\n", java.nio.file.StandardOpenOption.APPEND);

        DbdeployException e = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt());
        assertTrue(e.getMessage().contains("0001_seed.sql was changed after Drizzle applied it: __drizzle_migrations"
                + " row 2 has hash"), e.getMessage());

        Files.writeString(changelog.resolve("0001_seed.sql"),
                Files.readString(changelog.resolve("0001_seed.sql")).replace("\n-- tidied\n", ""));
        RunSummary adopt = new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt();
        assertEquals(3, adopt.applied(), adopt.error());
        assertEquals(List.of("1704067200000", "1704153600000", "1704240000000"),
                column(url, "select id from databasechangelog order by orderexecuted"));
    }

    @Test
    void aPsqlLoopTableOfFileNamesIsAdoptedAndMigrateRunsTheRest() throws Exception {
        Path changelog = copyOf(MigrationFormat.SQL);
        String url = TestDatabases.newDatabase("adopt_psql");
        applyAsTheToolDid(url, MigrationDirectory.read(changelog, MigrationFormat.SQL, Integer.MAX_VALUE)
                .subList(0, 2));
        execute(url, "create table schema_migrations (filename text primary key, applied_at timestamptz not null"
                + " default now()); insert into schema_migrations (filename, applied_at) values ('001_init.sql',"
                + " '2023-05-01 08:00:00'), ('002-seed.sql', '2023-05-02 08:00:00')");

        RunSummary adopt = new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt();

        assertEquals(2, adopt.applied(), adopt.error());
        assertEquals(List.of("001 2023-05-01 08:00:00", "002 2023-05-02 08:00:00"),
                column(url, "select id || ' ' || dateexecuted from databasechangelog order by orderexecuted"));
        assertEquals(3, new Dbdeploy(settings(url, changelog, "next"), progress).migrate().applied());

        // A table of that name that holds no version: the way out names this environment's baseline command.
        String noVersion = TestDatabases.newDatabase("adopt_psql_no_version");
        execute(noVersion, "create table schema_migrations (id serial primary key, applied_at timestamptz)");
        DbdeployException refused = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(noVersion, changelog, "adopt"), progress).adopt());
        assertTrue(refused.getMessage().contains("none of which holds a migration's version"), refused.getMessage());
        assertTrue(refused.getMessage().contains("mvn dbdeploy:baseline -Penv=test -Ddbdeploy.baselineVersion=V"),
                refused.getMessage());
        assertEquals(List.of("f"), column(noVersion, "select to_regclass('databasechangelog') is not null"));
    }

    @Test
    void codeToolsBecomeABaselineAndSaySo() throws Exception {
        Path changelog = copyOf(MigrationFormat.DBMATE);
        String url = TestDatabases.newDatabase("adopt_knex");
        applyAsTheToolDid(url, MigrationDirectory.read(changelog, MigrationFormat.DBMATE, Integer.MAX_VALUE)
                .subList(0, 3));
        // Knex's tables as its migrator creates them.
        execute(url, "create table knex_migrations (id serial primary key, name varchar(255), batch integer,"
                + " migration_time timestamptz); create table knex_migrations_lock (index serial primary key,"
                + " is_locked integer); insert into knex_migrations (name, batch, migration_time) values"
                + " ('20240101120000_init.js', 1, now()), ('20240103120000_shipped_status.js', 2, now())");

        RunSummary adopt = new Dbdeploy(settings(url, changelog, "adopt"), progress).adopt();

        assertEquals(3, adopt.applied(), adopt.error());
        assertTrue(lines.contains("WARN knex's migrations are code, so there are no files to match: knex_migrations"
                + " is at 20240103120000, and the 3 migration(s) up to and including 20240103120000 are recorded as a"
                + " baseline (applied, not run)."), lines.toString());

        String alembic = TestDatabases.newDatabase("adopt_alembic");
        execute(alembic, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT"
                + " alembic_version_pkc PRIMARY KEY (version_num)); INSERT INTO alembic_version VALUES ('ae1027a6acf')");
        DbdeployException unknown = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(alembic, changelog, "adopt"), progress).adopt());
        assertTrue(unknown.getMessage().startsWith("alembic's history (alembic_version) is at ae1027a6acf, which is"
                + " not a version"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("mvn dbdeploy:adopt -Penv=test -Ddbdeploy.baselineVersion=V"),
                unknown.getMessage());
        RunSummary chosen = new Dbdeploy(settings(alembic, changelog, "adopt",
                b -> b.baselineVersion("20240102120000")), progress).adopt();
        assertEquals(2, chosen.applied(), chosen.error());
    }

    @Test
    void baselineMarksEveryMigrationUpToTheVersionComparingNumbers() throws Exception {
        Path changelog = copyOf(MigrationFormat.SQL);
        String url = TestDatabases.newDatabase("baseline");
        applyAsTheToolDid(url, MigrationDirectory.read(changelog, MigrationFormat.SQL, Integer.MAX_VALUE)
                .subList(0, 3));

        DbdeployException typo = assertThrows(DbdeployException.class, () -> new Dbdeploy(settings(url, changelog,
                "b", b -> b.baselineVersion("5")), progress).baseline());
        assertTrue(typo.getMessage().startsWith("No migration of the changelog has version 5"), typo.getMessage());

        RunSummary dry = new Dbdeploy(settings(url, changelog, "b", b -> b.baselineVersion("3").dryRun(true)),
                progress).baseline();
        assertTrue(dry.dryRun());
        assertTrue(lines.contains("  would record 003 (003_shipped_status.sql)"), lines.toString());
        assertEquals(List.of("f"), column(url, "select to_regclass('databasechangelog') is not null"));

        RunSummary baseline = new Dbdeploy(settings(url, changelog, "b", b -> b.baselineVersion("3")), progress)
                .baseline();
        assertEquals(3, baseline.applied(), baseline.error());
        assertEquals(List.of("001", "002", "003"), column(url, "select id from databasechangelog order by orderexecuted"));
        assertEquals(List.of("baseline"), column(url, "select status from dbdeploy_deployment"));
        RunSummary migrate = new Dbdeploy(settings(url, changelog, "next"), progress).migrate();
        assertEquals(List.of("004", "010"), migrate.changesets().stream().map(ChangesetOutcome::id).toList());
    }

    private Path copyOf(MigrationFormat format) {
        Path source = Path.of("src/test/resources/formats", format.id()).toAbsolutePath();
        Path target = dir.resolve(format.id());
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Runs the migrations' SQL as their tool sends it, without any history of dbdeploy's. */
    private static void applyAsTheToolDid(String url, List<Migration> migrations) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (Migration m : migrations) {
                for (String unit : m.up().units()) {
                    st.execute(unit);
                }
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<String> column(String url, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String rows(String url, String sql) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    out.append(rs.getString(i)).append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}
