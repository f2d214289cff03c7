package org.jenkinsci.plugins.workflow.steps

/**
 * Test double of what Jenkins throws into a running step when the build is aborted (the Stop button or an expired
 * timeout). Same name and superclass (InterruptedException) as the real class in the workflow-step-api plugin, so the
 * library sees exactly what it would see in Jenkins. The real class is not used because that plugin brings Jenkins
 * core with it, far more than these tests need, and its Result type would only carry the word ABORTED.
 */
class FlowInterruptedException extends InterruptedException {
    FlowInterruptedException(String message) {
        super(message)
    }
}
