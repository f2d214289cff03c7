package io.github.dbdeploy.engine;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What {@code rehearse} saw one changeset do on the embedded PostgreSQL: one element of {@code summary.json}'s
 * {@code rehearsal} array. Every field is always present; the README documents each.
 *
 * @param apply         {@code ok} or {@code failed} (then {@code applyError} has the database's message, and the
 *                      fields below are empty: nothing further ran)
 * @param rollback      {@code exact}, {@code differs} (see {@code rollbackDiff}), {@code failed} (see
 *                      {@code rollbackError}), {@code missing} (the changeset has no rollback), or null when the
 *                      changeset could not be applied
 * @param rollbackDiff  the schema lines that differ between before the changeset and after its rollback, {@code -}
 *                      for lost, {@code +} for left behind
 * @param reapply       {@code ok} or {@code failed} (see {@code reapplyError}) for applying it again after its
 *                      rollback; null when the rollback did not run or failed
 * @param locks         the strongest lock its transaction held, before commit, on each relation that existed before it
 * @param rewrites      tables whose storage was rewritten (their relfilenode changed), as {@code schema.table}
 * @param breaking      what breaks an application version that is still serving
 * @param dataLoss      it removed stored data that its rollback cannot bring back
 * @param waived        the checks the changeset waives on purpose ({@code dbdeploy:allow ...})
 * @param failedChecks  the checks of {@code dbdeploy.rehearse.failOn} it fails, less the waived ones; plus
 *                      {@code apply} when it could not be applied at all
 */
@JsonPropertyOrder({"id", "author", "file", "durationMs", "apply", "applyError", "rollback", "rollbackDiff",
        "rollbackError", "reapply", "reapplyError", "locks", "rewrites", "breaking", "dataLoss", "waived",
        "failedChecks"})
public record ChangesetRehearsal(String id, String author, String file, long durationMs, String apply,
                                 String applyError, String rollback, List<String> rollbackDiff, String rollbackError,
                                 String reapply, String reapplyError, List<Lock> locks, List<String> rewrites,
                                 List<Breaking> breaking, boolean dataLoss, List<String> waived,
                                 List<String> failedChecks) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";
    public static final String EXACT = "exact";
    public static final String DIFFERS = "differs";
    public static final String MISSING = "missing";

    public ChangesetRehearsal {
        rollbackDiff = rollbackDiff == null ? List.of() : List.copyOf(rollbackDiff);
        locks = locks == null ? List.of() : List.copyOf(locks);
        rewrites = rewrites == null ? List.of() : List.copyOf(rewrites);
        breaking = breaking == null ? List.of() : List.copyOf(breaking);
        waived = waived == null ? List.of() : List.copyOf(waived);
        failedChecks = failedChecks == null ? List.of() : List.copyOf(failedChecks);
    }

    /** A lock observed in {@code pg_locks}, e.g. {@code {"relation": "public.orders", "mode": "AccessExclusiveLock"}}. */
    @JsonPropertyOrder({"relation", "mode"})
    public record Lock(String relation, String mode) {
    }

    /** Something a still-serving application version depends on, and what happened to it. */
    @JsonPropertyOrder({"object", "reason"})
    public record Breaking(String object, String reason) {
    }

    public boolean failed() {
        return !failedChecks.isEmpty();
    }
}
