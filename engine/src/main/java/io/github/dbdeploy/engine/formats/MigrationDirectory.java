package io.github.dbdeploy.engine.formats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.JsonMapper;

/**
 * Reads a directory of migrations in another tool's shape into {@link Migration}s, in the order that tool applies
 * them. Every {@code .sql} file in the directory must belong to a migration: a file the format does not name would
 * otherwise be silently never applied, so it is an error that lists it.
 */
public final class MigrationDirectory {
    private static final Pattern FLYWAY = Pattern.compile("([VUR])(.*?)__(.+)\\.sql");
    private static final Pattern FLYWAY_VERSION = Pattern.compile("\\d+(\\.\\d+)*");
    private static final Pattern GOLANG_MIGRATE = Pattern.compile("(\\d+)_(.*)\\.(up|down)\\.sql");
    private static final Pattern DBMATE = Pattern.compile("(\\d+)_(.*)\\.sql");
    private static final Pattern PSQL_LOOP = Pattern.compile("(\\d+)[_-](.*?)(\\.down)?\\.sql");
    private static final Pattern DIESEL_DIR = Pattern.compile("(\\d[\\d-]*)_(.+)");
    private static final Pattern DBMATE_UP = Pattern.compile("(?m)^--\\s*migrate:up\\b(.*)$");
    private static final Pattern DBMATE_DOWN = Pattern.compile("(?m)^--\\s*migrate:down\\b(.*)$");
    private static final Pattern NO_TRANSACTION_OPTION = Pattern.compile("\\btransaction:\\s*false\\b");
    private static final Pattern DIESEL_NO_TRANSACTION =
            Pattern.compile("(?m)^\\s*run_in_transaction\\s*=\\s*false\\s*(#.*)?$");
    private static final Pattern FLYWAY_NO_TRANSACTION =
            Pattern.compile("(?m)^\\s*executeInTransaction\\s*=\\s*false\\s*$");
    private static final String DRIZZLE_JOURNAL = "meta/_journal.json";
    private static final String DRIZZLE_BREAKPOINT = "--> statement-breakpoint";

    private final Path dir;
    private final MigrationFormat format;
    private final int serverMajorVersion;
    /** Every .sql file under the directory, relative; readers remove what they use, the rest is reported. */
    private final Set<String> unclaimed;

    private MigrationDirectory(Path dir, MigrationFormat format, int serverMajorVersion, Set<String> sqlFiles) {
        this.dir = dir;
        this.format = format;
        this.serverMajorVersion = serverMajorVersion;
        this.unclaimed = sqlFiles;
    }

    /**
     * The migrations in {@code dir}, in the order their tool applies them.
     *
     * @param format             the directory's shape; {@link MigrationFormat#AUTO} detects it
     * @param serverMajorVersion PostgreSQL's major version (before 12, ALTER TYPE ... ADD VALUE cannot run in a
     *                           transaction); {@link Integer#MAX_VALUE} when not known
     * @throws DbdeployException (configuration) naming the files at fault, before anything runs
     */
    public static List<Migration> read(Path dir, MigrationFormat format, int serverMajorVersion) {
        MigrationFormat actual = format == MigrationFormat.AUTO ? detect(dir) : format;
        MigrationDirectory reader = new MigrationDirectory(dir, actual, serverMajorVersion, sqlFiles(dir));
        List<Migration> migrations = switch (actual) {
            case FLYWAY -> reader.flyway();
            case GOLANG_MIGRATE -> reader.golangMigrate();
            case DBMATE -> reader.dbmate();
            case DIESEL -> reader.diesel();
            case DRIZZLE -> reader.drizzle();
            case SQL -> reader.psqlLoop();
            case AUTO -> throw new IllegalStateException("detected formats are never auto");
        };
        if (!reader.unclaimed.isEmpty()) {
            throw DbdeployException.configuration("Changelog directory " + dir + " (format " + actual.id()
                    + ") has .sql files that are not " + actual.id() + " migrations, so they would never run: "
                    + String.join(", ", limit(reader.unclaimed)) + ". Rename them to the format's pattern ("
                    + pattern(actual) + ") or move them out of the directory.");
        }
        reader.checkUniqueVersions(migrations);
        List<Migration> sorted = new ArrayList<>(migrations);
        sorted.sort(Migration.ORDER);
        return List.copyOf(sorted);
    }

    /** The directory's format, from its file names and, to tell dbmate from a psql loop, dbmate's markers. */
    public static MigrationFormat detect(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw DbdeployException.configuration("Changelog directory " + dir + " does not exist");
        }
        Map<MigrationFormat, List<String>> found = new EnumMap<>(MigrationFormat.class);
        if (Files.isRegularFile(dir.resolve(DRIZZLE_JOURNAL))) {
            found.computeIfAbsent(MigrationFormat.DRIZZLE, k -> new ArrayList<>()).add(DRIZZLE_JOURNAL);
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                String name = child.getFileName().toString();
                if (Files.isDirectory(child) && DIESEL_DIR.matcher(name).matches()
                        && Files.isRegularFile(child.resolve("up.sql"))) {
                    found.computeIfAbsent(MigrationFormat.DIESEL, k -> new ArrayList<>()).add(name + "/up.sql");
                }
            }
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot list changelog directory " + dir + ": " + e.getMessage());
        }
        boolean drizzle = found.containsKey(MigrationFormat.DRIZZLE);
        for (String file : sqlFiles(dir)) {
            if (file.contains("/")) {
                continue; // only Flyway reads subdirectories, and its files are recognised by name alone
            }
            MigrationFormat f;
            if (FLYWAY.matcher(file).matches()) {
                f = MigrationFormat.FLYWAY;
            } else if (drizzle) {
                continue; // Drizzle's files are named by its journal
            } else if (GOLANG_MIGRATE.matcher(file).matches() && file.endsWith(".up.sql")) {
                f = MigrationFormat.GOLANG_MIGRATE;
            } else if (file.endsWith(".down.sql") && PSQL_LOOP.matcher(file).matches()) {
                continue; // a psql loop's or golang-migrate's down file says nothing by itself
            } else if (PSQL_LOOP.matcher(file).matches()) {
                f = DBMATE_UP.matcher(readString(dir.resolve(file))).find() ? MigrationFormat.DBMATE : MigrationFormat.SQL;
            } else {
                continue;
            }
            found.computeIfAbsent(f, k -> new ArrayList<>()).add(file);
        }
        if (found.size() == 1) {
            return found.keySet().iterator().next();
        }
        if (found.isEmpty()) {
            throw DbdeployException.configuration("Cannot tell the format of changelog directory " + dir
                    + ": it holds no migration files this tool recognises. Set dbdeploy.format to one of "
                    + MigrationFormat.names() + ", or point dbdeploy.changelog at the migrations directory.");
        }
        List<String> what = new ArrayList<>();
        found.forEach((f, files) -> what.add(f.id() + " (" + String.join(", ", limit(files)) + ")"));
        throw DbdeployException.configuration("Changelog directory " + dir + " mixes migration formats: "
                + String.join("; ", what) + ". Keep one format per directory, or set dbdeploy.format to the one it"
                + " is written in.");
    }

    private List<Migration> flyway() {
        Map<String, Path> undo = new HashMap<>();
        List<Migration> out = new ArrayList<>();
        for (String file : new ArrayList<>(unclaimed)) {
            Matcher m = FLYWAY.matcher(fileName(file));
            if (!m.matches()) {
                continue;
            }
            String version = m.group(2).replace('_', '.');
            String description = m.group(3).replace('_', ' ');
            if (!m.group(1).equals("R") && !FLYWAY_VERSION.matcher(version).matches()) {
                throw DbdeployException.configuration("Flyway migration " + file + " has version '" + m.group(2)
                        + "', which is not numbers separated by dots or underscores (V1__x.sql, V1.2__x.sql).");
            }
            unclaimed.remove(file);
            if (m.group(1).equals("U")) {
                undo.put(canonicalVersion(version), dir.resolve(file));
                continue;
            }
            Path conf = dir.resolve(file + ".conf");
            Boolean transactional = Files.isRegularFile(conf)
                    && FLYWAY_NO_TRANSACTION.matcher(readString(conf)).find() ? Boolean.FALSE : null;
            boolean repeatable = m.group(1).equals("R");
            out.add(new Migration(format, repeatable ? description : version, description, file,
                    script(dir.resolve(file), 1, readString(dir.resolve(file)), transactional, false),
                    null, repeatable));
        }
        List<Migration> withUndo = new ArrayList<>();
        for (Migration mig : out) {
            Path u = mig.repeatable() ? null : undo.remove(canonicalVersion(mig.version()));
            withUndo.add(u == null ? mig : new Migration(mig.format(), mig.version(), mig.description(),
                    mig.logicalPath(), mig.up(), downScript(u, 1, readString(u), null), false));
        }
        if (!undo.isEmpty()) {
            throw DbdeployException.configuration("Flyway undo migrations without a versioned migration of the same"
                    + " version in " + dir + ": " + undo.values().stream().map(p -> relative(p)).sorted().toList()
                    + ". Remove them or add the V file they undo.");
        }
        return withUndo;
    }

    private List<Migration> golangMigrate() {
        Map<String, String> downs = new HashMap<>();
        List<String[]> ups = new ArrayList<>();
        for (String file : new ArrayList<>(unclaimed)) {
            Matcher m = GOLANG_MIGRATE.matcher(file);
            if (!m.matches()) {
                continue;
            }
            unclaimed.remove(file);
            // golang-migrate stores the version as a number: 0001_x.up.sql is version 1.
            String version = new java.math.BigInteger(m.group(1)).toString();
            if (m.group(3).equals("down")) {
                if (downs.put(version, file) != null) {
                    throw duplicate(version, List.of(downs.get(version), file));
                }
            } else {
                ups.add(new String[] {version, m.group(2), file});
            }
        }
        List<Migration> out = new ArrayList<>();
        for (String[] up : ups) {
            String down = downs.remove(up[0]);
            out.add(new Migration(format, up[0], up[1], up[2], script(dir.resolve(up[2]), 1,
                    readString(dir.resolve(up[2])), null, false), down == null ? null
                    : downScript(dir.resolve(down), 1, readString(dir.resolve(down)), null), false));
        }
        if (!downs.isEmpty()) {
            throw DbdeployException.configuration("golang-migrate down files without an up file of the same version in "
                    + dir + ": " + new TreeSet<>(downs.values()) + ". Remove them or add the up file.");
        }
        return out;
    }

    private List<Migration> dbmate() {
        List<Migration> out = new ArrayList<>();
        for (String file : new ArrayList<>(unclaimed)) {
            Matcher m = DBMATE.matcher(file);
            if (!m.matches()) {
                continue;
            }
            unclaimed.remove(file);
            Path path = dir.resolve(file);
            String text = readString(path);
            Matcher up = DBMATE_UP.matcher(text);
            if (!up.find()) {
                throw DbdeployException.configuration("dbmate migration " + file + " has no '-- migrate:up' line;"
                        + " dbmate requires one. Add it above the SQL that applies the migration.");
            }
            Matcher down = DBMATE_DOWN.matcher(text);
            boolean hasDown = down.find();
            int upStart = up.end();
            int upEnd = hasDown && down.start() > up.start() ? down.start() : text.length();
            Migration.Script upScript = script(path, lineAt(text, upStart), text.substring(upStart, upEnd),
                    NO_TRANSACTION_OPTION.matcher(up.group(1)).find() ? Boolean.FALSE : null, false);
            Migration.Script downScript = null;
            if (hasDown) {
                int downStart = down.end();
                int downEnd = up.start() > down.start() ? up.start() : text.length();
                downScript = downScript(path, lineAt(text, downStart), text.substring(downStart, downEnd),
                        NO_TRANSACTION_OPTION.matcher(down.group(1)).find() ? Boolean.FALSE : null);
            }
            // dbmate records the version as written (a string column), leading zeros included.
            out.add(new Migration(format, m.group(1), m.group(2), file, upScript, downScript, false));
        }
        return out;
    }

    private List<Migration> diesel() {
        List<Migration> out = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                String name = child.getFileName().toString();
                Matcher m = DIESEL_DIR.matcher(name);
                if (!Files.isDirectory(child) || !m.matches()) {
                    continue;
                }
                Path up = child.resolve("up.sql");
                if (!Files.isRegularFile(up)) {
                    throw DbdeployException.configuration("diesel migration directory " + name + " has no up.sql;"
                            + " add it or remove the directory.");
                }
                Path down = child.resolve("down.sql");
                Path metadata = child.resolve("metadata.toml");
                Boolean transactional = Files.isRegularFile(metadata)
                        && DIESEL_NO_TRANSACTION.matcher(readString(metadata)).find() ? Boolean.FALSE : null;
                unclaimed.remove(name + "/up.sql");
                unclaimed.remove(name + "/down.sql");
                // diesel's version is the directory name up to the first '_' without its dashes.
                String version = m.group(1).replace("-", "");
                out.add(new Migration(format, version, m.group(2), name + "/up.sql",
                        script(up, 1, readString(up), transactional, false),
                        Files.isRegularFile(down) ? downScript(down, 1, readString(down), transactional) : null,
                        false));
            }
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot list changelog directory " + dir + ": " + e.getMessage());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Migration> drizzle() {
        Path journal = dir.resolve(DRIZZLE_JOURNAL);
        if (!Files.isRegularFile(journal)) {
            throw DbdeployException.configuration("Drizzle migrations need " + journal + " (written by drizzle-kit"
                    + " generate); it is missing.");
        }
        List<Object> entries;
        try {
            entries = (List<Object>) JsonMapper.readObject(readString(journal)).get("entries");
        } catch (RuntimeException e) {
            throw DbdeployException.configuration("Cannot read the Drizzle journal " + journal + ": " + e.getMessage());
        }
        List<Migration> out = new ArrayList<>();
        for (Object o : entries == null ? List.of() : entries) {
            Map<String, Object> entry = (Map<String, Object>) o;
            String tag = (String) entry.get("tag");
            Object when = entry.get("when");
            if (tag == null || !(when instanceof Number)) {
                throw DbdeployException.configuration("The Drizzle journal " + journal + " has an entry without a tag"
                        + " or a numeric 'when': " + entry);
            }
            String file = tag + ".sql";
            Path path = dir.resolve(file);
            if (!Files.isRegularFile(path)) {
                throw DbdeployException.configuration("The Drizzle journal " + journal + " lists " + tag
                        + " but " + file + " does not exist. Restore the file or regenerate the journal.");
            }
            unclaimed.remove(file);
            // Drizzle's __drizzle_migrations keeps the journal's 'when' as created_at (and the file's sha256).
            out.add(new Migration(format, Long.toString(((Number) when).longValue()), tag, file,
                    script(path, 1, readString(path), null, true), null, false));
        }
        return out;
    }

    private List<Migration> psqlLoop() {
        Map<String, String> downs = new HashMap<>();
        List<String[]> ups = new ArrayList<>();
        for (String file : new ArrayList<>(unclaimed)) {
            Matcher m = PSQL_LOOP.matcher(file);
            if (!m.matches()) {
                continue;
            }
            unclaimed.remove(file);
            String base = file.substring(0, file.length() - (m.group(3) == null ? ".sql" : ".down.sql").length());
            if (m.group(3) != null) {
                downs.put(base, file);
            } else {
                ups.add(new String[] {m.group(1), m.group(2), file, base});
            }
        }
        List<Migration> out = new ArrayList<>();
        for (String[] up : ups) {
            String down = downs.remove(up[3]);
            out.add(new Migration(format, up[0], up[1], up[2], script(dir.resolve(up[2]), 1,
                    readString(dir.resolve(up[2])), null, false), down == null ? null
                    : downScript(dir.resolve(down), 1, readString(dir.resolve(down)), null), false));
        }
        if (!downs.isEmpty()) {
            throw DbdeployException.configuration("Down files without a migration of the same name in " + dir + ": "
                    + new TreeSet<>(downs.values()) + ". Name each NNN_name.down.sql after its NNN_name.sql.");
        }
        return out;
    }

    /** A down script, or null when it holds no statement (an empty dbmate section or down file undoes nothing). */
    private Migration.Script downScript(Path file, int line, String sql, Boolean transactional) {
        Migration.Script s = script(file, line, sql, transactional, false);
        return s.units().isEmpty() ? null : s;
    }

    /**
     * How {@code sql} runs: in one transaction unless the tool's metadata says otherwise or it consists of statements
     * PostgreSQL refuses in one; a mix of both is refused here, before anything runs.
     */
    private Migration.Script script(Path file, int firstLine, String sql, Boolean transactionalByMetadata,
                                    boolean drizzleBreakpoints) {
        String name = relative(file);
        SqlScript parsed = SqlScript.parse(sql);
        if (!parsed.psqlOnly().isEmpty()) {
            SqlScript.PsqlOnly first = parsed.psqlOnly().get(0);
            throw DbdeployException.configuration(name + " line " + (first.line() + firstLine - 1) + ": '"
                    + first.text() + "' is understood only by psql (a meta-command or COPY ... FROM stdin), and"
                    + " dbdeploy sends SQL to the server. Replace it with SQL (INSERT rows instead of COPY FROM stdin,"
                    + " the included file's SQL instead of \\i, literal values instead of \\set variables).");
        }
        List<SqlScript.Statement> statements = parsed.statements();
        List<String> each = statements.stream().map(SqlScript.Statement::sql).toList();
        if (Boolean.FALSE.equals(transactionalByMetadata)) {
            return new Migration.Script(file, name, firstLine, sql, each, false);
        }
        List<SqlScript.Statement> outside = parsed.nonTransactional(serverMajorVersion);
        if (!outside.isEmpty() && outside.size() == statements.size()) {
            return new Migration.Script(file, name, firstLine, sql, each, false);
        }
        if (!outside.isEmpty()) {
            SqlScript.Statement first = outside.get(0);
            throw DbdeployException.configuration(name + " line " + (first.line() + firstLine - 1) + ": '"
                    + SqlScript.excerpt(first.sql()) + "' cannot run inside a transaction, but the file's "
                    + (statements.size() - outside.size()) + " other statement(s) would then run without one, each"
                    + " on its own. Move it to a migration of its own" + noTransactionHint() + ". Nothing was run.");
        }
        List<String> units;
        if (statements.isEmpty()) {
            units = List.of();
        } else if (drizzleBreakpoints) {
            units = new ArrayList<>();
            for (String chunk : sql.split(Pattern.quote(DRIZZLE_BREAKPOINT))) {
                if (!SqlScript.parse(chunk).statements().isEmpty()) {
                    units.add(chunk);
                }
            }
        } else {
            units = List.of(sql);
        }
        return new Migration.Script(file, name, firstLine, sql, List.copyOf(units), true);
    }

    private String noTransactionHint() {
        return switch (format) {
            case DBMATE -> ", or mark the section '-- migrate:up transaction:false' to run every statement on its own";
            case DIESEL -> ", or add metadata.toml with run_in_transaction = false to run every statement on its own";
            case FLYWAY -> ", or add a .sql.conf file with executeInTransaction=false to run every statement on its own";
            default -> "";
        };
    }

    private void checkUniqueVersions(List<Migration> migrations) {
        Map<String, List<String>> byVersion = new LinkedHashMap<>();
        for (Migration m : migrations) {
            String key = m.repeatable() ? "R:" + m.description() : canonicalVersion(m.version());
            byVersion.computeIfAbsent(key, k -> new ArrayList<>()).add(m.logicalPath());
        }
        for (Map.Entry<String, List<String>> e : byVersion.entrySet()) {
            if (e.getValue().size() > 1) {
                throw duplicate(e.getKey(), e.getValue());
            }
        }
    }

    private DbdeployException duplicate(String version, List<String> files) {
        return DbdeployException.configuration("Changelog directory " + dir + " has more than one migration with"
                + " version " + version + ": " + String.join(", ", files) + ". Give each migration its own version.");
    }

    /** {@code 001}, {@code 1} and {@code 1.0} are the same version. */
    private static String canonicalVersion(String version) {
        List<String> parts = new ArrayList<>();
        for (String p : version.split("\\.")) {
            parts.add(p.matches("\\d+") ? new java.math.BigInteger(p).toString() : p);
        }
        while (parts.size() > 1 && parts.get(parts.size() - 1).equals("0")) {
            parts.remove(parts.size() - 1);
        }
        return String.join(".", parts);
    }

    private static String pattern(MigrationFormat f) {
        return switch (f) {
            case FLYWAY -> "V1__name.sql, U1__name.sql, R__name.sql";
            case GOLANG_MIGRATE -> "1_name.up.sql, 1_name.down.sql";
            case DBMATE -> "20240101120000_name.sql";
            case DIESEL -> "2024-01-01-120000_name/up.sql and down.sql";
            case DRIZZLE -> "files listed in meta/_journal.json";
            case SQL -> "001_name.sql, 001_name.down.sql";
            case AUTO -> "";
        };
    }

    private String relative(Path file) {
        return dir.relativize(file).toString().replace('\\', '/');
    }

    private static String fileName(String relativePath) {
        return relativePath.substring(relativePath.lastIndexOf('/') + 1);
    }

    /** Every .sql file under {@code dir}, relative with '/' separators, sorted. */
    private static Set<String> sqlFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw DbdeployException.configuration("Changelog directory " + dir + " does not exist");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            Set<String> out = new TreeSet<>();
            walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".sql"))
                    .forEach(p -> out.add(dir.relativize(p).toString().replace('\\', '/')));
            return out;
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot list changelog directory " + dir + ": " + e.getMessage());
        }
    }

    private static String readString(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot read " + file + ": " + e.getMessage());
        }
    }

    private static int lineAt(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static List<String> limit(java.util.Collection<String> items) {
        List<String> list = new ArrayList<>(items);
        return list.size() <= 8 ? list : List.of(String.join(", ", list.subList(0, 8)), "... (" + list.size() + " in all)");
    }
}
