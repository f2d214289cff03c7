package io.github.dbdeploy.engine;

import java.io.FileNotFoundException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import io.github.dbdeploy.engine.formats.DirectoryChangeLogParser;
import io.github.dbdeploy.engine.formats.Migration;
import io.github.dbdeploy.engine.formats.MigrationDirectory;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.RuntimeEnvironment;
import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.changelog.ChangeLogIterator;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.RanChangeSet;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.changelog.visitor.RollbackVisitor;
import liquibase.changelog.visitor.UpdateVisitor;
import liquibase.change.AbstractSQLChange;
import io.github.dbdeploy.engine.formats.ScriptChange;
import liquibase.database.Database;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.exception.ValidationFailedException;
import liquibase.logging.core.NoOpLogService;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import liquibase.ui.LoggerUIService;

/**
 * Our only door to Liquibase. Everything Liquibase does runs inside a scope that keeps its console output,
 * logging and analytics calls away from the user; progress reaches the user through {@link Progress} instead.
 */
final class LiquibaseSession {

    /** A changeset that failed, with the database's own words. */
    record Failure(String id, String author, String file, String reason) {
        String describe() {
            return "Changeset " + id + " (author " + author + ") in " + file + " failed: " + reason;
        }
    }

    /** What an update or rollback did. */
    record Outcome(List<ChangesetOutcome> changesets, Failure failure, Exception error) {
        boolean failed() {
            return failure != null || error != null;
        }

        String describeFailure() {
            if (failure != null) {
                return failure.describe();
            }
            return error == null ? null : LiquibaseSession.reason(error);
        }
    }

    static {
        // Liquibase logs a few lines through java.util.logging before our scope is in place.
        java.util.logging.Logger.getLogger("liquibase").setLevel(java.util.logging.Level.WARNING);
    }

    private final DeploySettings settings;
    private final Liquibase liquibase;
    private final OneTransactionPostgresDatabase database;
    private final Progress progress;
    private final int serverMajorVersion;
    /** The deploying session's server process, whose wait events the heartbeat reads; 0 when unknown. */
    private final int backendPid;
    private final LockGuard guard;
    /** DATABASECHANGELOG exists with Liquibase's current columns (checked once: Liquibase's check snapshots it). */
    private boolean historyTableReady;
    /** Rows were written past Liquibase's cache of DATABASECHANGELOG; the next {@link #inScope} makes it re-read. */
    private boolean liquibaseHistoryStale;
    /** A directory changelog's migrations, read on another thread while Liquibase starts; null for a file. */
    private CompletableFuture<List<Migration>> reading;
    private DirectoryChangeLogParser.PreRead preRead;

    LiquibaseSession(DeploySettings settings, Connection connection, Progress progress) {
        this.settings = settings;
        this.progress = progress;
        try {
            this.serverMajorVersion = connection.getMetaData().getDatabaseMajorVersion();
        } catch (SQLException e) {
            throw DbdeployException.runtime("Cannot read the PostgreSQL server version: " + e.getMessage(), e);
        }
        this.backendPid = backendPid(connection);
        // Starting Liquibase below takes a third of a second on a cold JVM; reading a directory's files overlaps it.
        this.reading = !settings.isDirectoryChangelog() ? null : CompletableFuture.supplyAsync(
                () -> MigrationDirectory.read(settings.changelog(), settings.format(), serverMajorVersion));
        try {
            this.database = inScope(() -> {
                OneTransactionPostgresDatabase db = new OneTransactionPostgresDatabase();
                db.setConnection(new JdbcConnection(connection));
                return db;
            });
            this.guard = new LockGuard(settings, progress);
            database.guard(guard);
            DirectoryResourceAccessor resources = new DirectoryResourceAccessor(settings.changelogRoot());
            // A directory changelog is named by its absolute path, which DirectoryChangeLogParser recognises.
            String changelogName = settings.isDirectoryChangelog() ? settings.changelog().toString()
                    : settings.changelog().getFileName().toString();
            this.liquibase = inScope(() -> new Liquibase(changelogName, resources, database));
            liquibase.setShowSummary(UpdateSummaryEnum.OFF);
            liquibase.setShowSummaryOutput(UpdateSummaryOutputEnum.LOG);
        } catch (FileNotFoundException e) {
            throw DbdeployException.configuration("Changelog directory " + settings.changelogRoot() + " not found");
        }
    }

    /**
     * The directory changelog's migrations, as its changesets were built from them (adopt matches them to another
     * tool's history): each file is read once.
     */
    List<Migration> migrations() {
        changelog();
        return preRead != null ? preRead.migrations()
                : MigrationDirectory.read(settings.changelog(), settings.format(), serverMajorVersion);
    }

    /** Parses the changelog; a broken changelog is the user's to fix, so it is a configuration error. */
    DatabaseChangeLog changelog() {
        if (reading != null) {
            try {
                preRead = new DirectoryChangeLogParser.PreRead(settings.changelog(), Dbdeploy.join(reading));
            } catch (RuntimeException unreadable) {
                // The parse below reads the directory itself and reports what is wrong, as for any changelog.
            }
            reading = null;
        }
        try {
            return inScope(liquibase::getDatabaseChangeLog);
        } catch (DbdeployException e) {
            throw new DbdeployException(DbdeployException.Kind.CONFIGURATION,
                    "Cannot read changelog " + settings.changelog() + ": " + e.getMessage());
        }
    }

    List<ChangeSet> pending() {
        changelog(); // parse first, so a broken changelog is reported as one
        return inScope(() -> liquibase.listUnrunChangeSets(contexts(), labels(), false));
    }

    int changesetCount() {
        return changelog().getChangeSets().size();
    }

    /**
     * Applies the pending changesets: each in a transaction of its own, or with {@code oneTransaction} all in one,
     * which is left open for {@link #endTransaction} when the update succeeds (and discarded when it fails).
     */
    Outcome update(boolean oneTransaction, List<ChangeSet> pending) {
        return oneTransaction ? inOneTransaction("The deployment", () -> update(pending)) : update(pending);
    }

    /**
     * @param pending what {@link #pending()} returned under the deployment lock just before: listing it again would
     *                validate the whole changelog a second time
     */
    private Outcome update(List<ChangeSet> pending) {
        Recorder recorder = new Recorder(ChangesetOutcome.Status.APPLIED, "applied", "running", true);
        liquibase.setChangeExecListener(recorder);
        try {
            recorder.total = pending.size(); // for the [n/N] on each line
            if (pending.stream().allMatch(LiquibaseSession::isPlainSql)) {
                return applyPlainSql(pending, recorder);
            }
            inScope(() -> {
                liquibase.update(contexts(), labels());
                return null;
            });
            return new Outcome(recorder.outcomes, null, null);
        } catch (DbdeployException e) {
            return new Outcome(recorder.outcomes, recorder.failure, (Exception) e.getCause());
        } finally {
            recorder.close();
        }
    }

    /**
     * Whether {@code cs} is SQL and nothing else, so that {@link #applyPlainSql} runs it exactly as Liquibase's update
     * would: SQL changes (formatted SQL, {@code <sql>}, {@code <sqlFile>}, migration files of directory changelogs) for
     * every database, and none of what only Liquibase's loop handles: preconditions, modifySql, runAlways/runOnChange
     * (whose history row is updated, not inserted), failOnError:false, runOrder, runWith.
     */
    static boolean isPlainSql(ChangeSet cs) {
        if (cs.isAlwaysRun() || cs.isRunOnChange() || cs.isIgnore() || Boolean.FALSE.equals(cs.getFailOnError())
                || cs.getRunOrder() != null || (cs.getRunWith() != null && !cs.getRunWith().isBlank())
                || !cs.getSqlVisitors().isEmpty()
                || (cs.getPreconditions() != null && !cs.getPreconditions().getNestedPreconditions().isEmpty())) {
            return false;
        }
        return allPlainSql(cs.getChanges());
    }

    /** Whether each of {@code changes} is SQL for every database (a dbms-targeted change is Liquibase's to skip). */
    private static boolean allPlainSql(List<liquibase.change.Change> changes) {
        for (liquibase.change.Change change : changes) {
            boolean plain = change instanceof ScriptChange
                    || (change instanceof AbstractSQLChange sql && (sql.getDbms() == null || sql.getDbms().isBlank()));
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies changesets that are {@linkplain #isPlainSql plain SQL}: for each, the DATABASECHANGELOG row Liquibase
     * would write ({@link HistoryRows}) and its statements (as Liquibase's change generates them) in one message, then
     * one commit, with the lock guard, the heartbeat and the [n/N] lines as in Liquibase's loop. That loop costs several
     * milliseconds and about eight round trips per changeset before any SQL of it runs (nested scopes, configuration
     * lookups, a search_path query and a rollback after the precondition check), more than PostgreSQL takes for most
     * migrations: 1,000 one-line changesets took 11.6 s through it, 7.1 s this way.
     */
    private Outcome applyPlainSql(List<ChangeSet> pending, Recorder recorder) {
        Connection c = database.jdbc();
        try {
            return inScope(() -> {
                prepareHistoryTable();
                try (HistoryRows rows = new HistoryRows(c)) {
                    return eachCommitted(pending, recorder,
                            cs -> runPlainSql(c, cs, cs.getChanges(), () -> rows.insertSql(cs)));
                }
            });
        } finally {
            liquibaseHistoryStale = true; // Liquibase caches the history rows it read; these were written past it
        }
    }

    /** Creates DATABASECHANGELOG where it is missing, or brings an old one up to date, as Liquibase's update does. */
    private void prepareHistoryTable() throws LiquibaseException {
        if (historyTableReady) {
            return;
        }
        Connection c = database.jdbc();
        try {
            if (ChangelogHistory.tableExists(c, ChangelogHistory.TABLE)) {
                Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class).getChangeLogService(database)
                        .init();
            } else {
                // What init() runs on a database without one: Liquibase's own CREATE TABLE, without the snapshot of
                // the catalog init() takes first (a fifth of a second).
                List<String> ddl = new ArrayList<>();
                for (Sql sql : SqlGeneratorFactory.getInstance().generateSql(
                        new liquibase.statement.core.CreateDatabaseChangeLogTableStatement(), database)) {
                    ddl.add(sql.toSql());
                }
                database.executeSql(ddl);
                liquibaseHistoryStale = true; // Liquibase may have seen no table
            }
        } catch (SQLException e) {
            throw new liquibase.exception.DatabaseException(e);
        }
        if (!database.inWholeRun()) {
            database.commit();
        }
        historyTableReady = true;
    }

    /**
     * Whether {@code cs}'s rollback is SQL and nothing else (formatted SQL {@code --rollback}, {@code <rollback><sql>},
     * a directory migration's down file), so that {@link #rollbackPlainSql} undoes it as Liquibase's rollback would.
     */
    static boolean hasPlainSqlRollback(ChangeSet cs) {
        return isPlainSql(cs) && !cs.getRollback().getChanges().isEmpty() && allPlainSql(cs.getRollback().getChanges());
    }

    /**
     * Undoes changesets whose rollback is {@linkplain #hasPlainSqlRollback plain SQL}, in this order: for each, the
     * removal of its DATABASECHANGELOG row and its rollback statements in one message, then one commit, as Liquibase's
     * rollback does, without its per-changeset cost (see {@link #applyPlainSql}).
     */
    private Outcome rollbackPlainSql(List<ChangeSet> changeSets, Recorder recorder) {
        Connection c = database.jdbc();
        try {
            return inScope(() -> eachCommitted(changeSets, recorder,
                    cs -> runPlainSql(c, cs, cs.getRollback().getChanges(), () -> HistoryRows.deleteSql(cs))));
        } finally {
            liquibaseHistoryStale = true;
        }
    }

    /** What {@link #eachCommitted} does to one changeset before its commit. */
    private interface ChangesetWork {
        void run(ChangeSet cs) throws LiquibaseException, SQLException;
    }

    /**
     * Runs {@code work} for each changeset in order, each committed on its own (unless in a whole run), with the
     * [n/N] lines and the heartbeat; stops at the first failure, whose transaction is rolled back.
     */
    private Outcome eachCommitted(List<ChangeSet> changeSets, Recorder recorder, ChangesetWork work)
            throws LiquibaseException {
        for (ChangeSet cs : changeSets) {
            recorder.begin(cs);
            database.changesetStarting(cs);
            try {
                work.run(cs);
                database.commit();
            } catch (LiquibaseException | SQLException e) {
                recorder.fail(cs, e);
                database.rollback();
                return new Outcome(recorder.outcomes, recorder.failure, e);
            }
            recorder.done(cs, recorder.doneStatus, recorder.verb);
        }
        return new Outcome(recorder.outcomes, null, null);
    }

    /**
     * {@code cs}'s SQL changes and the statement that records it in DATABASECHANGELOG ({@code historyRow}), in one
     * transaction; for runInTransaction:false, the changes with auto-commit on, as Liquibase runs them, then the row.
     */
    private void runPlainSql(Connection c, ChangeSet cs, List<liquibase.change.Change> changes,
                             java.util.function.Supplier<String> historyRow) throws LiquibaseException, SQLException {
        List<String> statements = new ArrayList<>();
        for (liquibase.change.Change change : changes) {
            for (liquibase.statement.SqlStatement statement : change.generateStatements(database)) {
                for (Sql sql : SqlGeneratorFactory.getInstance().generateSql(statement, database)) {
                    statements.add(sql.toSql());
                }
            }
        }
        if (cs.isRunInTransaction()) {
            database.executeSql(historyRow.get(), statements);
            return;
        }
        c.setAutoCommit(true);
        try {
            database.executeSql(statements);
        } finally {
            c.setAutoCommit(false);
        }
        database.executeSql(historyRow.get(), List.of());
    }

    void updateSql(Writer out) {
        inScope(() -> {
            liquibase.update(contexts(), labels(), out);
            return null;
        });
    }

    /** Creates DATABASECHANGELOG where it is missing, as Liquibase's update does before it runs anything. */
    void createHistoryTable() {
        inScope(() -> {
            prepareHistoryTable();
            return null;
        });
    }

    /**
     * Records {@code changeSets} as applied, in this order, with the rows Liquibase writes after running a changeset
     * (as {@code liquibase changelog-sync} does), {@code comment} in COMMENTS and {@code appliedAt} (one per changeset,
     * null for now) in DATEEXECUTED, in the connection's open transaction, which the caller commits.
     * DATABASECHANGELOG must exist.
     */
    void recordAsRan(List<ChangeSet> changeSets, List<java.time.LocalDateTime> appliedAt, String comment) {
        Connection c = database.jdbc();
        inScope(() -> {
            changeSets.forEach(cs -> cs.setComments(comment)); // COMMENTS is not part of the checksum
            try (HistoryRows rows = new HistoryRows(c)) {
                rows.insertAll(changeSets, appliedAt);
            }
            return null;
        });
    }

    /**
     * Undoes exactly the applied changesets in {@code rows}, in that order (newest first), and nothing else.
     * Liquibase's own rollback-by-count re-selects changesets through the context and label filters and in changelog
     * order, so it could undo a different set from the one checked and journaled; here the rows decide.
     */
    Outcome rollback(List<ChangelogHistory.Row> rows) {
        if (!rollsBackInOneTransaction(rows)) {
            return rollbackEach(rows);
        }
        Outcome outcome = inOneTransaction("The rollback", () -> rollbackEach(rows));
        if (!outcome.failed()) {
            endTransaction(true);
            return outcome;
        }
        // The changesets undone before the failure were restored with the transaction: only the failure remains.
        return new Outcome(outcome.changesets().stream()
                .filter(o -> o.status() == ChangesetOutcome.Status.FAILED).toList(), outcome.failure(),
                outcome.error());
    }

    /**
     * Runs {@code work} in one transaction, left open when it succeeds; discarded when it fails, and then run again
     * from the start after a lock timeout, as long as lock retries are left. Retrying the whole transaction, not the
     * changeset that waited, keeps locks of the changesets before it from being held through the backoff.
     */
    private Outcome inOneTransaction(String what, java.util.function.Supplier<Outcome> work) {
        for (int retry = 0; ; retry++) {
            try {
                database.beginWholeRun();
            } catch (liquibase.exception.DatabaseException e) {
                throw DbdeployException.runtime("Cannot start the transaction: " + reason(e), e);
            }
            Outcome outcome = work.get();
            if (!outcome.failed()) {
                return outcome;
            }
            endTransaction(false);
            if (!LockGuard.isLockTimeout(outcome.error()) || retry >= guard.retries()) {
                return outcome;
            }
            try {
                Failure at = outcome.failure();
                guard.backOff(what + (at == null ? "" : " at changeset " + at.id() + " (" + at.file() + ")"),
                        retry + 1, database.lastBlockers());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return outcome;
            }
        }
    }

    /**
     * Runs changesets with no lock timeout, statement timeout or retries: for a private server (the rehearsal's),
     * where no other session can hold a lock, and setting the timeouts would cost a round trip per changeset.
     */
    void withoutLockGuard() {
        database.guard(null);
    }

    LockGuard lockGuard() {
        return guard;
    }

    /** Commits ({@code commit}) or discards the transaction {@link #update(boolean)} left open. */
    void endTransaction(boolean commit) {
        try {
            database.endWholeRun(commit);
        } catch (liquibase.exception.DatabaseException e) {
            throw DbdeployException.runtime((commit ? "Cannot commit" : "Cannot roll back") + " the transaction: "
                    + reason(e), e);
        }
        if (!commit) {
            historyTableReady = false; // it may have been created in the discarded transaction
            liquibaseHistoryStale = true; // Liquibase's cache of DATABASECHANGELOG saw what was discarded
        }
    }

    /**
     * The changesets among {@code changeSets} that must run outside a transaction (runInTransaction:false, or a
     * migration of a directory changelog that cannot run in one), as {@code id (file)}.
     */
    static List<String> outsideTransaction(List<ChangeSet> changeSets) {
        List<String> out = new ArrayList<>();
        for (ChangeSet cs : changeSets) {
            if (!cs.isRunInTransaction()) {
                out.add(cs.getId() + " (" + cs.getFilePath() + ")");
            }
        }
        return out;
    }

    /**
     * Whether {@link #rollback} undoes {@code rows} in one transaction (all or nothing): when every one of them can be
     * undone inside a transaction.
     */
    boolean rollsBackInOneTransaction(List<ChangelogHistory.Row> rows) {
        Map<String, ChangeSet> byKey = byKey();
        for (ChangelogHistory.Row row : rows) {
            ChangeSet cs = byKey.get(key(row.file(), row.id(), row.author()));
            if (cs == null || !cs.isRunInTransaction()) {
                return false;
            }
        }
        return true;
    }

    private Map<String, ChangeSet> byKey() {
        Map<String, ChangeSet> byKey = new HashMap<>();
        for (ChangeSet cs : changelog().getChangeSets()) {
            byKey.put(key(cs.getFilePath(), cs.getId(), cs.getAuthor()), cs);
        }
        return byKey;
    }

    private Outcome rollbackEach(List<ChangelogHistory.Row> rows) {
        Recorder recorder = new Recorder(ChangesetOutcome.Status.ROLLED_BACK, "rolled back", "rolling back", true);
        recorder.total = rows.size();
        // The iterator runs a rollback from the last of these to the first, so oldest first here.
        List<RanChangeSet> ran = new ArrayList<>(rows.size());
        for (int i = rows.size() - 1; i >= 0; i--) {
            ChangelogHistory.Row r = rows.get(i);
            ran.add(new RanChangeSet(r.file(), r.id(), r.author(), null, r.executedAt(), null,
                    ChangeSet.ExecType.EXECUTED, null, null, null, null, r.deploymentId()));
        }
        try {
            Map<String, ChangeSet> byKey = byKey();
            List<ChangeSet> plain = new ArrayList<>(rows.size());
            for (ChangelogHistory.Row r : rows) {
                ChangeSet cs = byKey.get(key(r.file(), r.id(), r.author()));
                if (cs != null && hasPlainSqlRollback(cs)) {
                    plain.add(cs);
                }
            }
            if (plain.size() == rows.size()) {
                return rollbackPlainSql(plain, recorder);
            }
            DatabaseChangeLog changelog = changelog();
            inScope(() -> {
                new ChangeLogIterator(ran, changelog).run(new RollbackVisitor(database, recorder),
                        new RuntimeEnvironment(database, contexts(), labels()));
                return null;
            });
            return new Outcome(recorder.outcomes, null, null);
        } catch (DbdeployException e) {
            return new Outcome(recorder.outcomes, recorder.failure, (Exception) e.getCause());
        } finally {
            recorder.close();
        }
    }

    /** Read from the driver, which learnt it when connecting: no query. */
    private static int backendPid(Connection connection) {
        try {
            return connection.unwrap(org.postgresql.PGConnection.class).getBackendPID();
        } catch (SQLException notPgjdbc) {
            return 0; // the heartbeat then shows only the elapsed time
        }
    }

    /**
     * Applies exactly {@code changeSet} and records it, printing nothing: the rehearsal drives changesets one at a
     * time and reports them itself. Unlike Liquibase's update, this neither re-validates nor re-reads the history
     * for each call, which would cost a pass over the whole changelog per changeset.
     */
    Outcome apply(ChangeSet changeSet) {
        Recorder recorder = new Recorder(ChangesetOutcome.Status.APPLIED, "applied", "running", false);
        if (isPlainSql(changeSet)) {
            try (recorder) {
                return applyPlainSql(List.of(changeSet), recorder);
            }
        }
        try (recorder) {
            inScope(() -> {
                new ChangeLogIterator(only(changeSet)).run(new UpdateVisitor(database, recorder),
                        new RuntimeEnvironment(database, contexts(), labels()));
                return null;
            });
            return new Outcome(recorder.outcomes, null, null);
        } catch (DbdeployException e) {
            return new Outcome(recorder.outcomes, recorder.failure, (Exception) e.getCause());
        }
    }

    /** Undoes the applied {@code changeSet} with its rollback, printing nothing (see {@link #apply}). */
    Outcome rollback(ChangeSet changeSet) {
        Recorder recorder = new Recorder(ChangesetOutcome.Status.ROLLED_BACK, "rolled back", "rolling back", false);
        if (hasPlainSqlRollback(changeSet)) {
            try (recorder) {
                return rollbackPlainSql(List.of(changeSet), recorder);
            }
        }
        try (recorder) {
            inScope(() -> {
                new ChangeLogIterator(only(changeSet)).run(new RollbackVisitor(database, recorder),
                        new RuntimeEnvironment(database, contexts(), labels()));
                return null;
            });
            return new Outcome(recorder.outcomes, null, null);
        } catch (DbdeployException e) {
            return new Outcome(recorder.outcomes, recorder.failure, (Exception) e.getCause());
        }
    }

    /** A changelog of one changeset, for an iterator that is to visit that one and no other. */
    private static DatabaseChangeLog only(ChangeSet changeSet) {
        List<ChangeSet> one = List.of(changeSet);
        return new DatabaseChangeLog() {
            @Override
            public List<ChangeSet> getChangeSets() {
                return one;
            }

            @Override
            public String toString() { // Liquibase logs the changelog by name; this one has none (CORE-3231)
                return "";
            }
        };
    }

    /** Runs {@code action} just before each commit, in the open transaction, until called with null. */
    void beforeCommit(Runnable action) {
        database.beforeCommit(action);
    }

    /**
     * The text a changeset is written in, for markers such as {@code -- dbdeploy:allow breaking}: its comment and
     * the SQL of its changes (formatted SQL, {@code <sql>}, {@code <sqlFile>}, migration files of directory
     * changelogs). Changes of other kinds (createTable...) have no text of their own.
     */
    String sourceText(ChangeSet changeSet) {
        StringBuilder b = new StringBuilder(changeSet.getComments() == null ? "" : changeSet.getComments());
        for (liquibase.change.Change change : changeSet.getChanges()) {
            if (change instanceof AbstractSQLChange sql) {
                b.append('\n').append(inScope(() -> String.valueOf((Object) sql.getSql())));
            } else if (change instanceof ScriptChange script) {
                b.append('\n').append(script.script().sql());
            }
        }
        return b.toString();
    }

    /**
     * Whether the changelog has changesets that run again without being new (runAlways, runOnChange): for those,
     * an unchanged changelog does not mean nothing is pending, so the no-op fast path must not be trusted.
     */
    boolean hasRepeatableChangesets() {
        return changelog().getChangeSets().stream().anyMatch(cs -> cs.isAlwaysRun() || cs.isRunOnChange());
    }

    /**
     * The applied changesets among {@code rows} that cannot be undone: no rollback in the changelog, or no
     * longer in the changelog at all. Empty when a rollback over these rows can run.
     */
    List<String> withoutRollback(List<ChangelogHistory.Row> rows) {
        Map<String, ChangeSet> byKey = byKey();
        List<String> missing = new ArrayList<>();
        for (ChangelogHistory.Row row : rows) {
            ChangeSet cs = byKey.get(key(row.file(), row.id(), row.author()));
            if (cs == null) {
                missing.add(row.id() + " (author " + row.author() + ") in " + row.file()
                        + ": no longer in the changelog");
            } else if (!hasRollback(cs)) {
                missing.add(row.id() + " (author " + row.author() + ") in " + row.file() + ": no rollback");
            }
        }
        return missing;
    }

    /** Changesets among {@code changeSets} that could not be undone if a later one failed. */
    List<String> withoutRollback(Iterable<ChangeSet> changeSets) {
        List<String> missing = new ArrayList<>();
        for (ChangeSet cs : changeSets) {
            if (!hasRollback(cs)) {
                missing.add(cs.getId() + " (" + cs.getFilePath() + ")");
            }
        }
        return missing;
    }

    boolean hasRollback(ChangeSet cs) {
        // Explicit <rollback>/--rollback blocks, or changes Liquibase can invert by itself (createTable, addColumn...).
        return !cs.getRollback().getChanges().isEmpty() || inScope(() -> cs.supportsRollback(database));
    }

    private static String key(String file, String id, String author) {
        return normalise(file) + "::" + id + "::" + author;
    }

    private static String normalise(String file) {
        String f = file.replace('\\', '/');
        return f.startsWith("classpath:") ? f.substring("classpath:".length()) : f;
    }

    private Contexts contexts() {
        return new Contexts(settings.contexts());
    }

    private LabelExpression labels() {
        return new LabelExpression(settings.labels());
    }

    private <T> T inScope(Scope.ScopedRunnerWithReturn<T> work) {
        Map<String, Object> scope = new HashMap<>();
        scope.put(Scope.Attr.ui.name(), new LoggerUIService());
        scope.put(Scope.Attr.logService.name(), new NoOpLogService());
        scope.put(AnalyticsArgs.ENABLED.getKey(), Boolean.FALSE);
        scope.put(Scope.Attr.classLoader.name(), LiquibaseSession.class.getClassLoader());
        // For directory changelogs: their format, and the server (whose version decides what needs no transaction).
        scope.put(DirectoryChangeLogParser.FORMAT_SCOPE_KEY, settings.format());
        scope.put(DirectoryChangeLogParser.SERVER_VERSION_SCOPE_KEY, serverMajorVersion);
        if (preRead != null) {
            scope.put(DirectoryChangeLogParser.MIGRATIONS_SCOPE_KEY, preRead);
        }
        try {
            return Scope.child(scope, () -> {
                if (liquibaseHistoryStale) {
                    // Rows were written or removed past Liquibase's cache (by the plain-SQL path, or a discarded
                    // transaction): it reads DATABASECHANGELOG afresh before it next acts on it.
                    liquibaseHistoryStale = false;
                    Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class).resetAll();
                }
                return work.run();
            });
        } catch (DbdeployException e) {
            throw e;
        } catch (Exception e) {
            throw DbdeployException.runtime(reason(e), e);
        }
    }

    /** The most specific message in a Liquibase exception chain: the database's own text where there is one. */
    static String reason(Throwable e) {
        Throwable t = e;
        String best = e.getMessage();
        Set<Throwable> seen = new java.util.HashSet<>();
        while (t != null && seen.add(t)) {
            if (t instanceof SQLException sql && sql.getMessage() != null) {
                return sql.getMessage().trim();
            }
            if (t.getMessage() != null && !(t instanceof LiquibaseException && t.getCause() != null)) {
                best = t.getMessage();
            }
            t = t.getCause();
        }
        return best == null ? e.getClass().getSimpleName() : best.trim();
    }

    /** The refusal in {@code e}'s causes when Liquibase refused the changelog before running anything, or null. */
    static ValidationFailedException validationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ValidationFailedException v) {
                return v;
            }
        }
        return null;
    }

    /**
     * What is wrong and how to fix it. An edited applied changeset (its checksum no longer matches the one recorded
     * when it ran) gets its own message, as it is the common case and its fix is not obvious.
     */
    String describe(ValidationFailedException invalid) {
        List<String> edited = invalid.getInvalidMD5Sums();
        if (edited == null || edited.isEmpty()) {
            return "Liquibase refused to run the changelog " + settings.changelog() + ": " + invalid.getMessage().trim()
                    + "\nNo changeset was run; the database was not changed. Fix what it names and run migrate again.";
        }
        return edited.size() + " changeset(s) already applied to this database were edited since they ran"
                + " (file::id::author, the checksum recorded and the checksum now):\n  "
                + edited.stream().map(String::trim).collect(Collectors.joining("\n  "))
                + "\nNo changeset was run; the database was not changed. To fix it, either revert the edit (restore"
                + " the changeset as it was deployed) and put the change in a new changeset, or, if the edit changes"
                + " nothing in the database (a comment, formatting), accept it by adding the new checksum to the"
                + " changeset (<validCheckSum> in XML/YAML, --validCheckSum: in formatted SQL). Then run migrate again.";
    }

    /**
     * Prints one line per changeset as it finishes, {@code [n/N]} for where it stands in the run, and keeps what
     * happened for the summary; while a changeset runs longer than {@link Heartbeat#interval}, its heartbeat.
     */
    private final class Recorder extends AbstractChangeExecListener implements AutoCloseable {
        private final ChangesetOutcome.Status doneStatus;
        private final String verb;
        private final String runningVerb;
        private int total;
        private final Heartbeat heartbeat = new Heartbeat(settings, progress, backendPid);
        private final boolean print;
        private final List<ChangesetOutcome> outcomes = new ArrayList<>();
        private int number;
        private long started;
        private Failure failure;

        Recorder(ChangesetOutcome.Status doneStatus, String verb, String runningVerb, boolean print) {
            this.doneStatus = doneStatus;
            this.verb = verb;
            this.runningVerb = runningVerb;
            this.print = print;
        }

        @Override
        public void willRun(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database,
                            ChangeSet.RunStatus runStatus) {
            begin(changeSet);
            LiquibaseSession.this.database.changesetStarting(changeSet);
        }

        @Override
        public void ran(liquibase.change.Change change, ChangeSet changeSet, DatabaseChangeLog changeLog,
                        Database database) {
            LiquibaseSession.this.database.deferNextCommit();
        }

        @Override
        public void willRollback(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database) {
            begin(changeSet);
            LiquibaseSession.this.database.changesetStarting(changeSet);
            LiquibaseSession.this.database.deferNextCommit();
        }

        @Override
        public void ran(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database,
                        ChangeSet.ExecType execType) {
            done(changeSet, doneStatus, verb);
        }

        @Override
        public void rolledBack(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database) {
            done(changeSet, doneStatus, verb);
        }

        @Override
        public void runFailed(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database, Exception e) {
            fail(changeSet, e);
        }

        @Override
        public void rollbackFailed(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database, Exception e) {
            fail(changeSet, e);
        }

        private void fail(ChangeSet changeSet, Exception e) {
            done(changeSet, ChangesetOutcome.Status.FAILED, "FAILED");
            failure = new Failure(changeSet.getId(), changeSet.getAuthor(), changeSet.getFilePath(), reason(e));
        }

        private void begin(ChangeSet cs) {
            started = System.nanoTime();
            number++;
            heartbeat.start(line(runningVerb, cs), started);
        }

        private void done(ChangeSet cs, ChangesetOutcome.Status status, String word) {
            heartbeat.stop();
            long ms = (System.nanoTime() - started) / 1_000_000;
            outcomes.add(new ChangesetOutcome(cs.getId(), cs.getAuthor(), cs.getFilePath(), ms, status));
            if (print) {
                progress.info(line(word, cs) + " " + ms + " ms");
            }
        }

        /** "  [2/5] applied     002-email (sql/002-email.sql)": the word in a column, so ids line up. */
        private String line(String word, ChangeSet cs) {
            // Should Liquibase run more than it listed as pending, the count still reads sensibly.
            return String.format("  [%d/%d] %-11s %s (%s)", number, Math.max(number, total), word, cs.getId(),
                    cs.getFilePath());
        }

        /** The run is over: the heartbeat's thread and second connection, if any, go too. */
        @Override
        public void close() {
            heartbeat.close();
        }
    }
}
