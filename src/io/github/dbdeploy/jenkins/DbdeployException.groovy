package io.github.dbdeploy.jenkins

/**
 * The one failure type of the library. Its message says what happened and what to do next;
 * {@link DbdeployStep} adds the "[stepName]" prefix when it turns it into a pipeline error.
 */
class DbdeployException extends RuntimeException {

    DbdeployException(String message) {
        super(message)
    }

    DbdeployException(String message, Throwable cause) {
        super(message, cause)
    }
}
