package io.github.dbdeploy.jenkins

/**
 * Decides which colour serves traffic. deployWithMigrations asks it once at the start and tells it
 * to switch at most twice (to the new colour, and back on failure).
 */
interface TrafficRouter extends Serializable {

    /** The colour serving traffic now. */
    String liveColour()

    /** Sends all traffic to the given colour; returns only once the router has accepted the change. */
    void switchTo(String colour)

    /** For messages, e.g. "nginx (upstream file /etc/nginx/app-upstream.conf)". */
    String describe()
}
