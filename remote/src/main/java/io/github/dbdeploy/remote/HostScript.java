package io.github.dbdeploy.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The POSIX shell script sent with {@code AWS-RunShellScript}. On the host it needs only {@code sh}, {@code curl},
 * {@code sha256sum} and Java 17+ (a bare Amazon Linux has all but Java; no AWS CLI is needed): it downloads the runner
 * jar (cached by SHA-256) and the bundle through presigned URLs, checks both SHA-256s before anything runs, writes the
 * non-secret settings next to them in a fresh directory, runs the runner, and prints the run summary between
 * {@link #SUMMARY_BEGIN} and {@link #SUMMARY_END}. The database password is never part of it: the runner reads it from
 * Parameter Store with the host's role.
 *
 * <p>The host directory is {@code dbdeploy.ssm.hostDirectory} unless the agent's environment sets {@code DBDEPLOY_HOME}.
 * Exit codes of the script itself: 10 a tool is missing, 11 no Java 17+, 12 the host directory cannot be made,
 * 13 a download failed, 14 a downloaded file does not match its SHA-256; otherwise the runner's code.
 */
public final class HostScript {
    public static final String SUMMARY_BEGIN = "----- BEGIN dbdeploy summary.json -----";
    public static final String SUMMARY_END = "----- END dbdeploy summary.json -----";
    static final String SETTINGS_END = "DBDEPLOY_SETTINGS_END";

    private HostScript() {
    }

    /** A file the host downloads: presigned URL, SHA-256, and where it is in S3 (for messages). */
    public record Download(String url, String sha256, String location) {
        public Download {
            if (url.indexOf('\'') >= 0 || location.indexOf('\'') >= 0) {
                throw new IllegalArgumentException("a quote in a URL would break the host script");
            }
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a lower-case SHA-256: " + sha256);
            }
        }
    }

    public static List<String> lines(String title, String hostDirectory, Download runner, Download bundle,
                                     Properties settings) {
        if (!hostDirectory.matches("/[A-Za-z0-9._/-]*")) {
            throw new IllegalArgumentException("host directory must be a plain absolute path: " + hostDirectory);
        }
        List<String> s = new ArrayList<>();
        s.add("# " + title.replaceAll("[\\r\\n]", " "));
        s.add("# Holds no secret: the host reads the database password from Parameter Store with its own role.");
        s.add("set -u");
        s.add("umask 077");
        // A host may pin its own directory with DBDEPLOY_HOME in the SSM agent's environment.
        s.add("DBDEPLOY_HOME=\"${DBDEPLOY_HOME:-" + hostDirectory + "}\"");
        s.add("fail() { code=$1; shift; echo \"dbdeploy: $*\" >&2; exit \"$code\"; }");
        s.add("for tool in curl sha256sum mktemp; do");
        s.add("  command -v \"$tool\" >/dev/null 2>&1 || fail 10 \"$tool is required on this host and was not found"
                + " (PATH=$PATH). Install it and run again. Nothing was changed.\"");
        s.add("done");
        s.add("JAVA=''");
        s.add("if [ -n \"${JAVA_HOME:-}\" ] && [ -x \"$JAVA_HOME/bin/java\" ]; then JAVA=\"$JAVA_HOME/bin/java\";"
                + " else JAVA=$(command -v java 2>/dev/null || true); fi");
        s.add("[ -n \"$JAVA\" ] || fail 11 \"Java 17 or newer is required on this host and none was found (PATH=$PATH,"
                + " JAVA_HOME=${JAVA_HOME:-unset}). Install it (Amazon Linux: dnf install -y java-17-amazon-corretto-headless;"
                + " Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) and run again. Nothing was changed.\"");
        s.add("JAVA_VERSION=$(\"$JAVA\" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}')");
        s.add("case \"$JAVA_VERSION\" in ''|1.*|9|1[0-6]) fail 11 \"Java 17 or newer is required on this host; $JAVA is"
                + " version ${JAVA_VERSION:-unknown}. Install Java 17+ and run again. Nothing was changed.\";; esac");
        s.add("mkdir -p \"$DBDEPLOY_HOME/runners\" || fail 12 \"cannot create $DBDEPLOY_HOME on this host.\"");
        s.add("RUN=$(mktemp -d \"$DBDEPLOY_HOME/run-XXXXXXXX\") || fail 12 \"cannot create a run directory in $DBDEPLOY_HOME.\"");
        s.add("trap 'rm -rf \"$RUN\"' EXIT");
        s.add("download() {");
        s.add("  curl -fsS --retry 3 --connect-timeout 20 -o \"$3\" \"$1\" 2>\"$RUN/curl.err\" || fail 13 \"cannot"
                + " download the $4 from $5: $(cat \"$RUN/curl.err\"). Check that the presigned URL has not expired"
                + " (raise dbdeploy.ssm.deliveryTimeoutSeconds) and that this host can reach S3. Nothing was changed.\"");
        s.add("  actual=$(sha256sum \"$3\" | awk '{print $1}')");
        s.add("  [ \"$actual\" = \"$2\" ] || { rm -f \"$3\"; fail 14 \"the $4 from $5 has SHA-256 $actual, not $2: it was"
                + " changed or damaged in S3 after upload. Nothing was run. Delete $5 and deploy again to upload it anew.\"; }");
        s.add("}");
        s.add("RUNNER=\"$DBDEPLOY_HOME/runners/dbdeploy-runner-" + runner.sha256() + ".jar\"");
        s.add("if [ ! -f \"$RUNNER\" ] || [ \"$(sha256sum \"$RUNNER\" | awk '{print $1}')\" != '" + runner.sha256() + "' ]; then");
        s.add("  download '" + runner.url() + "' '" + runner.sha256() + "' \"$RUN/runner.jar\" 'runner jar' '"
                + runner.location() + "'");
        s.add("  mv -f \"$RUN/runner.jar\" \"$RUNNER\" || fail 12 \"cannot store the runner jar in $DBDEPLOY_HOME/runners.\"");
        s.add("fi");
        s.add("download '" + bundle.url() + "' '" + bundle.sha256() + "' \"$RUN/bundle.tar.gz\" 'bundle' '"
                + bundle.location() + "'");
        s.add("cat > \"$RUN/settings.properties\" <<'" + SETTINGS_END + "'");
        s.addAll(propertiesLines(settings));
        s.add(SETTINGS_END);
        s.add("\"$JAVA\" -XX:TieredStopAtLevel=1 -jar \"$RUNNER\" --bundle \"$RUN/bundle.tar.gz\" --bundle-sha256 '"
                + bundle.sha256() + "' --settings \"$RUN/settings.properties\" --work \"$RUN\"");
        s.add("rc=$?");
        s.add("if [ -f \"$RUN/out/summary.json\" ]; then");
        s.add("  echo '" + SUMMARY_BEGIN + "'");
        s.add("  cat \"$RUN/out/summary.json\"");
        s.add("  echo '" + SUMMARY_END + "'");
        s.add("fi");
        s.add("exit $rc");
        return s;
    }

    /** The properties as {@code key=value} lines (ASCII, escaped as {@link Properties} reads them), sorted, no date. */
    static List<String> propertiesLines(Properties settings) {
        Properties sorted = new Properties() {
            @Override
            public synchronized java.util.Set<java.util.Map.Entry<Object, Object>> entrySet() {
                java.util.Set<java.util.Map.Entry<Object, Object>> out = new java.util.TreeSet<>(
                        java.util.Comparator.comparing(e -> e.getKey().toString()));
                out.addAll(super.entrySet());
                return out;
            }
        };
        sorted.putAll(settings);
        // The stream form escapes everything outside ASCII, as Properties.load(InputStream) on the host expects.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            sorted.store(bytes, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        for (String line : bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1).split("\\R")) {
            if (!line.startsWith("#") && !line.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }
}
