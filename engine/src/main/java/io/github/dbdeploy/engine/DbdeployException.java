package io.github.dbdeploy.engine;

/**
 * The one way the engine reports an error. The message says what is wrong and what to do next;
 * {@link Kind} tells a caller whether the user's input was at fault (so Maven can report a
 * failure rather than an error) or something went wrong at run time.
 */
public class DbdeployException extends RuntimeException {

    public enum Kind {
        /** Bad or missing configuration: fix the input and run again. Nothing was changed. */
        CONFIGURATION,
        /** The run itself failed (database error, failed changeset). */
        RUNTIME,
        /**
         * The database could not be reached (no connection, credentials refused) or another deployment held the lock
         * past the wait. Nothing was changed, and running again later may succeed: the CLI exits 3 for these.
         */
        UNAVAILABLE
    }

    private final Kind kind;

    public DbdeployException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public DbdeployException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static DbdeployException configuration(String message) {
        return new DbdeployException(Kind.CONFIGURATION, message);
    }

    public static DbdeployException runtime(String message) {
        return new DbdeployException(Kind.RUNTIME, message);
    }

    public static DbdeployException runtime(String message, Throwable cause) {
        return new DbdeployException(Kind.RUNTIME, message, cause);
    }

    public static DbdeployException unavailable(String message) {
        return new DbdeployException(Kind.UNAVAILABLE, message);
    }

    public Kind kind() {
        return kind;
    }
}
