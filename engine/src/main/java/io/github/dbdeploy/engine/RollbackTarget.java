package io.github.dbdeploy.engine;

/**
 * How far {@code rollback} goes: to the state before a named deployment, back a number of changesets,
 * or (the default, for emergencies) to the state before the most recent deployment that changed something.
 */
public record RollbackTarget(String deploymentId, Integer count) {
    public static RollbackTarget lastDeployment() {
        return new RollbackTarget(null, null);
    }

    public static RollbackTarget beforeDeployment(String deploymentId) {
        return new RollbackTarget(deploymentId, null);
    }

    public static RollbackTarget changesets(int count) {
        if (count < 1) {
            throw DbdeployException.configuration("dbdeploy.rollbackCount must be 1 or more, got " + count);
        }
        return new RollbackTarget(null, count);
    }

    /** Chooses from the user's optional tag and count; giving both is ambiguous and refused. */
    public static RollbackTarget of(String deploymentId, Integer count) {
        boolean hasId = deploymentId != null && !deploymentId.isBlank();
        if (hasId && count != null) {
            throw DbdeployException.configuration("Give either dbdeploy.rollbackTag or dbdeploy.rollbackCount, not both.");
        }
        if (hasId) {
            return beforeDeployment(deploymentId.trim());
        }
        return count != null ? changesets(count) : lastDeployment();
    }
}
