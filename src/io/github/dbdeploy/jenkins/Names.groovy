package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * Values that end up in shell command lines, lock names and Liquibase tags are held to a safe
 * alphabet, so no quoting is ever needed and nothing can be injected.
 */
class Names implements Serializable {

    private static final long serialVersionUID = 1L

    static final String SAFE = /[A-Za-z0-9][A-Za-z0-9._-]*/

    @NonCPS
    static String requireSafe(String key, String value) {
        if (!(value ==~ SAFE)) {
            throw new DbdeployException("Invalid configuration: key '${key}' must match ${SAFE} (letters, digits, '.', '_', '-'), " +
                    "but was '${value}'. Use a plain name such as 'prod' or 'shop-42'.")
        }
        return value
    }

    /** The deployment id Jenkins would use when none is given: job name and build number, made safe. */
    @NonCPS
    static String defaultDeploymentId(Object env) {
        String job = env?.JOB_BASE_NAME ?: env?.JOB_NAME
        String build = env?.BUILD_NUMBER
        if (!job || !build) {
            throw new DbdeployException("Cannot derive a deployment id: JOB_BASE_NAME and BUILD_NUMBER are not set. " +
                    "Pass deploymentId: 'something-unique' to the step.")
        }
        String id = "${job}-${build}".replaceAll(/[^A-Za-z0-9._-]+/, '-').replaceAll(/^[^A-Za-z0-9]+/, '')
        return requireSafe('deploymentId', id)
    }
}
