package io.github.dbdeploy.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.ChangelogFingerprint;
import io.github.dbdeploy.engine.DbdeployException;

class BundleTest {
    static final String LONG_DIR = "a-directory-name-long-enough-that-the-whole-path-goes-past-the-hundred-bytes-of-a-plain-tar-header";

    static Path project(Path dir) throws IOException {
        Path db = dir.resolve("db");
        Files.createDirectories(db.resolve("sql/" + LONG_DIR));
        Files.writeString(db.resolve("changelog.xml"), "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\">\n"
                + "  <includeAll path=\"sql/\" relativeToChangelogFile=\"true\"/>\n</databaseChangeLog>\n");
        Files.writeString(db.resolve("sql/001.sql"), "--liquibase formatted sql\n--changeset a:1\ncreate table t (id int);\n");
        Files.writeString(db.resolve("sql/" + LONG_DIR + "/002-ünïcode.sql"), "--liquibase formatted sql\n--changeset a:2\nselect 1;\n");
        return db.resolve("changelog.xml");
    }

    @Test
    void theSameInputsGiveTheSameBytes(@TempDir Path dir) throws Exception {
        Path changelog = project(dir);
        Bundle first = BundleWriter.write(changelog, null, "db", "1.0.0", "0123456789abcdef0123456789abcdef01234567", dir.resolve("out1/b.tar.gz"));
        Thread.sleep(1100); // a clock-dependent field would now differ
        Files.setLastModifiedTime(changelog, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        Bundle second = BundleWriter.write(changelog, null, "db", "1.0.0", "0123456789abcdef0123456789abcdef01234567", dir.resolve("out2/b.tar.gz"));
        assertArrayEquals(Files.readAllBytes(first.file()), Files.readAllBytes(second.file()));
        assertEquals(first.sha256(), second.sha256());
        assertEquals(ChangelogFingerprint.sha256(first.file()), first.sha256());

        Files.writeString(dir.resolve("db/sql/001.sql"), "--liquibase formatted sql\n--changeset a:1\ncreate table t (id bigint);\n");
        Bundle changed = BundleWriter.write(changelog, null, "db", "1.0.0", "0123456789abcdef0123456789abcdef01234567", dir.resolve("out3/b.tar.gz"));
        assertNotEquals(first.sha256(), changed.sha256());
    }

    @Test
    void theManifestListsEveryFileWithItsHashAndTheBuildFacts(@TempDir Path dir) throws Exception {
        Bundle b = BundleWriter.write(project(dir), null, "db", "1.2.3", "abc1230000000000000000000000000000000000", dir.resolve("b.tar.gz"));
        BundleManifest m = b.manifest();
        assertEquals("changelog.xml", m.changelog());
        assertEquals("db", m.changelogRoot());
        assertEquals("1.2.3", m.pluginVersion());
        assertEquals("abc1230000000000000000000000000000000000", m.gitCommit());
        assertEquals(List.of("changelog.xml", "sql/001.sql", "sql/" + LONG_DIR + "/002-ünïcode.sql"),
                m.files().stream().map(BundleManifest.Entry::path).toList());
        assertEquals(ChangelogFingerprint.sha256(dir.resolve("db/sql/001.sql")), m.files().get(1).sha256());
        assertEquals(m, BundleManifest.parse(m.toJson()));
    }

    @Test
    void systemTarReadsItWithFixedOwnersAndTimes(@TempDir Path dir) throws Exception {
        Bundle b = BundleWriter.write(project(dir), null, "db", "1.0.0", null, dir.resolve("b.tar.gz"));
        Process p = new ProcessBuilder("tar", "--numeric-owner", "-tvzf", b.file().toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listing);
        assertTrue(listing.startsWith("-rw-r--r-- 0/0"), listing);
        assertTrue(listing.contains("1980-01-01"), listing);
        assertTrue(listing.contains("changelog/sql/" + LONG_DIR + "/002-ünïcode.sql"), listing);
        assertFalse(listing.contains("root"), listing);
    }

    @Test
    void unpackingVerifiesEveryFile(@TempDir Path dir) throws Exception {
        Bundle b = BundleWriter.write(project(dir), null, "db", "1.0.0", null, dir.resolve("b.tar.gz"));
        BundleReader.Unpacked u = BundleReader.unpack(b.file(), dir.resolve("run/bundle"));
        assertEquals(dir.resolve("run/bundle/changelog/changelog.xml").toRealPath(), u.changelog());
        assertEquals(Files.readString(dir.resolve("db/sql/001.sql")), Files.readString(u.changelogRoot().resolve("sql/001.sql")));
    }

    @Test
    void theChecksFileTravelsBesideTheChangelogRootAndIsVerifiedLikeIt(@TempDir Path dir) throws Exception {
        Path changelog = project(dir);
        Path checks = Files.writeString(dir.resolve("post-deploy.sql"), "-- t exists\nselect to_regclass('t') is not null;\n");
        Bundle b = BundleWriter.write(changelog, checks, "db", "1.0.0", null, dir.resolve("b.tar.gz"));
        assertEquals(new BundleManifest.Entry("post-deploy.sql", ChangelogFingerprint.sha256(checks), Files.size(checks)),
                b.manifest().checks());
        assertEquals(b.manifest(), BundleManifest.parse(b.manifest().toJson()));
        assertFalse(b.manifest().files().stream().anyMatch(f -> f.path().contains("post-deploy")),
                "not under the changelog root, where an includeAll would take it for a migration");

        BundleReader.Unpacked u = BundleReader.unpack(b.file(), dir.resolve("run/bundle"));
        assertEquals(dir.resolve("run/bundle/checks/post-deploy.sql").toRealPath(), u.checks());
        assertEquals(Files.readString(checks), Files.readString(u.checks()));
        assertNull(BundleReader.unpack(BundleWriter.write(changelog, null, "db", "1.0.0", null, dir.resolve("c.tar.gz")).file(),
                dir.resolve("run2/bundle")).checks());

        String json = b.manifest().toJson();
        Path edited = craft(dir.resolve("edited.tar.gz"), tar -> {
            file(tar, BundleManifest.ENTRY, json);
            for (BundleManifest.Entry f : b.manifest().files()) {
                file(tar, "changelog/" + f.path(), Files.readString(changelog.getParent().resolve(f.path())));
            }
            file(tar, "checks/post-deploy.sql", "select true;\n");
        });
        assertTrue(rejection(edited, dir.resolve("run3/bundle")).contains("post-deploy.sql has SHA-256"));
        Path extra = craft(dir.resolve("extra.tar.gz"), tar -> {
            file(tar, BundleManifest.ENTRY, json);
            for (BundleManifest.Entry f : b.manifest().files()) {
                file(tar, "changelog/" + f.path(), Files.readString(changelog.getParent().resolve(f.path())));
            }
            file(tar, "checks/post-deploy.sql", Files.readString(checks));
            file(tar, "checks/more.sql", "select false;\n");
        });
        assertTrue(rejection(extra, dir.resolve("run4/bundle")).contains("files the manifest does not list: [more.sql]"));
    }

    @Test
    void aChecksSettingThatNamesNoFileIsAConfigurationError(@TempDir Path dir) throws Exception {
        DbdeployException e = assertThrows(DbdeployException.class, () -> BundleWriter.write(project(dir),
                dir.resolve("missing.sql"), "db", "1.0.0", null, dir.resolve("b.tar.gz")));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("missing.sql, which is not a file"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("b.tar.gz")));
    }

    // --- crafted archives -------------------------------------------------------------------------------------------

    interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    static Path craft(Path file, Entries entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); GZIPOutputStream gz = new GZIPOutputStream(out);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.write(tar);
        }
        return file;
    }

    static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    static String manifest(String... pathAndContent) {
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < pathAndContent.length; i += 2) {
            byte[] bytes = pathAndContent[i + 1].getBytes(StandardCharsets.UTF_8);
            files.append(i == 0 ? "" : ",").append("{\"path\":\"").append(pathAndContent[i]).append("\",\"sha256\":\"")
                    .append(java.util.HexFormat.of().formatHex(sha(bytes))).append("\",\"size\":").append(bytes.length).append('}');
        }
        return "{\"format\":\"dbdeploy-bundle/1\",\"changelog\":\"changelog.xml\",\"changelogRoot\":\"db\","
                + "\"pluginVersion\":\"1\",\"gitCommit\":null,\"files\":[" + files + "]}";
    }

    static byte[] sha(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String rejection(Path archive, Path into) {
        DbdeployException e = assertThrows(DbdeployException.class, () -> BundleReader.unpack(archive, into));
        assertTrue(e.getMessage().startsWith("Bundle rejected: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was run."), e.getMessage());
        return e.getMessage();
    }

    @Test
    void anEntryThatClimbsOutWithDotDotIsRefusedAndNothingLandsOutside(@TempDir Path dir) throws Exception {
        Path a = craft(dir.resolve("a.tar.gz"), tar -> {
            file(tar, BundleManifest.ENTRY, manifest("changelog.xml", "x"));
            file(tar, "changelog/changelog.xml", "x");
            file(tar, "changelog/../../evil.sh", "echo owned");
        });
        String m = rejection(a, dir.resolve("run/bundle"));
        assertTrue(m.contains("entry changelog/../../evil.sh climbs out of the bundle with '..'"), m);
        assertFalse(Files.exists(dir.resolve("evil.sh")));
        assertFalse(Files.exists(dir.resolve("run/evil.sh")));
    }

    @Test
    void anAbsolutePathIsRefused(@TempDir Path dir) throws Exception {
        Path a = craft(dir.resolve("a.tar.gz"), tar -> file(tar, dir.resolve("evil").toString(), "x"));
        String m = rejection(a, dir.resolve("run/bundle"));
        assertTrue(m.contains("has an absolute path"), m);
        assertFalse(Files.exists(dir.resolve("evil")));
    }

    @Test
    void symbolicAndHardLinksAreRefused(@TempDir Path dir) throws Exception {
        Path sym = craft(dir.resolve("s.tar.gz"), tar -> {
            TarArchiveEntry e = new TarArchiveEntry("changelog/sql", TarArchiveEntry.LF_SYMLINK);
            e.setLinkName("/etc");
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            file(tar, "changelog/sql/passwd", "x");
        });
        assertTrue(rejection(sym, dir.resolve("run1")).contains("entry changelog/sql is a symbolic link (to /etc)"));
        Path hard = craft(dir.resolve("h.tar.gz"), tar -> {
            TarArchiveEntry e = new TarArchiveEntry("changelog/changelog.xml", TarArchiveEntry.LF_LINK);
            e.setLinkName("/etc/shadow");
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        });
        assertTrue(rejection(hard, dir.resolve("run2")).contains("is a hard link (to /etc/shadow)"));
        Path fifo = craft(dir.resolve("f.tar.gz"), tar -> {
            tar.putArchiveEntry(new TarArchiveEntry("changelog/pipe", TarArchiveEntry.LF_FIFO));
            tar.closeArchiveEntry();
        });
        assertTrue(rejection(fifo, dir.resolve("run3")).contains("is not a plain file or directory"));
    }

    @Test
    void filesThatDoNotMatchTheManifestAreRefused(@TempDir Path dir) throws Exception {
        Path changed = craft(dir.resolve("c.tar.gz"), tar -> {
            file(tar, BundleManifest.ENTRY, manifest("changelog.xml", "original"));
            file(tar, "changelog/changelog.xml", "changed");
        });
        assertTrue(rejection(changed, dir.resolve("run1")).contains("changelog.xml has SHA-256"));
        Path extra = craft(dir.resolve("e.tar.gz"), tar -> {
            file(tar, BundleManifest.ENTRY, manifest("changelog.xml", "x"));
            file(tar, "changelog/changelog.xml", "x");
            file(tar, "changelog/smuggled.sql", "drop table customer;");
        });
        assertTrue(rejection(extra, dir.resolve("run2")).contains("files the manifest does not list: [smuggled.sql]"));
        Path duplicate = craft(dir.resolve("d.tar.gz"), tar -> {
            file(tar, BundleManifest.ENTRY, manifest("changelog.xml", "x"));
            file(tar, "changelog/changelog.xml", "x");
            file(tar, "changelog/changelog.xml", "y");
        });
        assertTrue(rejection(duplicate, dir.resolve("run3")).contains("holds changelog/changelog.xml twice"));
        Path noManifest = craft(dir.resolve("n.tar.gz"), tar -> file(tar, "changelog/changelog.xml", "x"));
        assertTrue(rejection(noManifest, dir.resolve("run4")).contains("it has no dbdeploy-manifest.json"));
    }

    @Test
    void aBundleWhoseHashDiffersIsRefusedBeforeUnpacking(@TempDir Path dir) throws Exception {
        Bundle b = BundleWriter.write(project(dir), null, "db", "1.0.0", null, dir.resolve("b.tar.gz"));
        DbdeployException e = assertThrows(DbdeployException.class,
                () -> BundleReader.verifySha256(b.file(), "0".repeat(64)));
        assertTrue(e.getMessage().contains("has SHA-256 " + b.sha256() + " but " + "0".repeat(64) + " was expected"),
                e.getMessage());
    }
}
