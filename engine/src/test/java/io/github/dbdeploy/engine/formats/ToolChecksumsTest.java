package io.github.dbdeploy.engine.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolChecksumsTest {
    @TempDir
    Path dir;

    /** What flyway-maven-plugin 12.11.0 stored for the sample's V1__init.sql (the adopt-flyway IT prints it). */
    private static final int FLYWAY_V1 = 785566044;

    @Test
    void flywayChecksumIsFlywaysOwnAndIgnoresLineEndingsAndAByteOrderMark() throws Exception {
        Path v1 = MigrationDirectoryTest.sample(MigrationFormat.FLYWAY).resolve("V1__init.sql");
        String text = Files.readString(v1);
        Path crlf = Files.writeString(dir.resolve("crlf.sql"), "\uFEFF" + text.replace("\n", "\r\n"));
        Path edited = Files.writeString(dir.resolve("edited.sql"), text + "-- one more line\n");

        assertEquals(FLYWAY_V1, ToolChecksums.flywayCrc32(v1));
        assertEquals(FLYWAY_V1, ToolChecksums.flywayCrc32(crlf), "a checkout with CRLF endings is the same file");
        assertNotEquals(FLYWAY_V1, ToolChecksums.flywayCrc32(edited));
    }

    @Test
    void drizzleAcceptsTheHashOfTheFileAsWrittenAndWithLfEndings() throws Exception {
        Path crlf = Files.write(dir.resolve("0000_x.sql"), "CREATE TABLE t (a int);\r\n".getBytes(StandardCharsets.UTF_8));
        // sha256("CREATE TABLE t (a int);\n") and of the CRLF text, computed independently of ToolChecksums:
        assertEquals(java.util.Set.of(sha256("CREATE TABLE t (a int);\n"), sha256("CREATE TABLE t (a int);\r\n")),
                ToolChecksums.drizzleHashes(crlf));
    }

    private static String sha256(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
