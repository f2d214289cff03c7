package io.github.dbdeploy.engine;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The one mapping from {@code dbdeploy.*} properties to {@link DeploySettings}, used by the Maven goals, by remote
 * execution (for what travels to a host) and by the runner on the host. The front door only gathers the properties
 * in its own precedence; what they mean is decided here.
 */
public final class SettingsMapping {
    private static final Set<String> KNOWN = collectKnownProperties();

    /**
     * Settings that stay on the machine that sends a remote command: they mean nothing on the host. The changelog
     * and the checks file travel in the bundle, and the host's runner points at its own copies.
     */
    private static final Set<String> SENDER_ONLY = Set.of(PropertyNames.TARGET, PropertyNames.CHANGELOG,
            PropertyNames.CHECKS, PropertyNames.SERVER_ID, PropertyNames.SKIP, PropertyNames.AWS_PROFILE);

    /** dbdeploy.* names that projects use for other things: the plugin's own version, by Maven convention. */
    private static final Set<String> NOT_SETTINGS = Set.of("dbdeploy.version");

    private SettingsMapping() {
    }

    /**
     * What the front door knows that properties cannot say.
     *
     * @param baseDirectory   what a relative {@code dbdeploy.changelog} is relative to
     * @param outputDirectory where the summary files go
     * @param idPrefix        the prefix of a default deployment id (the project version), or null
     * @param env             the process environment ({@code DBDEPLOY_PASSWORD}, {@code env:} references)
     * @param server          credentials from Maven's settings.xml {@code <server>} named by dbdeploy.serverId, or null
     * @param frontDoor       Maven (the goals, a remote host's runner) or the CLI: how messages spell commands
     */
    public record Context(Path baseDirectory, Path outputDirectory, String idPrefix, Function<String, String> env,
                          ServerCredentials server, FrontDoor frontDoor) {
        /** A Maven run's context. */
        public Context(Path baseDirectory, Path outputDirectory, String idPrefix, Function<String, String> env,
                       ServerCredentials server) {
            this(baseDirectory, outputDirectory, idPrefix, env, server, FrontDoor.MAVEN);
        }
    }

    /** A username and password that came from somewhere other than properties (Maven's settings.xml). */
    public record ServerCredentials(String username, Secret password) {
    }

    public static DeploySettings deploySettings(Map<String, String> properties, Context context) {
        return deploySettings(null, properties, context);
    }

    /**
     * As {@link #deploySettings(Map, Context)}, for {@code command}: {@code rehearse} can run without
     * {@code dbdeploy.url}, every other command needs it.
     */
    public static DeploySettings deploySettings(Command command, Map<String, String> properties, Context context) {
        Values v = new Values(properties);
        String username = v.string(PropertyNames.USERNAME);
        String configuredPassword = v.string(PropertyNames.PASSWORD);
        Secret password = null;
        if (context.server() != null) {
            username = username != null ? username : context.server().username();
            password = configuredPassword == null ? context.server().password() : null;
        }
        if (password == null) {
            password = Credentials.password(configuredPassword, context.env(), awsSettings(properties));
        }
        String tag = v.string(PropertyNames.TAG);
        Integer lockWait = v.integer(PropertyNames.LOCK_WAIT_SECONDS);
        String changelog = v.string(PropertyNames.CHANGELOG);
        String checks = v.string(PropertyNames.CHECKS);
        return DeploySettings.builder()
                .environment(Optional.ofNullable(v.string(PropertyNames.ENV)).orElse("default"))
                .jdbcUrl(v.string(PropertyNames.URL))
                .username(Credentials.username(username, context.env()))
                .password(password)
                .changelog(changelog == null ? null : context.baseDirectory().resolve(changelog).normalize())
                .format(v.string(PropertyNames.FORMAT))
                .deploymentId(tag != null ? tag : Dbdeploy.newDeploymentId(context.idPrefix()))
                .lockWait(Duration.ofSeconds(lockWait == null ? 300 : lockWait))
                .rollbackOnFailure(v.bool(PropertyNames.ROLLBACK_ON_FAILURE, true))
                .contexts(v.string(PropertyNames.CONTEXTS))
                .labels(v.string(PropertyNames.LABELS))
                .dryRun(v.bool(PropertyNames.DRY_RUN, false))
                .failOnPending(v.bool(PropertyNames.FAIL_ON_PENDING, false))
                .adoptFrom(v.string(PropertyNames.ADOPT_FROM))
                .baselineVersion(v.string(PropertyNames.BASELINE_VERSION))
                .rollbackTarget(RollbackTarget.of(v.string(PropertyNames.ROLLBACK_TAG),
                        v.integer(PropertyNames.ROLLBACK_COUNT)))
                .deployedBy(v.string(PropertyNames.DEPLOYED_BY))
                .rehearseFrom(v.string(PropertyNames.REHEARSE_FROM))
                .rehearseFailOn(v.string(PropertyNames.REHEARSE_FAIL_ON))
                .rehearsePostgresVersion(v.integer(PropertyNames.REHEARSE_POSTGRES_VERSION))
                .databaseRequired(command != Command.REHEARSE)
                .outputDirectory(context.outputDirectory())
                .frontDoor(context.frontDoor())
                .lockTimeout(v.string(PropertyNames.LOCK_TIMEOUT))
                .lockRetries(v.integer(PropertyNames.LOCK_RETRIES))
                .statementTimeout(v.string(PropertyNames.STATEMENT_TIMEOUT))
                .checks(checks == null ? null : context.baseDirectory().resolve(checks).normalize())
                .transaction(v.string(PropertyNames.TRANSACTION))
                .build();
    }

    /** {@code dbdeploy.aws.region}, {@code dbdeploy.aws.profile} and {@code dbdeploy.ssm.endpoint}. */
    public static AwsSettings awsSettings(Map<String, String> properties) {
        Values v = new Values(properties);
        String endpoint = v.string(PropertyNames.SSM_ENDPOINT);
        return new AwsSettings(v.string(PropertyNames.AWS_REGION), v.string(PropertyNames.AWS_PROFILE),
                endpoint == null ? null : URI.create(endpoint));
    }

    /**
     * The properties a host needs to run a command: everything the engine reads, without what only the sender uses
     * ({@code dbdeploy.s3.*}, {@code dbdeploy.ssm.*}, the target, the local changelog path, settings.xml ids, the
     * local AWS profile).
     */
    public static Map<String, String> forHost(Map<String, String> properties) {
        Map<String, String> out = new java.util.TreeMap<>();
        properties.forEach((key, value) -> {
            if (value != null && key.startsWith(PropertyNames.PREFIX) && !SENDER_ONLY.contains(key)
                    && !key.startsWith("dbdeploy.s3.") && !key.startsWith("dbdeploy.ssm.")) {
                out.put(key, value);
            }
        });
        return out;
    }

    /** Every {@code dbdeploy.*} property that dbdeploy reads (the constants of {@link PropertyNames}). */
    public static Set<String> knownProperties() {
        return KNOWN;
    }

    private static Set<String> collectKnownProperties() {
        Set<String> names = new TreeSet<>();
        for (Field f : PropertyNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    String value = (String) f.get(null);
                    if (value.startsWith(PropertyNames.PREFIX) && value.length() > PropertyNames.PREFIX.length()) {
                        names.add(value);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        for (Command c : Command.values()) {
            names.add(PropertyNames.skipOf(c));
        }
        return Set.copyOf(names);
    }

    /**
     * A warning for each {@code dbdeploy.*} key that no goal reads, naming the closest known key: a typo such as
     * {@code dbdeploy.ssm.maxConcurency} would otherwise be ignored without a word.
     */
    public static List<String> unknownPropertyWarnings(Iterable<String> keys) {
        List<String> warnings = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (String key : keys) {
            if (key.startsWith(PropertyNames.PREFIX) && !knownProperties().contains(key) && !NOT_SETTINGS.contains(key)
                    && seen.add(key)) {
                warnings.add("Unknown setting " + key + " is ignored. Did you mean " + closest(key) + "?"
                        + " (mvn dbdeploy:help -Ddetail lists every setting.)");
            }
        }
        return warnings;
    }

    static String closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : knownProperties()) {
            int d = distance(key.toLowerCase(java.util.Locale.ROOT), known.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance || (d == bestDistance && known.compareTo(best) < 0)) {
                best = known;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /** Typed reads of property values; a malformed value is a configuration error naming the property. */
    private record Values(Map<String, String> properties) {
        String string(String key) {
            String value = properties.get(key);
            return value == null || value.isBlank() ? null : value.trim();
        }

        boolean bool(String key, boolean defaultValue) {
            String value = string(key);
            if (value == null) {
                return defaultValue;
            }
            if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                throw DbdeployException.configuration(key + " must be true or false, got '" + value + "'");
            }
            return Boolean.parseBoolean(value);
        }

        Integer integer(String key) {
            String value = string(key);
            if (value == null) {
                return null;
            }
            try {
                return Integer.valueOf(value);
            } catch (NumberFormatException e) {
                throw DbdeployException.configuration(key + " must be a whole number, got '" + value + "'");
            }
        }
    }
}
