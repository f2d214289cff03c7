package io.github.dbdeploy.engine;

import java.util.Objects;

/**
 * A credential that must never be printed. {@link #toString()} is masked so that a secret that
 * slips into a log line, an exception message or a summary shows up as {@code ****}.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return value == null ? null : new Secret(value);
    }

    /** The clear text, for the one place that hands it to the JDBC driver. */
    public String reveal() {
        return value;
    }

    /** Replaces every occurrence of this secret in {@code text}; for messages we did not write ourselves. */
    public String scrub(String text) {
        if (text == null || value.isEmpty()) {
            return text;
        }
        return text.replace(value, "****");
    }

    @Override
    public String toString() {
        return "****";
    }
}
