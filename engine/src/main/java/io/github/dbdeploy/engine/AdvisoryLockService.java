package io.github.dbdeploy.engine;

import liquibase.database.Database;
import liquibase.lockservice.DatabaseChangeLogLock;
import liquibase.lockservice.LockService;

/**
 * Replaces Liquibase's DATABASECHANGELOGLOCK row, the lock that a killed process leaves behind.
 * The engine already holds a session-level advisory lock ({@link TargetDatabase#lock}) for the whole
 * run before Liquibase is called, so this service only has to say "locked" and never creates the table.
 * Registered through META-INF/services because Liquibase rebuilds its LockServiceFactory after every update.
 */
public final class AdvisoryLockService implements LockService {
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE; // above StandardLockService and any extension
    }

    @Override
    public boolean supports(Database database) {
        return true;
    }

    @Override
    public void setDatabase(Database database) {
    }

    @Override
    public void setChangeLogLockWaitTime(long changeLogLockWaitTime) {
    }

    @Override
    public void setChangeLogLockRecheckTime(long changeLogLockRecheckTime) {
    }

    @Override
    public boolean hasChangeLogLock() {
        return true;
    }

    @Override
    public void waitForLock() {
    }

    @Override
    public boolean acquireLock() {
        return true;
    }

    @Override
    public void releaseLock() {
    }

    @Override
    public DatabaseChangeLogLock[] listLocks() {
        return new DatabaseChangeLogLock[0];
    }

    @Override
    public void forceReleaseLock() {
    }

    @Override
    public void reset() {
    }

    @Override
    public void init() {
    }

    @Override
    public void destroy() {
    }
}
