package io.github.dbdeploy.engine.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.dbdeploy.engine.DbdeployException;

class MigrationDirectoryTest {
    @TempDir
    Path dir;

    /** The sample project of {@code format} under src/test/resources/formats (also used by the plugin's ITs). */
    static Path sample(MigrationFormat format) {
        try {
            return Path.of(MigrationDirectoryTest.class.getResource("/formats/" + format.id()).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> versions(List<Migration> migrations) {
        return migrations.stream().map(Migration::version).toList();
    }

    private static List<Migration> read(Path dir, MigrationFormat format) {
        return MigrationDirectory.read(dir, format, Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @EnumSource(value = MigrationFormat.class, names = "AUTO", mode = EnumSource.Mode.EXCLUDE)
    void autoDetectsEverySampleProject(MigrationFormat format) {
        assertEquals(format, MigrationDirectory.detect(sample(format)));
    }

    @Test
    void versionsAreWhatEachToolRecordsInNumericOrder() {
        assertEquals(List.of("1", "2", "3", "4", "10"), versions(read(sample(MigrationFormat.FLYWAY), MigrationFormat.AUTO)));
        assertEquals(List.of("1", "2", "3", "4", "10"), versions(read(sample(MigrationFormat.GOLANG_MIGRATE), MigrationFormat.AUTO)));
        assertEquals(List.of("001", "002", "003", "004", "010"), versions(read(sample(MigrationFormat.SQL), MigrationFormat.AUTO)));
        assertEquals(List.of("20240101120000", "20240102120000", "20240103120000", "20240104120000", "20240110120000"),
                versions(read(sample(MigrationFormat.DBMATE), MigrationFormat.AUTO)));
        assertEquals(List.of("00000000000000", "20240101120000", "20240102120000", "20240103120000", "20240104120000",
                "20240110120000"), versions(read(sample(MigrationFormat.DIESEL), MigrationFormat.AUTO)));
        assertEquals(List.of("1704067200000", "1704153600000", "1704240000000", "1704326400000", "1704412800000"),
                versions(read(sample(MigrationFormat.DRIZZLE), MigrationFormat.AUTO)));
    }

    @Test
    void flywayVersionsWithUnderscoresAndDotsCompareNumerically() throws IOException {
        for (String f : List.of("R__views.sql", "V1_2__b.sql", "V1.10__c.sql", "V2__d.sql", "V1__a.sql", "V1.2.1__e.sql",
                "sub/V20__f.sql")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.writeString(dir.resolve(f), "select 1;");
        }
        List<Migration> migrations = read(dir, MigrationFormat.FLYWAY);
        assertEquals(List.of("1", "1.2", "1.2.1", "1.10", "2", "20", "views"), versions(migrations),
                "repeatable migrations come after the versioned ones");
        assertEquals("sub/V20__f.sql", migrations.get(5).logicalPath());
        assertTrue(migrations.get(6).repeatable());
        assertEquals("b", migrations.get(1).description());
    }

    @Test
    void eachFormatsTransactionSettingAndDownFilesAreRead() {
        Migration flywayIndex = read(sample(MigrationFormat.FLYWAY), MigrationFormat.FLYWAY).get(3);
        assertEquals("V4__orders_customer_index.sql", flywayIndex.logicalPath());
        assertFalse(flywayIndex.runInTransaction());
        assertEquals("U4__orders_customer_index.sql", flywayIndex.down().logicalPath());

        List<Migration> dbmate = read(sample(MigrationFormat.DBMATE), MigrationFormat.DBMATE);
        assertTrue(dbmate.get(0).runInTransaction());
        assertEquals(List.of(dbmate.get(0).up().sql()), dbmate.get(0).up().units(), "a transactional file is sent whole");
        assertTrue(dbmate.get(0).down().sql().startsWith("\nDROP FUNCTION order_count(bigint);"),
                dbmate.get(0).down().sql());
        assertFalse(dbmate.get(3).runInTransaction());

        List<Migration> diesel = read(sample(MigrationFormat.DIESEL), MigrationFormat.DIESEL);
        assertEquals("2024-01-04-120000_orders_customer_index/up.sql", diesel.get(4).logicalPath());
        assertFalse(diesel.get(4).up().transactional());
        assertEquals("2024-01-04-120000_orders_customer_index/down.sql", diesel.get(4).down().logicalPath());

        List<Migration> drizzle = read(sample(MigrationFormat.DRIZZLE), MigrationFormat.DRIZZLE);
        assertEquals("0000_init.sql", drizzle.get(0).logicalPath());
        assertEquals(6, drizzle.get(0).up().units().size(), "one unit per statement-breakpoint chunk");
        assertNull(drizzle.get(0).down(), "Drizzle keeps no down migrations");

        List<Migration> loop = read(sample(MigrationFormat.SQL), MigrationFormat.SQL);
        assertEquals("002-seed.sql", loop.get(1).logicalPath());
        assertEquals("002-seed.down.sql", loop.get(1).down().logicalPath());
    }

    @Test
    void aFileThatMixesConcurrentIndexBuildsWithOtherStatementsIsRefusedNamingFileAndLine() throws IOException {
        Files.writeString(dir.resolve("001_init.sql"), "create table t (a int);\n\ncreate index concurrently i on t (a);\n");
        DbdeployException e = assertThrows(DbdeployException.class, () -> read(dir, MigrationFormat.AUTO));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().startsWith("001_init.sql line 3: 'create index concurrently i on t (a);' cannot run"
                + " inside a transaction"), e.getMessage());
    }

    @Test
    void dbmateLinesCountFromTheTopOfTheFile() throws IOException {
        Files.writeString(dir.resolve("20240101000000_x.sql"),
                "-- migrate:up\ncreate table t (a int);\nvacuum t;\n\n-- migrate:down\ndrop table t;\n");
        DbdeployException e = assertThrows(DbdeployException.class, () -> read(dir, MigrationFormat.AUTO));
        assertTrue(e.getMessage().startsWith("20240101000000_x.sql line 3: 'vacuum t;'"), e.getMessage());
        assertTrue(e.getMessage().contains("'-- migrate:up transaction:false'"), e.getMessage());
    }

    @Test
    void psqlMetaCommandsAreRefusedNamingFileAndLine() throws IOException {
        Files.writeString(dir.resolve("1_init.up.sql"), "create table t (a int);\n\\i other.sql\n");
        DbdeployException e = assertThrows(DbdeployException.class, () -> read(dir, MigrationFormat.AUTO));
        assertTrue(e.getMessage().startsWith("1_init.up.sql line 2: '\\i other.sql' is understood only by psql"),
                e.getMessage());
    }

    @Test
    void dbmateAndPsqlLoopFilesAreToldApartByTheMarkerAndAMixIsAnError() throws IOException {
        Files.writeString(dir.resolve("001_a.sql"), "create table a (x int);");
        assertEquals(MigrationFormat.SQL, MigrationDirectory.detect(dir));
        Files.writeString(dir.resolve("002_b.sql"), "-- migrate:up\ncreate table b (x int);\n-- migrate:down\n");
        DbdeployException e = assertThrows(DbdeployException.class, () -> MigrationDirectory.detect(dir));
        assertTrue(e.getMessage().contains("mixes migration formats: dbmate (002_b.sql); sql (001_a.sql)"),
                e.getMessage());
    }

    @Test
    void flywayAndGolangMigrateFilesInOneDirectoryAreAnError() throws IOException {
        Files.writeString(dir.resolve("V1__a.sql"), "select 1;");
        Files.writeString(dir.resolve("2_b.up.sql"), "select 1;");
        DbdeployException e = assertThrows(DbdeployException.class, () -> read(dir, MigrationFormat.AUTO));
        assertTrue(e.getMessage().contains("flyway (V1__a.sql); golang-migrate (2_b.up.sql)"), e.getMessage());
    }

    @Test
    void sqlFilesTheFormatDoesNotNameAreAnErrorRatherThanNeverRun() throws IOException {
        Files.writeString(dir.resolve("V1__a.sql"), "select 1;");
        Files.writeString(dir.resolve("v2_b.sql"), "select 1;");
        DbdeployException e = assertThrows(DbdeployException.class, () -> read(dir, MigrationFormat.FLYWAY));
        assertTrue(e.getMessage().contains("not flyway migrations, so they would never run: v2_b.sql"), e.getMessage());
    }

    @Test
    void twoFilesWithTheSameVersionAreAnError() throws IOException {
        Files.writeString(dir.resolve("001_a.sql"), "select 1;");
        Files.writeString(dir.resolve("1_b.sql"), "select 1;");
        DbdeployException e = assertThrows(DbdeployException.class, () -> read(dir, MigrationFormat.SQL));
        assertTrue(e.getMessage().contains("more than one migration with version 1: 001_a.sql, 1_b.sql"), e.getMessage());
    }

    @Test
    void aDrizzleJournalEntryWithoutItsFileIsAnError() throws IOException {
        Files.createDirectories(dir.resolve("meta"));
        Files.writeString(dir.resolve("meta/_journal.json"), "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":"
                + "[{\"idx\":0,\"version\":\"7\",\"when\":1700000000000,\"tag\":\"0000_gone\",\"breakpoints\":true}]}");
        DbdeployException e = assertThrows(DbdeployException.class, () -> read(dir, MigrationFormat.AUTO));
        assertTrue(e.getMessage().contains("lists 0000_gone but 0000_gone.sql does not exist"), e.getMessage());
    }
}
