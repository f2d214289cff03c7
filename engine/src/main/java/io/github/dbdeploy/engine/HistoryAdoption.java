package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.dbdeploy.engine.formats.MigrationDirectory;
import io.github.dbdeploy.engine.formats.MigrationFormat;
import liquibase.changelog.ChangeSet;

/**
 * {@code dbdeploy:adopt} and {@code dbdeploy:baseline}: record changesets as applied without running them, so that a
 * database another tool (or a person) built is never migrated twice; and the guard that keeps migrate and rollback
 * away from such a database until it is adopted.
 *
 * <p>Everything is checked before anything is written; then every DATABASECHANGELOG row and the journal entry commit
 * in one transaction, under the deployment lock. The other tool's table is only read.
 */
final class HistoryAdoption {
    private static final String TABLES = "flyway_schema_history, schema_migrations, __diesel_schema_migrations,"
            + " drizzle.__drizzle_migrations, knex_migrations and alembic_version";

    /** {@code dbdeploy.adoptFrom=none}: no other tool ever managed this database, whatever its tables are called. */
    static final String NO_TOOL = "none";

    private final DeploySettings settings;
    private final Progress progress;

    HistoryAdoption(DeploySettings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** {@code command} with {@code dbdeploy.baselineVersion=V}, for the hints that ask the user to name a version. */
    private String withVersion(Command command) {
        return Dbdeploy.commandLine(settings, command, PropertyNames.BASELINE_VERSION + "=V");
    }

    RunSummary adopt(String id, String migrateCommand) {
        long started = System.nanoTime();
        MigrationFormat directoryFormat = settings.isDirectoryChangelog() ? directoryFormat(settings) : null;
        try (TargetDatabase db = TargetDatabase.open(settings, "adopt " + id)) {
            Connection c = db.connection();
            if (!settings.dryRun()) {
                db.lock(settings.lockWait(), progress);
            }
            ForeignHistory.Table table = chooseTable(c, directoryFormat);
            ForeignHistory.Tool tool = table.tool();
            progress.info("Adopting " + table.describe() + " on " + settings.displayUrl());
            List<ForeignHistory.Row> rows = ForeignHistory.read(c, tool, withVersion(Command.BASELINE));
            LiquibaseSession liquibase = new LiquibaseSession(settings, c, progress);
            List<ChangeSet> changeSets = liquibase.changelog().getChangeSets();
            Adoption.Plan plan;
            if (tool.code()) {
                plan = Adoption.ofCode(tool, rows, changeSets, settings.baselineVersion(), withVersion(Command.ADOPT));
            } else {
                if (directoryFormat != tool.format()) {
                    throw DbdeployException.configuration("Adopting " + tool.id() + "'s history matches each row of "
                            + tool.table() + " to a migration file, but dbdeploy.changelog is "
                            + (directoryFormat == null ? "the changelog file " + settings.changelog()
                                : "a " + directoryFormat.id() + " directory (" + settings.changelog() + ")")
                            + ". Point dbdeploy.changelog at the directory " + tool.id() + " ran (dbdeploy.format="
                            + tool.format().id() + "). Nothing was changed.");
                }
                plan = Adoption.ofFiles(tool, rows, liquibase.migrations());
            }
            return record(Command.ADOPT, id, started, c, liquibase, changeSets, plan,
                    "adopted from " + tool.table(), Deployment.ADOPTED,
                    tool.table() + " is left as it was. Run " + migrateCommand + " to apply the migrations "
                            + tool.id() + " did not.");
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error during adopt: " + scrub(e.getMessage()), e);
        }
    }

    RunSummary baseline(String id, String migrateCommand) {
        long started = System.nanoTime();
        String version = settings.baselineVersion();
        if (version == null) {
            throw DbdeployException.configuration("baseline needs the last migration the database already has: "
                    + withVersion(Command.BASELINE)
                    + " records every migration up to and including V as applied, without running it.");
        }
        try (TargetDatabase db = TargetDatabase.open(settings, "baseline " + id)) {
            Connection c = db.connection();
            if (!settings.dryRun()) {
                db.lock(settings.lockWait(), progress);
            }
            LiquibaseSession liquibase = new LiquibaseSession(settings, c, progress);
            List<ChangeSet> changeSets = liquibase.changelog().getChangeSets();
            Adoption.Plan plan = Adoption.upTo(changeSets, version, true);
            progress.info("Baseline at version " + version + " on " + settings.displayUrl() + ": "
                    + plan.marks().size() + " migration(s) up to and including it");
            return record(Command.BASELINE, id, started, c, liquibase, changeSets, plan, "baseline at " + version,
                    Deployment.BASELINE, "Run " + migrateCommand + " to apply the migrations after " + version + ".");
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error during baseline: " + scrub(e.getMessage()), e);
        }
    }

    /**
     * Refuses {@code command} on a database that has another tool's history and no dbdeploy history: every migration
     * would look new to dbdeploy, so migrate would run them all again. Reads only; returns at once once dbdeploy has
     * a journal or DATABASECHANGELOG rows, or when {@code dbdeploy.adoptFrom=none} says a table of that name is the
     * application's own.
     */
    static void refuseUnadopted(Connection c, DeploySettings settings, String command, String adoptCommand)
            throws SQLException {
        if (NO_TOOL.equalsIgnoreCase(settings.adoptFrom()) || new DeploymentJournal(c).exists()
                || new ChangelogHistory(c).state().rows() > 0) {
            return;
        }
        MigrationFormat format = null;
        if (settings.isDirectoryChangelog()) {
            try {
                format = directoryFormat(settings);
            } catch (DbdeployException e) {
                // The command reports a directory it cannot read on its own; here it only names the tool.
            }
        }
        List<ForeignHistory.Table> found = ForeignHistory.find(c, format).stream().filter(t -> t.rows() > 0).toList();
        if (found.isEmpty()) {
            return;
        }
        String adopt = found.size() == 1 ? adoptCommand : found.stream()
                .map(t -> adoptCommand + " -D" + PropertyNames.ADOPT_FROM + "=" + t.tool().id())
                .collect(Collectors.joining("\n  or "));
        throw DbdeployException.configuration("Refusing to " + command + ": this database has "
                + found.stream().map(ForeignHistory.Table::describe).collect(Collectors.joining(" and "))
                + " and no dbdeploy history, so dbdeploy would take every migration for one never applied"
                + (command.equals("migrate") ? " and run it again" : "") + ". Record what "
                + (found.size() == 1 ? found.get(0).tool().id() : "that tool") + " applied first:\n  " + adopt
                + "\nthen run " + command + " again. Nothing was changed. (If that table is your application's own, set -D"
                + PropertyNames.ADOPT_FROM + "=" + NO_TOOL + ".)");
    }

    private ForeignHistory.Table chooseTable(Connection c, MigrationFormat directoryFormat) throws SQLException {
        List<ForeignHistory.Table> found = ForeignHistory.find(c, directoryFormat);
        if (settings.adoptFrom() != null) {
            ForeignHistory.Tool wanted = ForeignHistory.Tool.of(settings.adoptFrom());
            for (ForeignHistory.Table t : found) {
                if (t.tool().table().equals(wanted.table())) {
                    return new ForeignHistory.Table(wanted, t.rows()); // schema_migrations: the user knows whose
                }
            }
            throw DbdeployException.configuration(PropertyNames.ADOPT_FROM + "=" + wanted.id() + ", but "
                    + settings.displayUrl() + " has no table " + wanted.table() + " on its search path"
                    + (found.isEmpty() ? "" : "; it has " + describe(found)) + ". Nothing was changed.");
        }
        if (found.isEmpty()) {
            throw DbdeployException.configuration("No other tool's history table in " + settings.displayUrl()
                    + " (looked for " + TABLES + " on the search path), so there is nothing to adopt. For a database"
                    + " built without a migration tool, record what it already has with "
                    + withVersion(Command.BASELINE)
                    + ". Nothing was changed.");
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        List<ForeignHistory.Table> matching = found.stream()
                .filter(t -> t.tool().format() != null && t.tool().format() == directoryFormat).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        throw DbdeployException.configuration("This database holds the history of more than one tool: "
                + describe(found) + ". Choose the one to adopt with -D" + PropertyNames.ADOPT_FROM + "="
                + found.stream().map(t -> t.tool().id()).collect(Collectors.joining("|")) + ". Nothing was changed.");
    }

    /**
     * Records the plan's changesets that DATABASECHANGELOG does not have yet (so running again changes nothing), as
     * one transaction with a journal entry of status {@code journalStatus}; or, in a dry run, prints them.
     */
    private RunSummary record(Command command, String id, long started, Connection c, LiquibaseSession liquibase,
                              List<ChangeSet> changeSets, Adoption.Plan plan, String comment, String journalStatus,
                              String next) throws SQLException {
        ChangelogHistory history = new ChangelogHistory(c);
        Set<String> done = new HashSet<>();
        for (ChangelogHistory.Row r : history.rowsAfter(0)) {
            done.add(key(r.file(), r.id()));
        }
        Map<String, ChangeSet> byKey = new HashMap<>();
        for (ChangeSet cs : changeSets) {
            byKey.put(key(cs.getFilePath(), cs.getId()), cs);
        }
        List<Adoption.Mark> todo = new ArrayList<>();
        int already = 0;
        for (Adoption.Mark m : plan.marks()) {
            if (done.contains(key(m.file(), m.id()))) {
                already++;
            } else {
                todo.add(m);
            }
        }
        plan.notes().forEach(progress::warn);
        List<ChangesetOutcome> outcomes = new ArrayList<>();
        for (Adoption.Mark m : todo) {
            outcomes.add(new ChangesetOutcome(m.id(), byKey.get(key(m.file(), m.id())).getAuthor(), m.file(), 0,
                    settings.dryRun() ? ChangesetOutcome.Status.PENDING : ChangesetOutcome.Status.RECORDED));
        }
        if (settings.dryRun()) {
            progress.info("Dry run: " + command + " would record " + todo.size() + " changeset(s) as applied, without"
                    + " running them; nothing was changed.");
            todo.forEach(m -> progress.info("  would record " + describe(m)));
            return new RunSummary(command, RunSummary.SUCCESS, settings.environment(), id, 0, already,
                    elapsed(started), outcomes, null, true);
        }
        if (todo.isEmpty()) {
            progress.info("Nothing to record: " + (already == 0 ? "no migration is applied according to it."
                    : "the " + already + " changeset(s) are in DATABASECHANGELOG already."));
            return new RunSummary(command, RunSummary.SUCCESS, settings.environment(), id, 0, already,
                    elapsed(started), List.of(), null, false);
        }
        liquibase.createHistoryTable();
        DeploymentJournal journal = new DeploymentJournal(c);
        journal.create();
        journal.requireUnused(id);
        ChangelogHistory.State before = history.state();
        long seq;
        c.setAutoCommit(false);
        List<ChangeSet> marked = todo.stream().map(m -> byKey.get(key(m.file(), m.id()))).toList();
        try {
            // DATEEXECUTED is when the other tool applied it, where its history kept that.
            List<LocalDateTime> appliedAt = todo.stream().map(Adoption.Mark::appliedAt).toList();
            liquibase.recordAsRan(marked, appliedAt, comment);
            todo.forEach(m -> progress.info("  recorded    " + describe(m)));
            // The journal's first commit is this transaction's: every row above and the journal entry, or nothing.
            seq = journal.start(id, settings.environment(), settings.deployedBy(), before.maxOrder());
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        journal.finish(seq, journalStatus, todo.size(), null, history.state());
        journal.flush();
        progress.info("Recorded " + todo.size() + " changeset(s) as applied without running them (deployment " + id
                + ", " + journalStatus + "). " + next);
        return new RunSummary(command, RunSummary.SUCCESS, settings.environment(), id, todo.size(), already,
                elapsed(started), outcomes, null, false);
    }

    private static MigrationFormat directoryFormat(DeploySettings settings) {
        return settings.format() == MigrationFormat.AUTO ? MigrationDirectory.detect(settings.changelog())
                : settings.format();
    }

    private static String describe(Adoption.Mark m) {
        return m.id() + " (" + m.file() + ")" + (m.appliedAt() == null ? "" : ", applied " + m.appliedAt());
    }

    private static String describe(List<ForeignHistory.Table> tables) {
        return tables.stream().map(ForeignHistory.Table::describe).collect(Collectors.joining(", "));
    }

    private static String key(String file, String id) {
        return file.replace('\\', '/') + "::" + id;
    }

    private String scrub(String text) {
        return settings.password() == null ? text : settings.password().scrub(text);
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
