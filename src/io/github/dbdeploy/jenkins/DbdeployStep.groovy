package io.github.dbdeploy.jenkins

/**
 * The one error wrapper of the library: validates a step's configuration up front, runs the step,
 * and turns any failure into a pipeline error whose message starts with "[stepName]".
 */
class DbdeployStep implements Serializable {

    private static final long serialVersionUID = 1L

    private final def steps
    private final StepSpec spec

    DbdeployStep(def steps, StepSpec spec) {
        this.steps = steps
        this.spec = spec
    }

    /** Runs body with the resolved configuration and returns what it returns. */
    def run(Map userConfig, Closure body) {
        String message
        try {
            Map config = spec.resolve(userConfig)
            return body.call(config)
        } catch (DbdeployException e) {
            message = e.message
        } catch (Throwable e) {
            if (Aborts.isAbort(e)) {
                // An abort or an expired timeout keeps its own result (ABORTED) instead of becoming a FAILURE.
                throw e
            }
            message = "Unexpected ${e.getClass().name}: ${e.message}. The log above shows where it happened; " +
                    "if it is not your closure's failure, report it to dbdeploy with this log."
        }
        steps.error("[${spec.stepName}] ${message}")
    }
}
