package io.github.dbdeploy.engine;

import java.util.List;

/**
 * What {@code status} found.
 *
 * @param pending        changesets not yet applied, as "id (file)"
 * @param lastDeployment the newest deployment, or null on a database never deployed with dbdeploy
 * @param lockHolder     who holds the deployment lock now, or null
 */
public record StatusReport(List<String> pending, Deployment lastDeployment, String lockHolder) {
    public StatusReport {
        pending = List.copyOf(pending);
    }
}
