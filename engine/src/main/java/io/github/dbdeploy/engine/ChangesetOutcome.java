package io.github.dbdeploy.engine;

/** What happened to one changeset in a run. */
public record ChangesetOutcome(String id, String author, String file, long durationMs, Status status) {
    public enum Status {
        APPLIED("applied"), FAILED("failed"), ROLLED_BACK("rolled_back"), PENDING("pending");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
