package io.github.dbdeploy.engine.formats;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * One migration of a directory changelog, everything dbdeploy and the other tool know about it. It becomes one
 * changeset: id {@link #version()}, author the format's id, file {@link #logicalPath()}.
 *
 * @param format      the tool whose shape the directory has
 * @param version     the version exactly as the tool records it in its history table: Flyway {@code 1.2},
 *                    golang-migrate {@code 1}, dbmate and diesel {@code 20190226002946}, Drizzle the journal's
 *                    {@code when} (its {@code created_at}), the psql loop the file's number as written ({@code 001});
 *                    for a Flyway repeatable migration its description
 * @param description the name part of the file (Flyway records it, with underscores as spaces)
 * @param logicalPath the up file relative to the directory, with '/' separators: stable when the directory moves
 * @param up          the SQL applied
 * @param down        the SQL that undoes it, or null where the format or the project has none
 * @param repeatable  a Flyway {@code R__} migration: applied again whenever it changes, after the versioned ones
 */
public record Migration(MigrationFormat format, String version, String description, String logicalPath,
                        Script up, Script down, boolean repeatable) {

    /**
     * One file's SQL (or one dbmate section) and how it runs.
     *
     * @param file          the file on disk (checksum inputs: Flyway's CRC32 and Drizzle's sha256 are over its text)
     * @param logicalPath   the file relative to the directory
     * @param line          the line the SQL starts on in the file (dbmate sections start below their marker)
     * @param sql           the SQL exactly as written
     * @param units         what is sent to the server, in order: the whole SQL as one unit when it runs in a
     *                      transaction (Drizzle: one unit per statement-breakpoint chunk), else one unit per statement
     * @param transactional whether the file runs in one transaction (the tool's metadata, or what its statements allow)
     */
    public record Script(Path file, String logicalPath, int line, String sql, List<String> units,
                         boolean transactional) {
    }

    /** Whether the changeset can run in one transaction: both its up and its down SQL can. */
    public boolean runInTransaction() {
        return up.transactional() && (down == null || down.transactional());
    }

    /** Numeric order of versions, part by part ({@code 2 < 10}, {@code 1.2 < 1.10}, {@code 1 = 1.0 = 001}). */
    public static final Comparator<String> VERSION_ORDER = Migration::compareVersions;

    /** Versioned migrations in version order, then repeatable ones by description (Flyway's order). */
    public static final Comparator<Migration> ORDER = Comparator.comparing(Migration::repeatable)
            .thenComparing((a, b) -> a.repeatable() ? a.description().compareTo(b.description())
                    : compareVersions(a.version(), b.version()));

    private static int compareVersions(String a, String b) {
        List<BigInteger> x = parts(a);
        List<BigInteger> y = parts(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            BigInteger p = i < x.size() ? x.get(i) : BigInteger.ZERO;
            BigInteger q = i < y.size() ? y.get(i) : BigInteger.ZERO;
            int c = p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<BigInteger> parts(String version) {
        return java.util.Arrays.stream(version.split("\\.")).map(BigInteger::new).toList();
    }
}
