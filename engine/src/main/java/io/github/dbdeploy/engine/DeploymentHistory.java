package io.github.dbdeploy.engine;

import java.util.List;

/** A deployment with the changesets it applied, newest deployment first in {@link Dbdeploy#history()}. */
public record DeploymentHistory(Deployment deployment, List<String> changesets) {
    public DeploymentHistory {
        changesets = List.copyOf(changesets);
    }
}
