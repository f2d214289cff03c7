package io.github.dbdeploy.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.SummaryWriter;
import io.github.dbdeploy.engine.SchemaDump;
import io.github.dbdeploy.engine.TestDatabases;

/** The host side on its own: the runner's checks, exit codes and summary, against real PostgreSQL. */
class RunnerMainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(Path bundle, String sha, Path settings, Path work, Map<String, String> env) {
        return new RunnerMain(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env::get).run(new String[] {"--bundle", bundle.toString(), "--bundle-sha256", sha, "--settings",
                settings.toString(), "--work", work.toString()});
    }

    static Path settings(Path dir, String url, String password) throws Exception {
        Path p = dir.resolve("settings.properties");
        Files.writeString(p, "command=migrate\ndbdeploy.env=prod\ndbdeploy.tag=r-1\ndbdeploy.url=" + url.replace(":", "\\:") + "\n"
                + (password == null ? "" : "dbdeploy.password=" + password + "\n"));
        return p;
    }

    static Bundle bundle(Path dir) throws Exception {
        Path db = dir.resolve("db");
        Files.createDirectories(db);
        Files.writeString(db.resolve("changelog.sql"), "--liquibase formatted sql\n--changeset a:1\ncreate table host_t (id int);\n"
                + "--rollback drop table host_t;\n");
        return BundleWriter.write(db.resolve("changelog.sql"), null, "db", "1.0.0", null, dir.resolve("bundle.tar.gz"));
    }

    String text() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void migratesAndLeavesTheSummaryForTheScript(@TempDir Path dir) throws Exception {
        String url = TestDatabases.newDatabase("runner_ok");
        Bundle b = bundle(dir);
        int code = run(b.file(), b.sha256(), settings(dir, url, "env:HOST_DB_PASSWORD"), dir.resolve("work"),
                Map.of("HOST_DB_PASSWORD", "host-side-secret"));
        assertEquals(RunnerMain.OK, code, text());
        assertTrue(SchemaDump.of(url).contains("host_t"));
        String summary = Files.readString(dir.resolve("work/out/summary.json"));
        assertEquals("success", SummaryWriter.parse(summary).status());
        assertTrue(text().contains("bundle " + b.sha256().substring(0, 12) + " (1 file(s), changelog changelog.sql, verified)"),
                text());
        assertFalse(text().contains("host-side-secret"));
    }

    @Test
    void refusesAPasswordInTheSettingsWithoutTouchingTheDatabase(@TempDir Path dir) throws Exception {
        String url = TestDatabases.newDatabase("runner_plain");
        Bundle b = bundle(dir);
        int code = run(b.file(), b.sha256(), settings(dir, url, "hunter2-plain"), dir.resolve("work"), Map.of());
        assertEquals(RunnerMain.BAD_SETTINGS, code);
        assertTrue(text().contains("carry a password instead of a reference"), text());
        assertFalse(text().contains("hunter2-plain"));
        assertFalse(SchemaDump.of(url).contains("host_t"));
        assertEquals("error", SummaryWriter.parse(Files.readString(dir.resolve("work/out/summary.json"))).status());
    }

    @Test
    void refusesABundleWhoseHashDiffers(@TempDir Path dir) throws Exception {
        String url = TestDatabases.newDatabase("runner_sha");
        Bundle b = bundle(dir);
        int code = run(b.file(), "f".repeat(64), settings(dir, url, null), dir.resolve("work"), Map.of());
        assertEquals(RunnerMain.BUNDLE_REJECTED, code);
        assertTrue(text().contains("Bundle rejected: bundle.tar.gz has SHA-256 " + b.sha256()), text());
        assertFalse(Files.exists(dir.resolve("work/bundle")), "nothing was unpacked");
        assertFalse(SchemaDump.of(url).contains("host_t"));
    }

    @Test
    void refusesABundleWithALinkEvenWhenItsHashIsRight(@TempDir Path dir) throws Exception {
        String url = TestDatabases.newDatabase("runner_link");
        Path evil = BundleTest.craft(dir.resolve("evil.tar.gz"), tar -> {
            BundleTest.file(tar, BundleManifest.ENTRY, BundleTest.manifest("changelog.xml", "x"));
            org.apache.commons.compress.archivers.tar.TarArchiveEntry e =
                    new org.apache.commons.compress.archivers.tar.TarArchiveEntry("changelog/changelog.xml",
                            org.apache.commons.compress.archivers.tar.TarArchiveEntry.LF_SYMLINK);
            e.setLinkName("../../../../etc/passwd");
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        });
        int code = run(evil, io.github.dbdeploy.engine.ChangelogFingerprint.sha256(evil), settings(dir, url, null),
                dir.resolve("work"), Map.of());
        assertEquals(RunnerMain.BUNDLE_REJECTED, code);
        assertTrue(text().contains("is a symbolic link"), text());
        assertFalse(SchemaDump.of(url).contains("host_t"));
    }
}
