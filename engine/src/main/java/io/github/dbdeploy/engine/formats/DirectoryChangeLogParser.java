package io.github.dbdeploy.engine.formats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.exception.ChangeLogParseException;
import liquibase.parser.ChangeLogParser;
import liquibase.resource.ResourceAccessor;

/**
 * Lets a Liquibase changelog be a directory of another tool's migrations (found by Liquibase through
 * {@code META-INF/services}): each migration becomes one changeset, built in memory. The changelog is named by the
 * directory's absolute path; its format comes from the scope attribute {@value #FORMAT_SCOPE_KEY} (a
 * {@link MigrationFormat}), {@link MigrationFormat#AUTO} when absent.
 */
public final class DirectoryChangeLogParser implements ChangeLogParser {
    public static final String FORMAT_SCOPE_KEY = "io.github.dbdeploy.format";
    /**
     * Scope attribute: the server's major version (an Integer), which decides whether ALTER TYPE ... ADD VALUE can
     * run in a transaction. Not Liquibase's own database attribute: with that set, a dry run writes its history table.
     */
    public static final String SERVER_VERSION_SCOPE_KEY = "io.github.dbdeploy.serverMajorVersion";
    /**
     * Scope attribute: the directory's migrations as the caller has already read them (a {@link PreRead}): dbdeploy
     * reads them while Liquibase starts, and adopt matches the same ones to another tool's history.
     */
    public static final String MIGRATIONS_SCOPE_KEY = "io.github.dbdeploy.migrations";

    /** Migrations of {@code directory} read with {@link MigrationDirectory#read}, for {@link #MIGRATIONS_SCOPE_KEY}. */
    public record PreRead(Path directory, List<Migration> migrations) {
    }

    @Override
    public boolean supports(String changeLogFile, ResourceAccessor resourceAccessor) {
        return directory(changeLogFile) != null;
    }

    @Override
    public int getPriority() {
        // Ahead of Liquibase's own parsers (the highest, formatted SQL, has PRIORITY_DEFAULT + 5): they choose by
        // file extension and never claim a directory anyway.
        return PRIORITY_DEFAULT + 10;
    }

    @Override
    public DatabaseChangeLog parse(String physicalChangeLogLocation, ChangeLogParameters changeLogParameters,
                                   ResourceAccessor resourceAccessor) throws ChangeLogParseException {
        Path dir = directory(physicalChangeLogLocation);
        if (dir == null) {
            throw new ChangeLogParseException(physicalChangeLogLocation + " is not a directory");
        }
        PreRead preRead = Scope.getCurrentScope().get(MIGRATIONS_SCOPE_KEY, PreRead.class);
        List<Migration> migrations = preRead != null && preRead.directory().equals(dir) ? preRead.migrations()
                : MigrationDirectory.read(dir, Scope.getCurrentScope().get(FORMAT_SCOPE_KEY, MigrationFormat.AUTO),
                    serverMajorVersion());
        DatabaseChangeLog changeLog = new DatabaseChangeLog(physicalChangeLogLocation);
        changeLog.setChangeLogParameters(changeLogParameters);
        for (Migration m : migrations) {
            changeLog.addChangeSet(changeSet(m, changeLog));
        }
        return changeLog;
    }

    /** One changeset per migration: id the version the tool records, author the tool, file the stable path. */
    static ChangeSet changeSet(Migration m, DatabaseChangeLog changeLog) {
        ChangeSet cs = new ChangeSet(m.version(), m.format().id(), false, m.repeatable(), m.logicalPath(), null, null,
                m.runInTransaction(), changeLog);
        cs.addChange(new ScriptChange(m.up()));
        if (m.down() != null) {
            cs.addRollbackChange(new ScriptChange(m.down()));
        }
        return cs;
    }

    /** The server's major version when the caller put it in scope; unknown (assume current) otherwise. */
    private static int serverMajorVersion() {
        return Scope.getCurrentScope().get(SERVER_VERSION_SCOPE_KEY, Integer.MAX_VALUE);
    }

    private static Path directory(String changeLogFile) {
        if (changeLogFile == null) {
            return null;
        }
        try {
            Path p = Path.of(changeLogFile);
            return p.isAbsolute() && Files.isDirectory(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }
}
