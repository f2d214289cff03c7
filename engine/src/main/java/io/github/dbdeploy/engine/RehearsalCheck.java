package io.github.dbdeploy.engine;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a rehearsal can hold against a changeset. {@code dbdeploy.rehearse.failOn} picks those that fail the build;
 * a changeset waives one on purpose with {@code dbdeploy:allow NAME} (see {@link Rehearsal}).
 */
public enum RehearsalCheck {
    /** Its rollback failed, or did not bring the schema back to what it was. */
    ROLLBACK("rollback"),
    /** Applying it again after its rollback failed. */
    REAPPLY("reapply"),
    /** It breaks the application version that is still serving (blue/green). */
    BREAKING("breaking"),
    /** It held a lock that blocks other sessions' writes (ShareLock or stronger) on a table that existed before it. */
    LOCKS("locks"),
    /** It rewrote the storage of a table that existed before it. */
    REWRITES("rewrites"),
    /** It removed stored data that its rollback cannot bring back. */
    DATA_LOSS("dataLoss");

    /** {@code dbdeploy.rehearse.failOn}'s default: what is wrong with the changeset itself, not with its design. */
    public static final Set<RehearsalCheck> DEFAULT_FAIL_ON = EnumSet.of(ROLLBACK, REAPPLY);

    private final String id;

    RehearsalCheck(String id) {
        this.id = id;
    }

    /** The name users write: {@code -Ddbdeploy.rehearse.failOn=rollback,breaking}. */
    public String id() {
        return id;
    }

    /** One check by its name (case-insensitive), or null. */
    static RehearsalCheck find(String name) {
        for (RehearsalCheck c : values()) {
            if (c.id.equalsIgnoreCase(name.trim())) {
                return c;
            }
        }
        return null;
    }

    /**
     * A comma list of check names; blank means the default. {@code none} means that nothing but a changeset that
     * cannot be applied at all fails the build.
     */
    public static Set<RehearsalCheck> parseList(String list) {
        if (list == null || list.isBlank()) {
            return DEFAULT_FAIL_ON;
        }
        Set<RehearsalCheck> out = EnumSet.noneOf(RehearsalCheck.class);
        if (list.trim().equalsIgnoreCase("none")) {
            return out;
        }
        for (String name : list.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            RehearsalCheck c = find(name);
            if (c == null) {
                throw new IllegalArgumentException("unknown check '" + name.trim() + "': expected a comma list of "
                        + names() + ", or none");
            }
            out.add(c);
        }
        return out;
    }

    static String names() {
        return Arrays.stream(values()).map(RehearsalCheck::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
