package hudson

/**
 * Test double of Jenkins' hudson.AbortException, which is what a failing `sh` or `error` throws in a
 * real pipeline. Same name and base class, so messages built from it read as they would in Jenkins.
 */
class AbortException extends IOException {
    AbortException(String message) {
        super(message)
    }
}
