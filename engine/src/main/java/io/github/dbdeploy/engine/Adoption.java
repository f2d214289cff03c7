package io.github.dbdeploy.engine;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import io.github.dbdeploy.engine.formats.Migration;
import io.github.dbdeploy.engine.formats.ToolChecksums;
import liquibase.changelog.ChangeSet;

/**
 * Decides which changesets another tool's history says are applied, checking what the tool stored against the files:
 * a plan to record, or a refusal that lists every problem at once. Reads no database and changes nothing.
 */
final class Adoption {
    private static final Pattern NUMERIC_VERSION = Pattern.compile("\\d+(\\.\\d+)*");
    private static final Pattern LEADING_NUMBER = Pattern.compile("^(\\d+)");

    /** A changeset to record as applied, when the tool applied it (null when the tool did not keep the time). */
    record Mark(String id, String file, LocalDateTime appliedAt) {
    }

    /** What adopt or baseline will record, and what the user should know about it. */
    record Plan(List<Mark> marks, List<String> notes) {
    }

    private Adoption() {
    }

    /**
     * Matches every row of a file-based tool's history to a migration of the directory.
     *
     * @throws DbdeployException listing every row that failed, is dirty, has no file or whose checksum differs
     */
    static Plan ofFiles(ForeignHistory.Tool tool, List<ForeignHistory.Row> rows, List<Migration> migrations) {
        RowMatcher matcher = new RowMatcher(tool, migrations);
        switch (tool) {
            case FLYWAY -> matcher.flyway(rows);
            case GOLANG_MIGRATE -> matcher.golangMigrate(rows);
            case DRIZZLE -> matcher.drizzle(rows);
            case DBMATE, DIESEL, SQL -> matcher.everyRow(rows);
            default -> throw new IllegalArgumentException(tool + " keeps no file history");
        }
        if (!matcher.problems.isEmpty()) {
            throw DbdeployException.configuration("Refusing to adopt " + tool.id() + "'s history (" + tool.table()
                    + "): " + matcher.problems.size() + " problem(s):\n  - " + String.join("\n  - ", matcher.problems)
                    + "\nNothing was changed, and " + tool.table() + " is left as it was.");
        }
        List<Mark> marks = new ArrayList<>(matcher.marks.values());
        return new Plan(marks, matcher.notes);
    }

    /**
     * For tools whose migrations are code (Rails, Knex, Alembic): nothing to match file by file, so the version the
     * tool reached becomes a baseline, or {@code chosenVersion} (dbdeploy.baselineVersion) when the user gave one.
     * {@code adoptWithVersion} is the command that adopts with a chosen version, for when the tool's is not one.
     */
    static Plan ofCode(ForeignHistory.Tool tool, List<ForeignHistory.Row> rows, List<ChangeSet> changeSets,
                       String chosenVersion, String adoptWithVersion) {
        String found = codeVersion(tool, rows);
        String shown = found == null ? "no version" : found;
        if (chosenVersion == null && (found == null || !NUMERIC_VERSION.matcher(found).matches())) {
            throw DbdeployException.configuration(tool.id() + "'s history (" + tool.table() + ") is at " + shown
                    + ", which is not a version this changelog's migrations can be compared with. Say which of them"
                    + " the database already has: " + adoptWithVersion + " (every migration up to and including V is"
                    + " recorded as applied). Nothing was changed.");
        }
        String version = chosenVersion != null ? chosenVersion : found;
        Plan upTo = upTo(changeSets, version, chosenVersion != null);
        List<String> notes = new ArrayList<>();
        notes.add(tool.id() + "'s migrations are code, so there are no files to match: " + tool.table() + " is at "
                + shown + ", and the " + upTo.marks().size() + " migration(s) up to and including " + version
                + " are recorded as a baseline (applied, not run).");
        return new Plan(upTo.marks(), notes);
    }

    /**
     * Every changeset up to and including {@code version}. When every versioned changeset has a numeric id (directory
     * changelogs), versions compare as numbers ({@code 3} matches {@code 003}) and repeatable migrations are left out;
     * otherwise the changelog's order counts, up to the changeset whose id is {@code version}.
     *
     * @param exact whether {@code version} must be the id of one of the changesets (a version the user typed)
     */
    static Plan upTo(List<ChangeSet> changeSets, String version, boolean exact) {
        String v = version.trim();
        boolean numeric = NUMERIC_VERSION.matcher(v).matches() && changeSets.stream()
                .filter(cs -> !cs.isRunOnChange()).allMatch(cs -> NUMERIC_VERSION.matcher(cs.getId()).matches());
        List<Mark> marks = new ArrayList<>();
        boolean matched = false;
        for (ChangeSet cs : changeSets) {
            if (numeric) {
                if (cs.isRunOnChange() || !NUMERIC_VERSION.matcher(cs.getId()).matches()) {
                    continue;
                }
                int c = Migration.VERSION_ORDER.compare(cs.getId(), v);
                if (c <= 0) {
                    marks.add(new Mark(cs.getId(), cs.getFilePath(), null));
                }
                matched |= c == 0;
            } else if (!matched) {
                marks.add(new Mark(cs.getId(), cs.getFilePath(), null));
                matched = cs.getId().equals(v);
            }
        }
        if (!matched && (exact || !numeric)) {
            List<String> ids = changeSets.stream().map(ChangeSet::getId).toList();
            throw DbdeployException.configuration("No migration of the changelog has version " + v + ", so there is"
                    + " nothing to take as the baseline. Versions: " + String.join(", ", limit(ids))
                    + ". Set " + PropertyNames.BASELINE_VERSION + " to the last one the database already has."
                    + " Nothing was changed.");
        }
        return new Plan(marks, List.of());
    }

    /** The version a code tool's history reached: Rails' highest version, Knex's last file, Alembic's revision. */
    private static String codeVersion(ForeignHistory.Tool tool, List<ForeignHistory.Row> rows) {
        if (rows.isEmpty()) {
            return null;
        }
        return switch (tool) {
            case RAILS -> rows.stream().map(ForeignHistory.Row::version).max(Migration.VERSION_ORDER::compare)
                    .orElse(null);
            case KNEX -> {
                java.util.regex.Matcher m = LEADING_NUMBER.matcher(rows.get(rows.size() - 1).version());
                yield m.find() ? m.group(1) : rows.get(rows.size() - 1).version();
            }
            case ALEMBIC -> rows.size() == 1 ? rows.get(0).version()
                    : String.join(", ", rows.stream().map(ForeignHistory.Row::version).toList()) + " (several heads)";
            default -> throw new IllegalArgumentException(tool + " keeps file history");
        };
    }

    private static List<String> limit(List<String> items) {
        return items.size() <= 12 ? items : List.of(String.join(", ", items.subList(0, 12)),
                "... (" + items.size() + " in all)");
    }

    /** The matching of rows to migrations, collecting every problem rather than stopping at the first. */
    private static final class RowMatcher {
        private final ForeignHistory.Tool tool;
        private final List<Migration> migrations;
        /** By changeset key, in the order the tool applied them. */
        private final Map<String, Mark> marks = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        /** Versioned migrations by canonical version: a history of thousands of rows is matched in one pass. */
        private final Map<String, Migration> byVersion = new java.util.HashMap<>();

        RowMatcher(ForeignHistory.Tool tool, List<Migration> migrations) {
            this.tool = tool;
            this.migrations = migrations;
            for (Migration m : migrations) {
                if (!m.repeatable()) {
                    byVersion.put(canonical(m.version()), m);
                }
            }
        }

        void flyway(List<ForeignHistory.Row> rows) {
            // Replay the table in installed_rank order: later rows undo (UNDO_*, DELETE) or supersede earlier ones.
            Map<String, ForeignHistory.Row> versioned = new LinkedHashMap<>();
            Map<String, ForeignHistory.Row> repeatable = new LinkedHashMap<>();
            ForeignHistory.Row baseline = null;
            for (ForeignHistory.Row r : rows) {
                String type = Objects.toString(r.type(), "SQL");
                if (r.failed()) {
                    problems.add(r.describe() + ": Flyway recorded it as failed (success = false). Repair the"
                            + " database, then run flyway repair (or delete that row) before adopting.");
                    continue;
                }
                if (type.equals("SCHEMA")) {
                    continue; // "<< Flyway Schema Creation >>": Flyway created the schema, no migration
                }
                if (type.endsWith("BASELINE")) {
                    baseline = r;
                } else if (type.equals("DELETE") || type.startsWith("UNDO")) {
                    if (r.version() == null) {
                        repeatable.remove(r.name());
                    } else {
                        versioned.remove(canonical(r.version()));
                    }
                } else if (r.version() == null) {
                    repeatable.remove(r.name());
                    repeatable.put(r.name(), r);
                } else {
                    versioned.put(canonical(r.version()), r);
                }
            }
            if (baseline != null) {
                for (Migration m : migrations) {
                    if (!m.repeatable() && Migration.VERSION_ORDER.compare(m.version(), baseline.version()) <= 0) {
                        mark(m, baseline.appliedAt());
                    }
                }
                notes.add("Flyway's baseline at version " + baseline.version() + " (" + baseline.name() + "): the"
                        + " migrations up to it are recorded as applied without a checksum to compare.");
            }
            String newest = null;
            for (ForeignHistory.Row r : versioned.values()) {
                Migration m = versioned(r.version());
                if (m == null) {
                    problems.add(noFile(r));
                    continue;
                }
                String actual = Integer.toString(ToolChecksums.flywayCrc32(m.up().file()));
                if (r.checksum() != null && !r.checksum().equals(actual)) {
                    problems.add(m.logicalPath() + " was changed after Flyway applied it: flyway_schema_history has"
                            + " checksum " + r.checksum() + " (row " + r.rank() + "), the file has " + actual
                            + ". Restore the file as it was applied (git log -p -- " + m.logicalPath() + ") and put the"
                            + " change in a new migration.");
                    continue;
                }
                mark(m, r.appliedAt());
                if (newest == null || Migration.VERSION_ORDER.compare(r.version(), newest) > 0) {
                    newest = r.version();
                }
            }
            for (ForeignHistory.Row r : repeatable.values()) {
                Migration m = migrations.stream().filter(x -> x.repeatable() && x.description().equals(r.name()))
                        .findFirst().orElse(null);
                if (m == null) {
                    problems.add(noFile(r));
                } else if (r.checksum() != null
                        && !r.checksum().equals(Integer.toString(ToolChecksums.flywayCrc32(m.up().file())))) {
                    notes.add(m.logicalPath() + " changed since Flyway last applied it; like Flyway, migrate will"
                            + " apply it again.");
                } else {
                    mark(m, r.appliedAt());
                }
            }
            notApplied(newest, "Flyway");
        }

        void golangMigrate(List<ForeignHistory.Row> rows) {
            if (rows.isEmpty()) {
                return;
            }
            ForeignHistory.Row r = rows.get(rows.size() - 1);
            if (r.failed()) {
                problems.add("schema_migrations says version " + r.version() + " is dirty: that migration failed"
                        + " partway, so the schema is somewhere in between. Finish or undo it by hand, run migrate"
                        + " force " + r.version() + " (or the version before it), then adopt again.");
                return;
            }
            if (versioned(r.version()) == null) {
                problems.add(noFile(r));
                return;
            }
            // golang-migrate keeps only the current version: every migration up to it was applied.
            for (Migration m : migrations) {
                if (Migration.VERSION_ORDER.compare(m.version(), r.version()) <= 0) {
                    mark(m, null);
                }
            }
        }

        void drizzle(List<ForeignHistory.Row> rows) {
            String newest = null;
            for (ForeignHistory.Row r : rows) {
                Migration m = r.version() == null ? null : versioned(r.version());
                if (m == null) {
                    problems.add("__drizzle_migrations row " + r.rank() + " (created_at " + r.version() + ", hash "
                            + r.checksum() + ") matches no entry of meta/_journal.json: restore the migration and its"
                            + " journal entry.");
                    continue;
                }
                if (!ToolChecksums.drizzleHashes(m.up().file()).contains(r.checksum())) {
                    problems.add(m.logicalPath() + " was changed after Drizzle applied it: __drizzle_migrations row "
                            + r.rank() + " has hash " + r.checksum() + ", the file's sha256 is "
                            + ToolChecksums.drizzleHashes(m.up().file()).iterator().next() + ". Restore the file as it"
                            + " was applied and put the change in a new migration.");
                    continue;
                }
                mark(m, null); // created_at is the journal's 'when' (when the file was generated), not when it ran
                if (newest == null || Migration.VERSION_ORDER.compare(r.version(), newest) > 0) {
                    newest = r.version();
                }
            }
            notApplied(newest, "Drizzle");
        }

        /** dbmate, diesel and the psql loop: one row per applied migration, holding its version or file name. */
        void everyRow(List<ForeignHistory.Row> rows) {
            String newest = null;
            for (ForeignHistory.Row r : rows) {
                String version = r.version();
                java.util.regex.Matcher leading = LEADING_NUMBER.matcher(version == null ? "" : version);
                Migration m = version == null ? null : versioned(version);
                if (m == null && tool == ForeignHistory.Tool.SQL && leading.find()) {
                    m = versioned(leading.group(1)); // a psql loop may record 001_init.sql rather than 001
                }
                if (m == null) {
                    problems.add(noFile(r));
                    continue;
                }
                mark(m, r.appliedAt());
                if (newest == null || Migration.VERSION_ORDER.compare(m.version(), newest) > 0) {
                    newest = m.version();
                }
            }
            notApplied(newest, tool.id());
        }

        /** Migrations older than the newest applied one that the tool never applied stay pending: say so. */
        private void notApplied(String newest, String toolName) {
            if (newest == null) {
                return;
            }
            List<String> skipped = new ArrayList<>();
            for (Migration m : migrations) {
                if (!m.repeatable() && !marks.containsKey(key(m))
                        && Migration.VERSION_ORDER.compare(m.version(), newest) < 0) {
                    skipped.add(m.logicalPath());
                }
            }
            if (!skipped.isEmpty()) {
                notes.add(toolName + " never applied " + String.join(", ", skipped) + ", although it applied later"
                        + " migrations; they stay pending and migrate will apply them.");
            }
        }

        private Migration versioned(String version) {
            if (version == null || !NUMERIC_VERSION.matcher(version).matches()) {
                return null;
            }
            return byVersion.get(canonical(version));
        }

        private void mark(Migration m, LocalDateTime appliedAt) {
            marks.put(key(m), new Mark(m.version(), m.logicalPath(), appliedAt));
        }

        private String noFile(ForeignHistory.Row r) {
            String what = r.type() != null && !r.type().equals("SQL") ? " (a " + r.type() + " migration)" : "";
            return r.describe() + what + " is applied according to " + tool.table()
                    + " but has no migration file in the changelog directory: restore the file, or point"
                    + " dbdeploy.changelog at the directory " + tool.id() + " ran.";
        }

        private static String key(Migration m) {
            return m.logicalPath() + "::" + m.version();
        }

        /** Flyway's own equality of versions: {@code 1}, {@code 01} and {@code 1.0} are one version. */
        private static String canonical(String version) {
            List<String> parts = new ArrayList<>();
            for (String p : version.split("\\.")) {
                parts.add(p.matches("\\d+") ? new java.math.BigInteger(p).toString() : p);
            }
            while (parts.size() > 1 && parts.get(parts.size() - 1).equals("0")) {
                parts.remove(parts.size() - 1);
            }
            return String.join(".", parts);
        }
    }
}
