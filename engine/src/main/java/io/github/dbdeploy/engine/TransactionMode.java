package io.github.dbdeploy.engine;

import java.util.Locale;

/** How {@code migrate} groups changesets into transactions ({@code dbdeploy.transaction}). */
public enum TransactionMode {
    /**
     * Each changeset commits with its history row; a failure rolls back the changesets already applied by running
     * their rollback scripts. Table locks are held for one changeset at a time.
     */
    CHANGESET("changeset"),
    /**
     * All pending changesets commit together, or none does: a failure discards the transaction, so no rollback script
     * runs. Every lock taken is held until the last changeset (and the checks) finish.
     */
    DEPLOYMENT("deployment");

    private final String id;

    TransactionMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The mode named {@code name}; null or blank is {@link #CHANGESET}. */
    public static TransactionMode of(String name) {
        if (name == null || name.isBlank()) {
            return CHANGESET;
        }
        for (TransactionMode m : values()) {
            if (m.id.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("must be changeset or deployment, got '" + name.trim() + "'");
    }
}
