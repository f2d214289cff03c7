package io.github.dbdeploy.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a run does. The one name for a command shared by the Maven goals, remote execution, the host runner and the
 * summary files ({@code "command": "migrate"}).
 */
public enum Command {
    MIGRATE(true),
    ROLLBACK(true),
    STATUS(true),
    HISTORY(true),
    /** Records what another tool's history table says is applied, without running it. */
    ADOPT(true),
    /** Records every migration up to a version as applied, without running it. */
    BASELINE(true),
    /** Builds the bundle; needs no database and never runs on a host. */
    PACKAGE(false),
    /** Runs the changelog on a throwaway embedded PostgreSQL; reads the target at most, never changes it. */
    REHEARSE(false);

    private final boolean runsOnHost;

    Command(boolean runsOnHost) {
        this.runsOnHost = runsOnHost;
    }

    /** The name users type: {@code dbdeploy:migrate}, {@code "command": "migrate"}. */
    @JsonValue
    public String goal() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether remote execution can run this command on a host. */
    public boolean runsOnHost() {
        return runsOnHost;
    }

    @JsonCreator
    public static Command of(String goal) {
        for (Command c : values()) {
            if (c.goal().equals(goal)) {
                return c;
            }
        }
        throw DbdeployException.configuration("Unknown command '" + goal + "': expected one of "
                + Arrays.stream(values()).map(Command::goal).collect(Collectors.joining(", ")) + ".");
    }

    @Override
    public String toString() {
        return goal();
    }
}
