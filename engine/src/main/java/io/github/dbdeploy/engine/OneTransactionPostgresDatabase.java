package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import liquibase.Scope;
import liquibase.change.Change;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.core.PostgresDatabase;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;
import liquibase.exception.LiquibaseException;
import liquibase.executor.ExecutorService;
import liquibase.executor.LoggingExecutor;
import liquibase.sql.visitor.SqlVisitor;
import liquibase.statement.SqlStatement;

/**
 * PostgreSQL as Liquibase sees it, except that a changeset and its DATABASECHANGELOG row commit together, every
 * changeset runs under the {@link LockGuard}, and a whole run can be made one transaction.
 *
 * <p>Liquibase commits a changeset's changes, then inserts its history row and commits again (and the same in
 * reverse for a rollback). A process killed between the two leaves a change applied but unrecorded, or undone but
 * still recorded, and the next run acts on a lie. Here the changeset's own commit is skipped, so the commit of the
 * history row covers both: one transaction, one history row per changeset (and one commit fewer).
 *
 * <p>The lock guard lives here because this is where each change's SQL is sent, and the only place that can retry one
 * changeset: Liquibase's update loop stops at the first failure, and neither its visitors nor its listeners can be
 * told to run a changeset again. {@link #executeStatements} and {@link #executeRollbackStatements} remember what the
 * current transaction ran; when a statement runs into the lock timeout, the transaction is rolled back (its locks
 * released, so the sessions queued behind it run), and after a backoff everything it ran is sent again in a fresh
 * transaction, then the loop carries on as if nothing happened. Preconditions are not run again: Liquibase checks them
 * in a transaction of their own, rolled back before the first change.
 *
 * <p>In a {@linkplain #beginWholeRun whole run} nothing commits or rolls back until {@link #endWholeRun}: a failure
 * anywhere discards everything. A lock timeout is then not retried here, since rolling back would discard the
 * changesets before it; the caller retries the whole run instead.
 */
final class OneTransactionPostgresDatabase extends PostgresDatabase {
    /** Something sent in the current transaction, which a retry sends again. */
    private interface Work {
        /**
         * Sends it; {@code setup}, when not null, is the lock guard's timeouts for a fresh transaction, to be run
         * first.
         */
        void run(String setup) throws LiquibaseException;
    }

    private boolean changesetCommitPending;
    private boolean wholeRun;
    private LockGuard guard;
    private String changeset = "a changeset";
    private String lastBlockers = "a session that was not seen";
    /** What the current transaction has sent so far; empty at its start (the timeouts are then set). */
    private final List<Work> transactionWork = new ArrayList<>();

    void guard(LockGuard guard) {
        this.guard = guard;
    }

    /** The changeset whose statements come next, for messages. */
    void changesetStarting(ChangeSet cs) {
        this.changeset = "Changeset " + cs.getId() + " (" + cs.getFilePath() + ")";
    }
    private Runnable beforeCommit;

    /**
     * Called as each change of a changeset finishes, or as a changeset's rollback starts: the changeset's own commit
     * comes next and is left to the history row's commit that follows it.
     */
    void deferNextCommit() {
        changesetCommitPending = true;
    }

    /** From now on, nothing commits or rolls back until {@link #endWholeRun}. */
    void beginWholeRun() throws DatabaseException {
        super.commit(); // start from a clean transaction
        transactionWork.clear();
        wholeRun = true;
    }

    /** Commits or discards everything since {@link #beginWholeRun}. */
    void endWholeRun(boolean commit) throws DatabaseException {
        wholeRun = false;
        changesetCommitPending = false;
        transactionWork.clear();
        if (commit) {
            super.commit();
        } else {
            super.rollback();
        }
    }

    /** Who held the lock at the last lock timeout, as the lock guard saw it. */
    String lastBlockers() {
        return lastBlockers;
    }

    /**
     * Runs {@code action} in the open transaction just before each commit until it is cleared (null): a rehearsal
     * reads {@code pg_locks} there, while the changeset's locks are still held.
     */
    void beforeCommit(Runnable action) {
        this.beforeCommit = action;
    }

    @Override
    public void commit() throws DatabaseException {
        if (changesetCommitPending || wholeRun) {
            changesetCommitPending = false;
            return;
        }
        if (beforeCommit != null) {
            beforeCommit.run();
        }
        transactionWork.clear();
        super.commit();
    }

    @Override
    public void rollback() throws DatabaseException {
        if (wholeRun) {
            // Liquibase rolls back after checking preconditions and after a failed changeset. The first undoes only
            // reads; after the second the transaction is aborted and the caller ends the whole run with a rollback.
            return;
        }
        changesetCommitPending = false;
        transactionWork.clear();
        super.rollback();
    }

    /** The JDBC connection under Liquibase's. */
    Connection jdbc() {
        return ((JdbcConnection) getConnection()).getUnderlyingConnection();
    }

    /** Whether {@link #beginWholeRun} is in force: nothing commits until {@link #endWholeRun}. */
    boolean inWholeRun() {
        return wholeRun;
    }

    /**
     * Sends {@code statements} in the current transaction (or, with auto-commit on, each on its own), under the lock
     * guard as {@link #executeStatements} does, and as Liquibase's JDBC executor sends them: one by one, with JDBC
     * escape processing off for a statement holding a {@code ?}.
     */
    void executeSql(List<String> statements) throws LiquibaseException {
        executeSql(null, statements);
    }

    /**
     * As {@link #executeSql(List)}, with {@code bookkeeping} (a statement of dbdeploy's own, such as the changeset's
     * history row, or null) run first in the same transaction. It travels in the same message as the first statement,
     * as do the lock guard's timeouts: one round trip to the server instead of three, which is a third of what a
     * small changeset costs. In front, not behind, so that nothing in the user's text (a trailing comment, a changed
     * search_path) can reach it; the transaction makes the order invisible.
     */
    void executeSql(String bookkeeping, List<String> statements) throws LiquibaseException {
        guarded(setup -> send(setup, bookkeeping, statements));
    }

    private void send(String setup, String bookkeeping, List<String> statements) throws DatabaseException {
        Connection c = jdbc();
        String leading = joinStatements(setup, bookkeeping);
        if (statements.isEmpty()) {
            if (leading != null) {
                runLeading(c, leading);
            }
            return;
        }
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.setEscapeProcessing(!sql.contains("?"));
                try {
                    // pgjdbc sends the statements of one text together, each parsed on its own by the server. Each
                    // keeps the text after the semicolon before it, so nothing goes between: the user's statement
                    // reads in pg_stat_activity and the server's log exactly as written.
                    st.execute(leading == null ? sql : leading + ";" + sql);
                    leading = null;
                    while (st.getMoreResults() || st.getUpdateCount() != -1) {
                        // drain every result of a multi-statement text, so an error in a later one surfaces here
                    }
                } catch (SQLException e) {
                    throw failed(e, sql);
                }
            }
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    private static String joinStatements(String first, String second) {
        if (first == null || second == null) {
            return first != null ? first : second;
        }
        return first + ";" + second;
    }

    private static void runLeading(Connection c, String sql) throws DatabaseException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw failed(e, sql);
        }
    }

    /** As Liquibase's JDBC executor reports a failed statement: the database's words, then the SQL. */
    private static DatabaseException failed(SQLException e, String sql) {
        return new DatabaseException(e.getMessage() + " [Failed SQL: (" + e.getErrorCode() + ") " + sql + "]", e);
    }

    @Override
    public void executeStatements(Change change, DatabaseChangeLog changeLog, List<SqlVisitor> sqlVisitors)
            throws LiquibaseException {
        guarded(setup -> {
            runSetup(setup);
            super.executeStatements(change, changeLog, sqlVisitors);
        });
    }

    @Override
    public void executeRollbackStatements(SqlStatement[] statements, List<SqlVisitor> sqlVisitors)
            throws LiquibaseException {
        guarded(setup -> {
            runSetup(setup);
            super.executeRollbackStatements(statements, sqlVisitors);
        });
    }

    private void guarded(Work work) throws LiquibaseException {
        Connection c = jdbc();
        boolean inTransaction = !autoCommit(c);
        boolean dryRun = Scope.getCurrentScope().getSingleton(ExecutorService.class).getExecutor("jdbc", this)
                instanceof LoggingExecutor;
        if (guard == null || !inTransaction || dryRun) {
            // A changeset that runs outside a transaction (CREATE INDEX CONCURRENTLY and the like) gets no lock
            // timeout: its statements already commit one by one, so a retry could not start it afresh, and a
            // concurrent index build that timed out would leave an invalid index behind.
            work.run(null);
            return;
        }
        String setup = transactionWork.isEmpty() ? guard.setupSql() : null;
        transactionWork.add(work);
        if (!guard.enabled()) {
            work.run(setup); // lockTimeout=0: nothing to retry, and no one to watch for (only a statement timeout)
            return;
        }
        int retry = 0;
        while (true) {
            LockGuard.Watch watch = guard.watch(backendPid(c));
            try {
                if (retry == 0) {
                    work.run(setup);
                } else {
                    String fresh = guard.setupSql(); // the rollback before the retry undid the timeouts too
                    for (Work w : transactionWork) {
                        w.run(fresh);
                        fresh = null;
                    }
                }
                return;
            } catch (LiquibaseException e) {
                if (!LockGuard.isLockTimeout(e)) {
                    throw e;
                }
                String blockers = watch.blockers();
                lastBlockers = blockers;
                retry++;
                if (wholeRun || retry > guard.retries()) {
                    // The database's own words stay first; the blocker and what to do follow.
                    throw new DatabaseException(new SQLException(LiquibaseSession.reason(e) + ". "
                            + guard.gaveUp(changeset, blockers), LockGuard.LOCK_NOT_AVAILABLE, e));
                }
                super.rollback(); // releases the locks at once, so the sessions queued behind this one run
                try {
                    guard.backOff(changeset, retry, blockers);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new DatabaseException("Interrupted while waiting to retry " + changeset, interrupted);
                }
            } finally {
                watch.close();
            }
        }
    }

    private void runSetup(String setup) throws DatabaseException {
        if (setup == null) {
            return;
        }
        try (Statement st = jdbc().createStatement()) {
            st.execute(setup);
        } catch (SQLException e) {
            throw new DatabaseException("Cannot set the lock timeout: " + e.getMessage(), e);
        }
    }

    private static boolean autoCommit(Connection c) throws DatabaseException {
        try {
            return c.getAutoCommit();
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    private int backendPid(Connection c) {
        try {
            return c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
        } catch (SQLException e) {
            return -1;
        }
    }
}
