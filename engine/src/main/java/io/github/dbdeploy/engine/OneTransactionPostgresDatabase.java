package io.github.dbdeploy.engine;

import liquibase.database.core.PostgresDatabase;
import liquibase.exception.DatabaseException;

/**
 * PostgreSQL as Liquibase sees it, except that a changeset and its DATABASECHANGELOG row commit together.
 *
 * <p>Liquibase commits a changeset's changes, then inserts its history row and commits again (and the same in
 * reverse for a rollback). A process killed between the two leaves a change applied but unrecorded, or undone but
 * still recorded, and the next run acts on a lie. Here the changeset's own commit is skipped, so the commit of the
 * history row covers both: one transaction, one history row per changeset (and one commit fewer).
 */
final class OneTransactionPostgresDatabase extends PostgresDatabase {
    private boolean changesetCommitPending;
    private Runnable beforeCommit;

    /**
     * Called as each change of a changeset finishes, or as a changeset's rollback starts: the changeset's own commit
     * comes next and is left to the history row's commit that follows it.
     */
    void deferNextCommit() {
        changesetCommitPending = true;
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
        if (changesetCommitPending) {
            changesetCommitPending = false;
            return;
        }
        if (beforeCommit != null) {
            beforeCommit.run();
        }
        super.commit();
    }

    @Override
    public void rollback() throws DatabaseException {
        changesetCommitPending = false;
        super.rollback();
    }
}
