package io.github.dbdeploy.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.github.dbdeploy.engine.PropertyNames;

/**
 * The POSIX shell script sent with {@code AWS-RunShellScript}, which SSM runs as root. On the host it needs {@code sh},
 * {@code sha256sum}, {@code stat}, {@code mktemp}, Java 17+, and either {@code curl} ({@code dbdeploy.ssm.download=presigned},
 * the default: presigned URLs, no AWS CLI) or the AWS CLI ({@code host-role}: the host's own instance role). It checks
 * that the host directory is safe for code that root runs, downloads the runner jar and the bundle, checks both
 * SHA-256s before anything runs, writes the non-secret settings next to them in a fresh directory, runs the runner, and
 * prints the run summary between {@link #SUMMARY_BEGIN} and {@link #SUMMARY_END}. The database password is never part
 * of it: the runner reads it from Parameter Store with the host's role.
 *
 * <p>The host directory ({@code dbdeploy.ssm.hostDirectory}, default {@code /var/lib/dbdeploy}, or {@code DBDEPLOY_HOME}
 * in the agent's environment) holds a cache of runner jars that root executes, so the script refuses one that another
 * user could change: a symbolic link, a directory owned by another user or writable by group or others, or one under a
 * parent that a user other than root could rename. The jar it runs is the copy in this run's own directory, checked
 * after it was copied, so swapping the cached file after the check changes nothing.
 *
 * <p>Exit codes of the script itself: 10 a tool is missing, 11 no Java 17+, 12 the host directory is unsafe or cannot be
 * made, 13 a download failed, 14 a downloaded file does not match its SHA-256; otherwise the runner's code.
 */
public final class HostScript {
    public static final String SUMMARY_BEGIN = "----- BEGIN dbdeploy summary.json -----";
    public static final String SUMMARY_END = "----- END dbdeploy summary.json -----";
    public static final String DEFAULT_HOST_DIRECTORY = "/var/lib/dbdeploy";
    static final String SETTINGS_END = "DBDEPLOY_SETTINGS_END";

    private HostScript() {
    }

    /**
     * A file the host downloads.
     *
     * @param source   what the host fetches: a presigned URL, or the {@code s3://} URI with {@link DownloadMode#HOST_ROLE}
     * @param location where it is in S3, for messages
     */
    public record Download(String source, String sha256, String location) {
        public Download {
            if (source.indexOf('\'') >= 0 || location.indexOf('\'') >= 0) {
                throw new IllegalArgumentException("a quote in a URL would break the host script");
            }
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a lower-case SHA-256: " + sha256);
            }
        }
    }

    /**
     * How the host fetches: the mode, and for {@link DownloadMode#HOST_ROLE} the bucket's region and the S3 endpoint
     * override (null for AWS's own) that the AWS CLI on the host is given.
     */
    public record Fetch(DownloadMode mode, String region, String endpoint) {
        public Fetch {
            if (region != null && !region.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("not a region name: " + region);
            }
            if (endpoint != null && !endpoint.matches("https?://[A-Za-z0-9.:/_-]+")) {
                throw new IllegalArgumentException("not a plain http(s) endpoint: " + endpoint);
            }
        }

        public static Fetch presigned() {
            return new Fetch(DownloadMode.PRESIGNED, null, null);
        }

        public static Fetch hostRole(String region, String endpoint) {
            return new Fetch(DownloadMode.HOST_ROLE, region, endpoint);
        }
    }

    public static List<String> lines(String title, String hostDirectory, Fetch fetch, Download runner, Download bundle,
                                     Properties settings) {
        if (!hostDirectory.matches("/[A-Za-z0-9._/-]*")) {
            throw new IllegalArgumentException("host directory must be a plain absolute path: " + hostDirectory);
        }
        boolean hostRole = fetch.mode() == DownloadMode.HOST_ROLE;
        List<String> s = new ArrayList<>();
        s.add("# " + title.replaceAll("[\\r\\n]", " "));
        s.add("# Holds no secret: the host reads the database password from Parameter Store with its own role.");
        s.add("set -u");
        s.add("umask 077");
        // A host may pin its own directory with DBDEPLOY_HOME in the SSM agent's environment.
        s.add("DBDEPLOY_HOME=\"${DBDEPLOY_HOME:-" + hostDirectory + "}\"");
        s.add("fail() { code=$1; shift; echo \"dbdeploy: $*\" >&2; exit \"$code\"; }");
        s.add("for tool in " + (hostRole ? "" : "curl ") + "sha256sum mktemp stat id awk; do");
        s.add("  command -v \"$tool\" >/dev/null 2>&1 || fail 10 \"$tool is required on this host and was not found"
                + " (PATH=$PATH). Install it and run again. Nothing was changed.\"");
        s.add("done");
        if (hostRole) {
            s.add("command -v aws >/dev/null 2>&1 || fail 10 \"" + PropertyNames.SSM_DOWNLOAD + "=host-role downloads with"
                    + " the AWS CLI and this host has none (PATH=$PATH). Install it (Amazon Linux: dnf install -y awscli;"
                    + " Debian/Ubuntu: apt-get install -y awscli), or set " + PropertyNames.SSM_DOWNLOAD + "=presigned."
                    + " Nothing was changed.\"");
        }
        s.add("JAVA=''");
        s.add("if [ -n \"${JAVA_HOME:-}\" ] && [ -x \"$JAVA_HOME/bin/java\" ]; then JAVA=\"$JAVA_HOME/bin/java\";"
                + " else JAVA=$(command -v java 2>/dev/null || true); fi");
        s.add("[ -n \"$JAVA\" ] || fail 11 \"Java 17 or newer is required on this host and none was found (PATH=$PATH,"
                + " JAVA_HOME=${JAVA_HOME:-unset}). Install it (Amazon Linux: dnf install -y java-17-amazon-corretto-headless;"
                + " Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) and run again. Nothing was changed.\"");
        s.add("JAVA_VERSION=$(\"$JAVA\" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}')");
        s.add("case \"$JAVA_VERSION\" in ''|1.*|9|1[0-6]) fail 11 \"Java 17 or newer is required on this host; $JAVA is"
                + " version ${JAVA_VERSION:-unknown}. Install Java 17+ and run again. Nothing was changed.\";; esac");
        s.addAll(directoryChecks());
        s.add("RUN=$(mktemp -d \"$DBDEPLOY_HOME/run-XXXXXXXX\") || fail 12 \"cannot create a run directory in $DBDEPLOY_HOME.\"");
        s.add("trap 'rm -rf \"$RUN\"' EXIT");
        s.add("download() {");
        if (hostRole) {
            s.add("  aws s3 cp --only-show-errors --region '" + fetch.region() + "'"
                    + (fetch.endpoint() == null ? "" : " --endpoint-url '" + fetch.endpoint() + "'")
                    + " \"$1\" \"$3\" >/dev/null 2>\"$RUN/download.err\" || fail 13 \"cannot download the $4 from $5 with"
                    + " this host's own AWS credentials (" + PropertyNames.SSM_DOWNLOAD + "=host-role): $(cat \"$RUN/download.err\")."
                    + " Give the host's instance role s3:GetObject on $5 and check that it can reach S3, or set "
                    + PropertyNames.SSM_DOWNLOAD + "=presigned. Nothing was changed.\"");
        } else {
            s.add("  curl -fsS --retry 3 --connect-timeout 20 -o \"$3\" \"$1\" 2>\"$RUN/download.err\" || fail 13 \"cannot"
                    + " download the $4 from $5: $(cat \"$RUN/download.err\"). Check that the presigned URL has not expired"
                    + " (raise " + PropertyNames.SSM_DELIVERY_TIMEOUT_SECONDS + "; with temporary CI credentials it also ends"
                    + " when they expire, which " + PropertyNames.SSM_DOWNLOAD + "=host-role avoids) and that this host can"
                    + " reach S3. Nothing was changed.\"");
        }
        s.add("  actual=$(sha256sum \"$3\" | awk '{print $1}')");
        s.add("  [ \"$actual\" = \"$2\" ] || { rm -f \"$3\"; fail 14 \"the $4 from $5 has SHA-256 $actual, not $2: it was"
                + " changed or damaged in S3 after upload. Nothing was run. Delete $5 and deploy again to upload it anew.\"; }");
        s.add("}");
        // The cache only saves a download: the jar that runs is this run's own copy, checked after copying.
        s.add("RUNNER=\"$RUN/runner.jar\"");
        s.add("CACHED=\"$DBDEPLOY_HOME/runners/dbdeploy-runner-" + runner.sha256() + ".jar\"");
        s.add("if [ -f \"$CACHED\" ] && cp \"$CACHED\" \"$RUNNER\" 2>/dev/null"
                + " && [ \"$(sha256sum \"$RUNNER\" | awk '{print $1}')\" = '" + runner.sha256() + "' ]; then");
        s.add("  :");
        s.add("else");
        s.add("  rm -f \"$RUNNER\"");
        s.add("  download '" + runner.source() + "' '" + runner.sha256() + "' \"$RUNNER\" 'runner jar' '"
                + runner.location() + "'");
        s.add("  { cp \"$RUNNER\" \"$CACHED.part\" && mv -f \"$CACHED.part\" \"$CACHED\"; } 2>/dev/null || { rm -f \"$CACHED.part\";"
                + " echo \"dbdeploy: could not cache the runner jar in $DBDEPLOY_HOME/runners; the next run downloads it again.\" >&2; }");
        s.add("fi");
        s.add("download '" + bundle.source() + "' '" + bundle.sha256() + "' \"$RUN/bundle.tar.gz\" 'bundle' '"
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

    /**
     * Makes the host directory and its runner cache if missing, then refuses them unless only this user (root, under
     * SSM) can change them: a directory that someone else can write, rename or redirect would let them replace the
     * runner jar between its check and its start. Parents may be shared only with the sticky bit (as /tmp and /var/tmp
     * are), which stops other users from renaming what they do not own.
     */
    private static List<String> directoryChecks() {
        String fix = " Nothing was changed.";
        List<String> s = new ArrayList<>();
        s.add("ME=$(id -u)");
        s.add("own_dir() {");
        s.add("  if [ -L \"$1\" ]; then fail 12 \"$1 is a symbolic link, and dbdeploy runs code from it as uid $ME: whoever"
                + " controls the link controls that code. Remove the link (rm '$1') so dbdeploy creates a real directory,"
                + " or set " + PropertyNames.SSM_HOST_DIRECTORY + " to a directory owned by uid $ME." + fix + "\"; fi");
        s.add("  [ -d \"$1\" ] || fail 12 \"$1 is not a directory. Remove it, or set " + PropertyNames.SSM_HOST_DIRECTORY
                + " to another path." + fix + "\"");
        s.add("  owner=$(stat -c %u \"$1\"); perm=$(stat -c %A \"$1\")");
        s.add("  [ \"$owner\" = \"$ME\" ] || fail 12 \"$1 is owned by uid $owner, not by uid $ME that runs dbdeploy: that"
                + " user could replace the runner jar before it runs. Remove the directory (after checking what is in it) so"
                + " dbdeploy creates its own, or set " + PropertyNames.SSM_HOST_DIRECTORY + " to a directory owned by uid $ME."
                + fix + "\"");
        s.add("  case \"$perm\" in ?????w????|????????w?) fail 12 \"$1 is writable by group or others ($perm): they could"
                + " replace the runner jar before it runs as uid $ME. Run chmod go-w '$1' (after checking what is in it), or set "
                + PropertyNames.SSM_HOST_DIRECTORY + " to a directory only uid $ME can write." + fix + "\";; esac");
        s.add("}");
        s.add("parents() {");
        s.add("  d=$(dirname \"$1\")");
        s.add("  while :; do");
        s.add("    owner=$(stat -c %u \"$d\"); perm=$(stat -c %A \"$d\")");
        s.add("    if [ \"$owner\" != 0 ] && [ \"$owner\" != \"$ME\" ]; then fail 12 \"$d, a parent of $1, is owned by uid"
                + " $owner, who could move $1 aside and put another in its place. Set " + PropertyNames.SSM_HOST_DIRECTORY
                + " to a directory whose parents belong to root, such as " + DEFAULT_HOST_DIRECTORY + "." + fix + "\"; fi");
        s.add("    case \"$perm\" in ?????????[tT]) ;; ?????w????|????????w?) fail 12 \"$d, a parent of $1, is writable by"
                + " group or others ($perm) without the sticky bit, so they could move $1 aside and put another in its"
                + " place. Set " + PropertyNames.SSM_HOST_DIRECTORY + " to a directory whose parents only root can write,"
                + " such as " + DEFAULT_HOST_DIRECTORY + "." + fix + "\";; esac");
        s.add("    [ \"$d\" = / ] && break");
        s.add("    d=$(dirname \"$d\")");
        s.add("  done");
        s.add("}");
        s.add("if [ ! -e \"$DBDEPLOY_HOME\" ] && [ ! -L \"$DBDEPLOY_HOME\" ]; then mkdir -p \"$DBDEPLOY_HOME\" || fail 12"
                + " \"cannot create $DBDEPLOY_HOME on this host.\"; fi");
        s.add("own_dir \"$DBDEPLOY_HOME\"");
        // The parents that count are those of the physical path: a root-owned link such as /var/run is fine.
        s.add("REAL_HOME=$(cd -P \"$DBDEPLOY_HOME\" && pwd -P) || fail 12 \"cannot enter $DBDEPLOY_HOME on this host.\"");
        s.add("parents \"$REAL_HOME\"");
        s.add("[ -e \"$DBDEPLOY_HOME/runners\" ] || [ -L \"$DBDEPLOY_HOME/runners\" ] || mkdir \"$DBDEPLOY_HOME/runners\""
                + " || fail 12 \"cannot create $DBDEPLOY_HOME/runners on this host.\"");
        s.add("own_dir \"$DBDEPLOY_HOME/runners\"");
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
