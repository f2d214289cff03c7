package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * Recognises a Jenkins abort: the Stop button, or an expired timeout. Such a failure must reach Jenkins unchanged,
 * or the build would end FAILURE instead of ABORTED; every catch in the library asks here before it wraps or
 * swallows anything. Jenkins throws org.jenkinsci.plugins.workflow.steps.FlowInterruptedException, which extends
 * InterruptedException; it is also recognised by name because the library cannot import it (it belongs to the
 * workflow-step-api plugin, which a shared library does not compile against).
 */
class Aborts implements Serializable {

    private static final long serialVersionUID = 1L

    static final String FLOW_INTERRUPTED = 'org.jenkinsci.plugins.workflow.steps.FlowInterruptedException'

    @NonCPS
    static boolean isAbort(Throwable failure) {
        return failure instanceof InterruptedException || failure?.getClass()?.name == FLOW_INTERRUPTED
    }
}
