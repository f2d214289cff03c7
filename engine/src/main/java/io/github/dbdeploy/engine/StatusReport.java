package io.github.dbdeploy.engine;

import java.util.List;

/**
 * What {@code status} found.
 *
 * @param pending        changesets not yet applied, as "id (file)"
 * @param lastDeployment the newest deployment, or null on a database never deployed with dbdeploy
 * @param lockHolder     who holds the deployment lock now, or null
 * @param summary        what was written to the summary files
 */
public record StatusReport(List<String> pending, Deployment lastDeployment, String lockHolder, RunSummary summary) {
    public StatusReport {
        pending = List.copyOf(pending);
    }
}
