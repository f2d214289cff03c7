package io.github.dbdeploy.remote;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.SettingsMapping;
import io.github.dbdeploy.engine.Credentials;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.runner.RunnerMain;

/**
 * Everything a remote run needs, read from the effective {@code dbdeploy.*} properties and checked before anything
 * is uploaded or sent. Refuses a literal password (or a JDBC URL carrying one): with {@code dbdeploy.target=ssm} the
 * host reads its own secret, and nothing secret may travel in the command, the bundle, S3 or the CI log.
 */
public final class RemoteSettings {
    /** SSM's bounds for SendCommand's TimeoutSeconds and AWS-RunShellScript's executionTimeout. */
    static final long MIN_DELIVERY_TIMEOUT_SECONDS = 30;
    static final long MAX_DELIVERY_TIMEOUT_SECONDS = 2_592_000;
    static final long MAX_EXECUTION_TIMEOUT_SECONDS = 172_800;

    private final Map<String, String> props;
    private final String environment;
    private final Path changelog;
    private final Path checks;
    private final String bucket;
    private final String prefix;
    private final List<String> instanceIds;
    private final Map<String, List<String>> targets;
    private final Duration executionTimeout;
    private final Duration deliveryTimeout;
    private final String maxConcurrency;
    private final String maxErrors;
    private final String outputBucket;
    private final String outputPrefix;
    private final Duration pollInterval;
    private final String hostDirectory;
    private final DownloadMode downloadMode;
    private final String region;
    private final String profile;
    private final URI s3Endpoint;
    private final URI ssmEndpoint;

    private RemoteSettings(Map<String, String> props, Path baseDirectory) {
        this.props = props;
        List<String> problems = new ArrayList<>();
        this.environment = props.getOrDefault(PropertyNames.ENV, "default");
        String where = " (in the env=" + environment + " profile or with -D)";

        String changelogValue = get(PropertyNames.CHANGELOG);
        Path c = changelogValue == null ? null : Path.of(changelogValue);
        this.changelog = c == null ? null : (c.isAbsolute() ? c : baseDirectory.resolve(c)).normalize();
        if (changelog == null) {
            problems.add("no changelog: set " + PropertyNames.CHANGELOG + where);
        }
        String checksValue = get(PropertyNames.CHECKS);
        Path k = checksValue == null ? null : Path.of(checksValue);
        this.checks = k == null ? null : (k.isAbsolute() ? k : baseDirectory.resolve(k)).normalize();
        if (get(PropertyNames.URL) == null) {
            problems.add("no database URL: set " + PropertyNames.URL + " to the URL as seen from the host, e.g."
                    + " jdbc:postgresql://localhost:5432/app" + where);
        } else if (get(PropertyNames.URL).matches("(?i).*[?&;]password=.*")) {
            problems.add(PropertyNames.URL + " carries a password; with dbdeploy.target=ssm it would travel in the"
                    + " SSM command. Remove it and set " + PropertyNames.PASSWORD + "=ssm:/your/parameter instead");
        }
        String password = get(PropertyNames.PASSWORD);
        if (password != null && !Credentials.isReference(password)) {
            problems.add(PropertyNames.PASSWORD + " holds a password; with dbdeploy.target=ssm the host reads its own"
                    + " secret, so no password may travel in the SSM command or the CI log. Store it in Parameter Store"
                    + " (aws ssm put-parameter --type SecureString --name /app/" + environment + "/db-password ...) and set "
                    + PropertyNames.PASSWORD + "=ssm:/app/" + environment + "/db-password");
        }
        if (get(PropertyNames.SERVER_ID) != null && password == null) {
            problems.add(PropertyNames.SERVER_ID + " is set, but a settings.xml password stays on this machine and"
                    + " cannot reach the host. Set " + PropertyNames.PASSWORD + "=ssm:/your/parameter for env="
                    + environment + " instead");
        }
        this.bucket = get(PropertyNames.S3_BUCKET);
        if (bucket == null) {
            problems.add("no S3 bucket: set " + PropertyNames.S3_BUCKET + where + "; the bundle and the runner jar"
                    + " are uploaded there for the host to download");
        }
        this.prefix = trimSlashes(props.getOrDefault(PropertyNames.S3_PREFIX, "dbdeploy"));
        this.instanceIds = splitList(get(PropertyNames.SSM_INSTANCE_IDS));
        this.targets = parseTargets(get(PropertyNames.SSM_TARGETS), problems);
        if (instanceIds.isEmpty() == targets.isEmpty()) {
            problems.add(instanceIds.isEmpty()
                    ? "no hosts: set " + PropertyNames.SSM_INSTANCE_IDS + " (e.g. i-0123456789abcdef0) or "
                        + PropertyNames.SSM_TARGETS + " (e.g. tag:Role=db)" + where
                    : "set either " + PropertyNames.SSM_INSTANCE_IDS + " or " + PropertyNames.SSM_TARGETS + ", not both");
        }
        this.executionTimeout = Duration.ofSeconds(positive(PropertyNames.SSM_EXECUTION_TIMEOUT_SECONDS, 3600, problems));
        this.deliveryTimeout = Duration.ofSeconds(positive(PropertyNames.SSM_DELIVERY_TIMEOUT_SECONDS, 600, problems));
        // SSM's own limits: SendCommand refuses anything else, but only after the bundle and runner were uploaded.
        if (executionTimeout.toSeconds() > MAX_EXECUTION_TIMEOUT_SECONDS) {
            problems.add(PropertyNames.SSM_EXECUTION_TIMEOUT_SECONDS + " is " + executionTimeout.toSeconds() + ", but"
                    + " AWS-RunShellScript allows at most " + MAX_EXECUTION_TIMEOUT_SECONDS + " (48 hours). Set "
                    + PropertyNames.SSM_EXECUTION_TIMEOUT_SECONDS + " to " + MAX_EXECUTION_TIMEOUT_SECONDS + " or less");
        }
        long delivery = deliveryTimeout.toSeconds();
        if (delivery < MIN_DELIVERY_TIMEOUT_SECONDS || delivery > MAX_DELIVERY_TIMEOUT_SECONDS) {
            problems.add(PropertyNames.SSM_DELIVERY_TIMEOUT_SECONDS + " is " + delivery + ", but SSM accepts "
                    + MIN_DELIVERY_TIMEOUT_SECONDS + " to " + MAX_DELIVERY_TIMEOUT_SECONDS + " seconds. Set "
                    + PropertyNames.SSM_DELIVERY_TIMEOUT_SECONDS + " within that range (the default is 600)");
        }
        this.pollInterval = Duration.ofMillis(positive(PropertyNames.SSM_POLL_MILLIS, 2000, problems));
        this.maxConcurrency = props.getOrDefault(PropertyNames.SSM_MAX_CONCURRENCY, "50").trim();
        this.maxErrors = props.getOrDefault(PropertyNames.SSM_MAX_ERRORS, "0").trim();
        if (!maxConcurrency.matches("[1-9][0-9]*%?")) {
            problems.add(PropertyNames.SSM_MAX_CONCURRENCY + " must be a number of hosts or a percentage (e.g. 10 or 25%),"
                    + " got '" + maxConcurrency + "'");
        }
        if (!maxErrors.matches("[0-9]+%?")) {
            problems.add(PropertyNames.SSM_MAX_ERRORS + " must be a number of hosts or a percentage (e.g. 0 or 10%),"
                    + " got '" + maxErrors + "'");
        }
        this.outputBucket = get(PropertyNames.SSM_OUTPUT_BUCKET);
        this.outputPrefix = trimSlashes(props.getOrDefault(PropertyNames.SSM_OUTPUT_PREFIX, prefix + "/output"));
        this.hostDirectory = props.getOrDefault(PropertyNames.SSM_HOST_DIRECTORY, HostScript.DEFAULT_HOST_DIRECTORY);
        if (!hostDirectory.matches("/[A-Za-z0-9._/-]*")) {
            problems.add(PropertyNames.SSM_HOST_DIRECTORY + " must be an absolute path of letters, digits and . _ / -,"
                    + " got '" + hostDirectory + "'");
        }
        String download = props.getOrDefault(PropertyNames.SSM_DOWNLOAD, DownloadMode.PRESIGNED.value());
        this.downloadMode = DownloadMode.parse(download);
        if (downloadMode == null) {
            problems.add(PropertyNames.SSM_DOWNLOAD + " must be presigned (hosts download with curl through presigned"
                    + " URLs) or host-role (hosts download with the AWS CLI and their own role), got '" + download.trim() + "'");
        }
        this.region = get(PropertyNames.AWS_REGION);
        this.profile = get(PropertyNames.AWS_PROFILE);
        this.s3Endpoint = uri(PropertyNames.S3_ENDPOINT, problems);
        this.ssmEndpoint = uri(PropertyNames.SSM_ENDPOINT, problems);
        if (!problems.isEmpty()) {
            throw DbdeployException.configuration("dbdeploy.target=ssm for environment " + environment + ":\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /**
     * @param properties    the effective dbdeploy.* settings of the selected environment
     * @param baseDirectory what a relative {@code dbdeploy.changelog} is relative to (the project directory)
     */
    public static RemoteSettings from(Map<String, String> properties, Path baseDirectory) {
        return new RemoteSettings(Map.copyOf(withoutNulls(properties)), baseDirectory);
    }

    /**
     * The settings file the host's runner reads: the command and the {@code dbdeploy.*} settings the engine needs
     * ({@link SettingsMapping#forHost}), never a secret (a password here is a reference, checked above).
     */
    public Properties runnerSettings(Command command, String deploymentId, String deployedBy) {
        Properties p = new Properties();
        SettingsMapping.forHost(props).forEach(p::setProperty);
        p.setProperty(RunnerMain.COMMAND_KEY, command.goal());
        p.setProperty(PropertyNames.ENV, environment);
        p.setProperty(PropertyNames.TAG, deploymentId);
        p.setProperty(PropertyNames.DEPLOYED_BY, props.getOrDefault(PropertyNames.DEPLOYED_BY, deployedBy));
        return p;
    }

    public String environment() {
        return environment;
    }

    public Path changelog() {
        return changelog;
    }

    /** The post-deploy checks file, which travels in the bundle; null without {@code dbdeploy.checks}. */
    public Path checks() {
        return checks;
    }

    public String tag() {
        return get(PropertyNames.TAG);
    }

    public String bucket() {
        return bucket;
    }

    public String prefix() {
        return prefix;
    }

    public List<String> instanceIds() {
        return instanceIds;
    }

    public Map<String, List<String>> targets() {
        return targets;
    }

    public Duration executionTimeout() {
        return executionTimeout;
    }

    public Duration deliveryTimeout() {
        return deliveryTimeout;
    }

    public String maxConcurrency() {
        return maxConcurrency;
    }

    public String maxErrors() {
        return maxErrors;
    }

    public String outputBucket() {
        return outputBucket;
    }

    public String outputPrefix() {
        return outputPrefix;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    public String hostDirectory() {
        return hostDirectory;
    }

    public DownloadMode downloadMode() {
        return downloadMode;
    }

    public String region() {
        return region;
    }

    public String profile() {
        return profile;
    }

    public URI s3Endpoint() {
        return s3Endpoint;
    }

    public URI ssmEndpoint() {
        return ssmEndpoint;
    }

    /** Where the command goes, for messages: the instance ids or the targets. */
    public String hostsDescription() {
        if (!instanceIds.isEmpty()) {
            return String.join(", ", instanceIds);
        }
        List<String> parts = new ArrayList<>();
        targets.forEach((k, v) -> parts.add(k + "=" + String.join(",", v)));
        return String.join("; ", parts);
    }

    private String get(String key) {
        String v = props.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private long positive(String key, long defaultValue, List<String> problems) {
        String v = get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(key + " must be a whole number above 0, got '" + v + "'");
        return defaultValue;
    }

    private URI uri(String key, List<String> problems) {
        String v = get(key);
        if (v == null) {
            return null;
        }
        try {
            URI u = URI.create(v);
            if (u.getScheme() != null && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        problems.add(key + " must be a URL such as https://s3.eu-west-1.amazonaws.com, got '" + v + "'");
        return null;
    }

    private static Map<String, List<String>> parseTargets(String value, List<String> problems) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        for (String part : value.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                problems.add(PropertyNames.SSM_TARGETS + " must look like tag:Role=db (several separated by ';'),"
                        + " got '" + part.trim() + "'");
                continue;
            }
            out.put(part.substring(0, eq).trim(), splitList(part.substring(eq + 1)));
        }
        return out;
    }

    private static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return List.copyOf(out);
    }

    private static String trimSlashes(String s) {
        String t = s.trim();
        while (t.startsWith("/")) {
            t = t.substring(1);
        }
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static Map<String, String> withoutNulls(Map<String, String> in) {
        Map<String, String> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v);
            }
        });
        return out;
    }
}
