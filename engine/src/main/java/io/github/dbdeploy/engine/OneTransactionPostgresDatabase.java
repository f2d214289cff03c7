package io.github.dbdeploy.engine;

import liquibase.database.core.PostgresDatabase;
import liquibase.exception.DatabaseException;

/**
 * PostgreSQL as Liquibase sees it, except that a changeset and its DATABASECHANGELOG row commit together.
 *
 * <p>Liquibase commits a changeset's changes, then inserts its history row and commits again. A process killed
 * between the two leaves a change applied but unrecorded, and the next run applies it twice. Here the commit that
 * follows a changeset's last change is skipped, so the history row's commit covers both: one transaction, one
 * history row per changeset (and one commit fewer).
 */
final class OneTransactionPostgresDatabase extends PostgresDatabase {
    private boolean changesetCommitPending;

    /** Called as each change of a changeset finishes; the changeset's own commit comes next and is deferred. */
    void changeApplied() {
        changesetCommitPending = true;
    }

    @Override
    public void commit() throws DatabaseException {
        if (changesetCommitPending) {
            changesetCommitPending = false;
            return;
        }
        super.commit();
    }

    @Override
    public void rollback() throws DatabaseException {
        changesetCommitPending = false;
        super.rollback();
    }
}
