package io.github.dbdeploy.engine.formats;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.zip.CRC32;

import io.github.dbdeploy.engine.DbdeployException;

/**
 * The checksums other tools store in their history tables, computed exactly as they compute them, so that adopting
 * their history can prove the files are the ones they applied.
 */
public final class ToolChecksums {
    private static final char BOM = '\uFEFF';

    private ToolChecksums() {
    }

    /**
     * Flyway's {@code checksum} column (flyway-core {@code ChecksumCalculator}): a CRC32 over the UTF-8 bytes of each
     * line of the file without its line terminator ({@code \n}, {@code \r\n} or {@code \r}, as
     * {@code BufferedReader.readLine} splits), a byte order mark at the start of a line dropped, as a signed int.
     * Line endings therefore do not change it, which is why a file checked out on Windows still matches.
     */
    public static int flywayCrc32(Path file) {
        CRC32 crc = new CRC32();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isEmpty() && line.charAt(0) == BOM) {
                    line = line.substring(1);
                }
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot read " + file + " to compute its Flyway checksum: "
                    + e.getMessage());
        }
        return (int) crc.getValue();
    }

    /**
     * The hashes Drizzle may have stored in {@code __drizzle_migrations.hash} for this file: the SHA-256 (hex) of its
     * text as drizzle-orm's {@code readMigrationFiles} reads it. Current drizzle-orm turns CRLF into LF first; older
     * releases hashed the text as it was, so both are accepted (they are equal for a file with LF endings).
     */
    public static Set<String> drizzleHashes(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot read " + file + " to compute its Drizzle hash: "
                    + e.getMessage());
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        Set<String> out = new LinkedHashSet<>();
        out.add(sha256(text.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8)));
        out.add(sha256(text.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
