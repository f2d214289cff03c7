package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The deployment journal that emergency rollback trusts: append-only, unique ids, the server's order. */
class DeploymentJournalTest extends EngineTest {

    @Test
    void defaultIdsAreReadableAndUniqueEvenWithinOneMillisecond() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) { // thousands per millisecond on any machine
            String id = Dbdeploy.newDeploymentId("1.4.0-SNAPSHOT");
            assertTrue(id.matches("1\\.4\\.0-SNAPSHOT-\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f]{6}"), id);
            ids.add(id);
        }
        assertEquals(10_000, ids.size());

        String longVersion = "9".repeat(120);
        String id = Dbdeploy.newDeploymentId(longVersion);
        assertEquals(100, id.length(), id);
        DeploySettings.builder().jdbcUrl("jdbc:postgresql://h/db").changelog(threeGood().write())
                .deploymentId(id).build(); // the longest id made is still one the settings accept
    }

    @Test
    void aReusedTagIsRefusedAndRollbackByIdStillFindsEachDeployment() throws Exception {
        String url = TestDatabases.newDatabase("reused_tag");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "release-1");
        String afterRelease1 = SchemaDump.of(url);
        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;").write();
        migrate(url, changelog, "release-2");

        // A Jenkins replay of release-1's job, now with a newer changelog.
        changelogs.add("005-phone", "alter table customer add column phone text;",
                "alter table customer drop column phone;").write();
        DbdeployException e = assertThrows(DbdeployException.class, () -> migrate(url, changelog, "release-1"));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().startsWith("Deployment id 'release-1' is already taken on this database"),
                e.getMessage());
        assertTrue(e.getMessage().contains("is success with 3 changeset(s) applied")
                && e.getMessage().contains("Choose a new dbdeploy.tag"), e.getMessage());
        assertEquals(List.of("4"), column(url, "select count(*) from databasechangelog"), "nothing applied");
        assertEquals(List.of("release-1 success 3", "release-2 success 1"), column(url,
                "select deployment_id || ' ' || status || ' ' || applied from dbdeploy_deployment order by seq"));

        RunSummary toRelease2 = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.beforeDeployment("release-2"));
        assertEquals(1, toRelease2.applied());
        assertEquals(afterRelease1, SchemaDump.of(url));
        RunSummary toRelease1 = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.beforeDeployment("release-1"));
        assertEquals(3, toRelease1.applied());
        assertEquals(List.of("0"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void aTagWhoseEarlierDeploymentLeftNothingAppliedCanBeUsedAgain() throws Exception {
        String url = TestDatabases.newDatabase("retried_tag");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "release-1");
        migrate(url, changelog, "retry-me"); // nothing to apply

        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;").write();
        assertEquals(1, migrate(url, changelog, "retry-me").applied());
        assertEquals(List.of("release-1 3", "retry-me 0", "retry-me 1"), column(url,
                "select deployment_id || ' ' || applied from dbdeploy_deployment order by seq"));

        // Rolling back to "retry-me" means the newest deployment of that name: the one that added orders.
        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.beforeDeployment("retry-me"));
        assertEquals(1, rollback.applied());
        assertEquals(List.of("3"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void theIdOfADeploymentThatWasKilledIsNotReused() throws Exception {
        String url = TestDatabases.newDatabase("killed_tag");
        Path changelog = threeGood().write();
        migrate(url, changelog, "release-1");
        // A process killed mid-deployment leaves its row running and holds no lock any more.
        execute(url, "insert into dbdeploy_deployment (deployment_id, environment, deployed_by, status,"
                + " changelog_rows_before) values ('release-2', 'test', 'ci@agent-2', 'running', 3)");

        DbdeployException e = assertThrows(DbdeployException.class, () -> migrate(url, changelog, "release-2"));
        assertTrue(e.getMessage().contains("(environment test) was interrupted before it finished"), e.getMessage());
        assertEquals(List.of("release-1 success", "release-2 interrupted"), column(url,
                "select deployment_id || ' ' || status from dbdeploy_deployment order by seq"));
    }

    @Test
    void theLastDeploymentIsTheServersNotTheOneWithTheLatestClientClock() throws Exception {
        String url = TestDatabases.newDatabase("server_clock");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "from-fast-clock");
        // That deployment ran on a CI agent whose clock was an hour ahead, and recorded its own time.
        execute(url, "update dbdeploy_deployment set started_at = now() + interval '1 hour'");
        String before = SchemaDump.of(url);
        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;").write();
        migrate(url, changelog, "from-right-clock");

        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.lastDeployment());
        assertEquals(1, rollback.applied(), "only the last deployment is undone");
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("t"), column(url, "select started_at between now() - interval '1 minute' and now()"
                + " from dbdeploy_deployment where deployment_id = 'from-right-clock'"), "the server's time");
    }

    @Test
    void theNoOpFastPathWaitsForTheLockAndWritesNothingWithoutIt() throws Exception {
        String url = TestDatabases.newDatabase("fast_path_lock");
        Path changelog = threeGood().write();
        migrate(url, changelog, "release-1");

        // Another deployment is running: it holds the lock and has recorded itself as running.
        try (Connection other = DriverManager.getConnection(url); Statement st = other.createStatement()) {
            st.execute("select pg_advisory_lock(" + TargetDatabase.LOCK_KEY + ")");
            st.execute("insert into dbdeploy_deployment (deployment_id, environment, started_at, deployed_by, status,"
                    + " changelog_rows_before) values ('in-progress', 'test', now(), 'ci@agent-2', 'running', 3)");
            DeploySettings noWait = builder(url, changelog, "release-1-again").lockWait(Duration.ofSeconds(1)).build();
            DbdeployException e = assertThrows(DbdeployException.class, () -> new Dbdeploy(noWait, progress).migrate());
            assertTrue(e.getMessage().startsWith("Another deployment holds the dbdeploy lock"), e.getMessage());
        }
        assertEquals(List.of("in-progress running", "release-1 success"), column(url,
                "select deployment_id || ' ' || status from dbdeploy_deployment order by deployment_id"));
        assertFalse(lines.contains("Changelog unchanged since the last deployment: nothing to apply."), lines.toString());
    }

    @Test
    void aJournalWrittenByThePreviousVersionIsUpgradedInPlace() throws Exception {
        String url = TestDatabases.newDatabase("journal_upgrade");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "setup"); // DATABASECHANGELOG as the previous version left it
        // The previous version's table, as it wrote it: deployment_id the key, client times, its fingerprint.
        execute(url, "drop table dbdeploy_deployment",
                "create table dbdeploy_deployment (deployment_id varchar(100) primary key,"
                        + " environment varchar(100) not null, started_at timestamptz not null,"
                        + " finished_at timestamptz, deployed_by varchar(255) not null, status varchar(20) not null,"
                        + " changelog_rows_before integer not null, changelog_max_after integer,"
                        + " changelog_rows_after integer, applied integer not null default 0, fingerprint varchar(64))",
                "insert into dbdeploy_deployment values ('1.0-20250101T100000Z', 'test', '2025-01-01 10:00:00+00',"
                        + " '2025-01-01 10:00:01+00', 'ci@a', 'success', 0, 3, 3, 3, '" + previousFingerprint() + "')",
                "insert into dbdeploy_deployment values ('1.0-20240101T100000Z', 'test', '2024-01-01 10:00:00+00',"
                        + " '2024-01-01 10:00:01+00', 'ci@a', 'success', 0, 0, 0, 0, null)");

        // Status and history read the old table as it is.
        assertEquals("1.0-20250101T100000Z", new Dbdeploy(settings(url, changelog, null), progress).status()
                .lastDeployment().id());

        // The same changelog, but deployed by another dbdeploy: the fast path must not trust that fingerprint.
        assertEquals(0, migrate(url, changelog, "1.1-noop").applied());
        assertTrue(lines.contains("Database is up to date: nothing to apply."), lines.toString());
        assertEquals(List.of("1 1.0-20240101T100000Z", "2 1.0-20250101T100000Z", "3 1.1-noop"), column(url,
                "select seq || ' ' || deployment_id from dbdeploy_deployment order by seq"));
        assertEquals(List.of("seq"), column(url, "select a.attname from pg_index i join pg_attribute a"
                + " on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
                + " where i.indrelid = 'dbdeploy_deployment'::regclass and i.indisprimary"));
        assertEquals(List.of("t"), column(url, "select column_default like '%clock_timestamp()%'"
                + " from information_schema.columns where table_name = 'dbdeploy_deployment'"
                + " and column_name = 'started_at'"));

        // Appending, refusing a used id and rolling back to an old deployment all work on the upgraded table.
        changelogs.add("004-orders", "create table orders (id bigint primary key);", "drop table orders;").write();
        assertEquals(1, migrate(url, changelog, "1.1-release").applied());
        assertThrows(DbdeployException.class, () -> migrate(url, changelog, "1.0-20250101T100000Z"));
        assertEquals(List.of("4 1.1-release"), column(url,
                "select seq || ' ' || deployment_id from dbdeploy_deployment where seq > 3"));
        RunSummary rollback = new Dbdeploy(settings(url, changelog, null), progress)
                .rollback(RollbackTarget.beforeDeployment("1.0-20250101T100000Z"));
        assertEquals(4, rollback.applied());
    }

    /** The fingerprint as dbdeploy wrote it before it folded in parameters and tool versions. */
    private String previousFingerprint() throws Exception {
        MessageDigest total = MessageDigest.getInstance("SHA-256");
        for (ChangelogFingerprint.FileHash file : ChangelogFingerprint.files(dir.resolve("db"))) {
            total.update(file.relativePath().getBytes(StandardCharsets.UTF_8));
            total.update((byte) 0);
            total.update(file.sha256().getBytes(StandardCharsets.US_ASCII));
            total.update((byte) '\n');
        }
        total.update("contexts=\nlabels=".getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(total.digest());
    }
}
