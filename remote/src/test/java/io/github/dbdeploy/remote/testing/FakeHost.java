package io.github.dbdeploy.remote.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A managed instance of the fake SSM: a directory standing for its disk, its tags, its environment, its behaviour. */
public final class FakeHost {
    /** What the host does with a command. */
    public enum Behaviour {
        /** Its agent runs the command. */
        NORMAL,
        /** Its agent is offline: the command is never picked up (SSM ends it as DeliveryTimedOut). */
        NEVER_PICKS_UP,
        /** It runs the command, but has no Java installed. */
        NO_JAVA,
        /** Its agent takes the command and then never reports again (the invocation stays InProgress). */
        AGENT_STUCK
    }

    private final String instanceId;
    private final Path directory;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private volatile Behaviour behaviour = Behaviour.NORMAL;

    FakeHost(String instanceId, Path directory) {
        this.instanceId = instanceId;
        this.directory = directory;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The host's "disk": dbdeploy's host directory and the agent's orchestration directories live under it. */
    public Path directory() {
        return directory;
    }

    public FakeHost tag(String key, String value) {
        tags.put(key, value);
        return this;
    }

    public Map<String, String> tags() {
        return tags;
    }

    /** An environment variable of the host's SSM agent (for example DBDEPLOY_USERNAME). */
    public FakeHost env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public FakeHost behaviour(Behaviour b) {
        this.behaviour = b;
        return this;
    }

    public Behaviour behaviour() {
        return behaviour;
    }
}
