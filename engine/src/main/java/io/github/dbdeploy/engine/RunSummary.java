package io.github.dbdeploy.engine;

import java.util.List;

/**
 * The result of one command, as written to {@code summary.json} and {@code summary.md}.
 *
 * @param status   {@code success}, {@code failed} (changes may remain: see {@code error}) or {@code rolled_back}
 *                 (the run failed and the database was returned to its state before the run)
 * @param command  {@code migrate}, {@code rollback} or {@code status}
 * @param skipped  changesets already applied before this run
 * @param error    what went wrong, or null
 */
public record RunSummary(String command, String status, String environment, String deploymentId, int applied,
                         int skipped, long durationMs, List<ChangesetOutcome> changesets, String error,
                         boolean dryRun) {
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String ROLLED_BACK = "rolled_back";

    public RunSummary {
        changesets = List.copyOf(changesets);
    }

    public boolean succeeded() {
        return SUCCESS.equals(status);
    }
}
