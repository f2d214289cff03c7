package io.github.dbdeploy.engine;

import java.time.Instant;

/**
 * One row of the deployment journal: a run of {@code migrate} under a deployment id.
 *
 * @param changelogRowsBefore the highest ORDEREXECUTED in DATABASECHANGELOG when the deployment started
 *                            (0 on an empty database): rolling back to "before this deployment" undoes every
 *                            changeset recorded after it. This is the marker that also works on an empty database,
 *                            where a Liquibase tag has no row to sit on.
 */
public record Deployment(String id, String environment, Instant startedAt, Instant finishedAt, String deployedBy,
                         String status, int changelogRowsBefore, Integer changelogMaxAfter, int applied) {
    public static final String RUNNING = "running";
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String ROLLED_BACK = "rolled_back";
    public static final String INTERRUPTED = "interrupted";
    /** dbdeploy:adopt recorded another tool's applied migrations (nothing ran; rollback never picks it). */
    public static final String ADOPTED = "adopted";
    /** dbdeploy:baseline recorded migrations the database already had (nothing ran). */
    public static final String BASELINE = "baseline";
}
