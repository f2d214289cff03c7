package io.github.dbdeploy.engine.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.DeploymentHistory;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.RollbackTarget;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.SchemaDump;
import io.github.dbdeploy.engine.StatusReport;
import io.github.dbdeploy.engine.TestDatabases;

/** Directory changelogs through the engine's API, against real PostgreSQL. */
class DirectoryChangelogTest {
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

    private DeploySettings settings(String url, Path changelog, String id) {
        return DeploySettings.builder().environment("test").jdbcUrl(url).changelog(changelog).deploymentId(id)
                .outputDirectory(dir.resolve("out")).build();
    }

    /** A copy of the sample project, so that tests can add files and move it. */
    private Path copyOf(MigrationFormat format, String name) {
        Path source = MigrationDirectoryTest.sample(format);
        Path target = dir.resolve(name);
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

    @ParameterizedTest
    @EnumSource(value = MigrationFormat.class, names = "AUTO", mode = EnumSource.Mode.EXCLUDE)
    void everySampleProjectIsAppliedAsPsqlWouldAndRolledBackWithItsDownFiles(MigrationFormat format) throws Exception {
        String url = TestDatabases.newDatabase("fmt_" + format.name());
        Path changelog = copyOf(format, format.id());

        RunSummary migrate = new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();

        assertEquals(RunSummary.SUCCESS, migrate.status(), migrate.error());
        List<Migration> migrations = MigrationDirectory.read(changelog, format, Integer.MAX_VALUE);
        assertEquals(migrations.size(), migrate.applied());
        assertEquals(migrations.stream().map(m -> m.version() + " " + format.id() + " " + m.logicalPath()).toList(),
                column(url, "select id || ' ' || author || ' ' || filename from databasechangelog order by orderexecuted"));
        assertEquals(List.of("new", "paid", "shipped"), column(url, "select enumlabel from pg_enum"
                + " where enumtypid = 'order_status'::regtype order by enumsortorder"));
        assertEquals(List.of("t"), column(url, "select indisvalid from pg_index"
                + " where indexrelid = 'orders_customer_idx'::regclass"));
        assertEquals(List.of("line one;\nline two with 'quote'; done", "it's; fine", "dollar; 'quoted'"),
                column(url, "select body from note order by id"));
        assertEquals(List.of("ada@example.com 1"), column(url, "select email || ' ' || orders from customer_orders"
                + " where orders > 0"), "the DO block inserted an order, counted by the plpgsql function");
        execute(url, "update customer set updated_at = '2000-01-01' where email = 'ada@example.com'");
        assertEquals(List.of("t"), column(url, "select updated_at > '2001-01-01' from customer"
                + " where email = 'ada@example.com'"), "the $body$ trigger function ran");

        if (format == MigrationFormat.DRIZZLE) {
            DbdeployException e = assertThrows(DbdeployException.class, () ->
                    new Dbdeploy(settings(url, changelog, null), progress).rollback(RollbackTarget.lastDeployment()));
            assertTrue(e.getMessage().contains("0000_init.sql: no rollback"), e.getMessage());
            return;
        }
        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.lastDeployment());
        assertEquals(RunSummary.SUCCESS, rollback.status(), rollback.error());
        assertEquals(migrations.size(), rollback.applied());
        assertEquals("", userObjects(url), "every down file ran");
        assertEquals(List.of("0"), column(url, "select count(*) from databasechangelog"));

        assertEquals(migrations.size(), new Dbdeploy(settings(url, changelog, "v2"), progress).migrate().applied());
    }

    @Test
    void everyFormatBuildsTheSameSchema() {
        String reference = null;
        for (MigrationFormat format : MigrationFormat.values()) {
            if (format == MigrationFormat.AUTO) {
                continue;
            }
            String url = TestDatabases.newDatabase("same_" + format.name());
            RunSummary migrate = new Dbdeploy(settings(url, copyOf(format, format.id()), "v1"), progress).migrate();
            assertEquals(RunSummary.SUCCESS, migrate.status(), migrate.error());
            String schema = SchemaDump.of(url) + userObjects(url).replaceAll("(?m)^function diesel_.*\n", "");
            if (reference == null) {
                reference = schema;
            }
            assertEquals(reference, schema, format.id());
        }
    }

    @Test
    void aFailedDeploymentIsRolledBackWithTheDownFilesIncludingNonTransactionalOnes() throws Exception {
        String url = TestDatabases.newDatabase("fmt_failed");
        Path changelog = copyOf(MigrationFormat.GOLANG_MIGRATE, "migrations");
        assertEquals(RunSummary.SUCCESS, new Dbdeploy(settings(url, changelog, "v1"), progress).migrate().status());
        String before = SchemaDump.of(url) + userObjects(url);

        Files.writeString(changelog.resolve("000011_total_index.up.sql"),
                "CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\n");
        Files.writeString(changelog.resolve("000011_total_index.down.sql"),
                "DROP INDEX CONCURRENTLY orders_total_idx;\n");
        Files.writeString(changelog.resolve("000012_audit.up.sql"), """
                CREATE TABLE audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
                CREATE FUNCTION audit_it() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO audit DEFAULT VALUES;
                    RETURN NULL;
                END;
                $$;
                """);
        Files.writeString(changelog.resolve("000012_audit.down.sql"), "DROP FUNCTION audit_it();\nDROP TABLE audit;\n");
        Files.writeString(changelog.resolve("000013_broken.up.sql"), """
                CREATE TABLE half_done (id int);
                ALTER TABLE no_such_table ADD COLUMN x int;
                """);
        RunSummary failed = new Dbdeploy(settings(url, changelog, "v2"), progress).migrate();

        assertEquals(RunSummary.ROLLED_BACK, failed.status(), failed.error());
        assertTrue(failed.error().contains("Changeset 13 (author golang-migrate) in 000013_broken.up.sql failed:")
                && failed.error().contains("relation \"no_such_table\" does not exist"), failed.error());
        assertEquals(before, SchemaDump.of(url) + userObjects(url));
        assertEquals(List.of("5"), column(url, "select count(*) from databasechangelog"));
        assertEquals(List.of("rolled_back"), column(url,
                "select status from dbdeploy_deployment where deployment_id = 'v2'"));
    }

    @Test
    void aNonTransactionalMigrationStaysRecordedWhenALaterOneFails() throws Exception {
        String url = TestDatabases.newDatabase("fmt_nontx");
        Path changelog = Files.createDirectories(dir.resolve("loop"));
        Files.writeString(changelog.resolve("001_t.sql"), "create table t (a int);\n");
        Files.writeString(changelog.resolve("002_t_a.sql"), "create index concurrently t_a on t (a);\n");
        Files.writeString(changelog.resolve("003_broken.sql"), "select * from no_such_table;\n");
        DeploySettings keep = DeploySettings.builder().environment("test").jdbcUrl(url).changelog(changelog)
                .deploymentId("v1").rollbackOnFailure(false).outputDirectory(dir.resolve("out")).build();

        RunSummary failed = new Dbdeploy(keep, progress).migrate();

        assertEquals(RunSummary.FAILED, failed.status());
        assertEquals(List.of("001", "002"), column(url, "select id from databasechangelog order by orderexecuted"));
        assertEquals(List.of("t_a"), column(url, "select indexname from pg_indexes where tablename = 't'"));
    }

    @Test
    void noOpRunsStatusHistoryAndDryRunWorkAndAMovedDirectoryIsTheSameChangelog() throws Exception {
        String url = TestDatabases.newDatabase("fmt_noop");
        Path changelog = copyOf(MigrationFormat.FLYWAY, "db");

        RunSummary dry = new Dbdeploy(settings(url, changelog, "dry"), progress).dryRun();
        assertTrue(dry.dryRun());
        assertTrue(lines.stream().anyMatch(l -> l.contains("NEW.updated_at := now();")), lines.toString());
        assertEquals(List.of("0"), column(url, "select count(*) from pg_class where relnamespace"
                + " = 'public'::regnamespace"), "a dry run changes nothing");
        StatusReport status = new Dbdeploy(settings(url, changelog, null), progress).status();
        assertEquals(List.of("1 (V1__init.sql)", "2 (V2__seed.sql)", "3 (V3__shipped_status.sql)",
                "4 (V4__orders_customer_index.sql)", "10 (V10__customer_orders.sql)"), status.pending());

        new Dbdeploy(settings(url, changelog, "v1"), progress).migrate();
        // One transaction per changeset: a migration's rows and its history row commit together.
        assertEquals(List.of("t"), column(url, "select (select min(xmin::text) from note)"
                + " = (select xmin::text from databasechangelog where id = '2')"));
        lines.clear();
        assertEquals(0, new Dbdeploy(settings(url, changelog, "v2"), progress).migrate().applied());
        assertTrue(lines.contains("Changelog unchanged since the last deployment: nothing to apply."), lines.toString());

        Path moved = dir.resolve("elsewhere/migrations");
        Files.createDirectories(moved.getParent());
        Files.move(changelog, moved);
        RunSummary again = new Dbdeploy(settings(url, moved, "v3"), progress).migrate();
        assertEquals(0, again.applied());
        assertEquals(5, again.skipped());

        List<DeploymentHistory> history = new Dbdeploy(settings(url, moved, null), progress).history();
        DeploymentHistory v1 = history.stream().filter(h -> h.deployment().id().equals("v1")).findFirst().orElseThrow();
        assertEquals(5, v1.changesets().size(), v1.changesets().toString());
        assertTrue(v1.changesets().contains("10 (V10__customer_orders.sql)"), v1.changesets().toString());
    }

    @Test
    void aMixedFileIsRefusedBeforeAnythingRuns() throws Exception {
        String url = TestDatabases.newDatabase("fmt_mixed");
        Path changelog = Files.createDirectories(dir.resolve("mixed"));
        Files.writeString(changelog.resolve("V1__t.sql"), "create table t (a int);\n");
        Files.writeString(changelog.resolve("V2__index.sql"), "create table u (b int);\ncreate index concurrently"
                + " t_a on t (a);\n");

        DbdeployException e = assertThrows(DbdeployException.class, () ->
                new Dbdeploy(settings(url, changelog, "v1"), progress).migrate());

        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("V2__index.sql line 2: 'create index concurrently t_a on t (a);' cannot"
                + " run inside a transaction"), e.getMessage());
        assertEquals(List.of("0"), column(url, "select count(*) from pg_tables where tablename in ('t', 'u')"));
    }

    @Test
    void settingsAcceptADirectoryAndAFormatOnlyForOne() throws IOException {
        Path changelog = copyOf(MigrationFormat.DBMATE, "dbmate");
        DeploySettings s = DeploySettings.builder().jdbcUrl("jdbc:postgresql://h/db").changelog(changelog)
                .format("DBMATE").build();
        assertEquals(MigrationFormat.DBMATE, s.format());
        assertEquals(changelog.toAbsolutePath(), s.changelogRoot());

        DbdeployException unknown = assertThrows(DbdeployException.class, () -> DeploySettings.builder()
                .jdbcUrl("jdbc:postgresql://h/db").changelog(changelog).format("liquibase").build());
        assertTrue(unknown.getMessage().contains("dbdeploy.format: unknown format 'liquibase': use one of auto, flyway,"
                + " golang-migrate, dbmate, diesel, drizzle, sql"), unknown.getMessage());

        Path file = Files.writeString(dir.resolve("changelog.xml"), "<databaseChangeLog/>");
        DbdeployException onFile = assertThrows(DbdeployException.class, () -> DeploySettings.builder()
                .jdbcUrl("jdbc:postgresql://h/db").changelog(file).format("flyway").build());
        assertTrue(onFile.getMessage().contains("dbdeploy.format=flyway applies to a directory of migrations"),
                onFile.getMessage());
    }

    /** Functions, triggers and types of the public schema, which SchemaDump leaves out. */
    private static String userObjects(String url) {
        try {
            StringBuilder out = new StringBuilder();
            for (String s : column(url, "select 'function ' || proname || '(' || pg_get_function_identity_arguments(oid)"
                    + " || ') ' || md5(prosrc) from pg_proc where pronamespace = 'public'::regnamespace order by 1")) {
                out.append(s).append('\n');
            }
            for (String s : column(url, "select 'trigger ' || tgname || ' on ' || tgrelid::regclass from pg_trigger"
                    + " where not tgisinternal order by 1")) {
                out.append(s).append('\n');
            }
            for (String s : column(url, "select 'type ' || t.typname || ' ' || string_agg(e.enumlabel, ','"
                    + " order by e.enumsortorder) from pg_type t join pg_enum e on e.enumtypid = t.oid"
                    + " where t.typnamespace = 'public'::regnamespace group by t.typname order by 1")) {
                out.append(s).append('\n');
            }
            for (String s : column(url, "select 'relation ' || relname from pg_class where relnamespace"
                    + " = 'public'::regnamespace and relname not like 'databasechangelog%'"
                    + " and relname not like 'dbdeploy_deployment%' order by 1")) {
                out.append(s).append('\n');
            }
            return out.toString();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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
}
