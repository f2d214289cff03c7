package io.github.dbdeploy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * SHA-256 of everything that decides what Liquibase would run: every file under the changelog root (paths and
 * contents), the context and label filters, the value of every changelog parameter the files refer to, and the
 * versions of dbdeploy and Liquibase. If it equals the fingerprint of the last successful deployment, and
 * DATABASECHANGELOG has not changed since, nothing can be pending: the no-op deploy, the case of most deployments,
 * skips Liquibase entirely. Changelogs cannot include files outside their root (Liquibase's search path is that
 * root), so every file that could matter is covered.
 */
public final class ChangelogFingerprint {

    /** A file under the root with its own SHA-256; also the content of a bundle manifest. */
    public record FileHash(String relativePath, String sha256) {
    }

    private ChangelogFingerprint() {
    }

    /** A changelog parameter reference, {@code ${name}}, as Liquibase expands it in changelogs and SQL files. */
    private static final Pattern PARAMETER = Pattern.compile("\\$\\{([^}\\s]+)}");

    /**
     * What decides which changesets a run sees: the files under the root, which of them is the master changelog, the
     * directory format, and the filters. A second master beside the first (changelog-base.xml next to changelog.xml)
     * has the same files but not the same changesets.
     */
    public static String of(DeploySettings settings) {
        String master = settings.isDirectoryChangelog() ? ""
                : settings.changelogRoot().relativize(settings.changelog()).toString().replace('\\', '/');
        MessageDigest total = sha256();
        total.update((of(settings.changelogRoot(), settings.contexts(), settings.labels()) + "\nmaster=" + master
                + "\nformat=" + settings.format().id()).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(total.digest());
    }

    /** The fingerprint of a changelog root: parameters as Liquibase reads them, this dbdeploy and this Liquibase. */
    public static String of(Path root, String contexts, String labels) {
        return of(root, contexts, labels, Dbdeploy.toolVersions(), ChangelogFingerprint::parameterValue);
    }

    /**
     * @param toolVersions the dbdeploy and Liquibase versions: a run by another version must not trust a
     *                     fingerprint (a new Liquibase may compute checksums or pick changesets differently)
     * @param parameters   the value of a changelog parameter by name, or null when unset
     */
    static String of(Path root, String contexts, String labels, String toolVersions,
                     Function<String, String> parameters) {
        MessageDigest total = sha256();
        MessageDigest perFile = sha256();
        Set<String> referenced = new TreeSet<>();
        // Each file is read once, for its hash and its parameter references: this runs on every no-op deploy.
        for (Map.Entry<String, Path> file : regularFilesByPath(root).entrySet()) {
            byte[] bytes = readAllBytes(file.getValue());
            total.update(file.getKey().getBytes(StandardCharsets.UTF_8));
            total.update((byte) 0);
            total.update(HexFormat.of().formatHex(perFile.digest(bytes)).getBytes(StandardCharsets.US_ASCII));
            total.update((byte) '\n');
            parameterNames(bytes, referenced);
        }
        StringBuilder rest = new StringBuilder("contexts=").append(Objects.toString(contexts, ""))
                .append("\nlabels=").append(Objects.toString(labels, ""))
                .append("\nversions=").append(toolVersions).append('\n');
        for (String name : referenced) {
            String value = parameters.apply(name);
            rest.append("parameter ").append(name).append(value == null ? " unset" : "=" + value).append('\n');
        }
        total.update(rest.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(total.digest());
    }

    /**
     * Where Liquibase finds a parameter that the changelog does not define itself: an environment variable first,
     * then a system property (for Maven, {@code -Dname=value}). Both are folded in, so either changing is noticed.
     */
    private static String parameterValue(String name) {
        String env = System.getenv(name);
        String property = System.getProperty(name);
        return env == null && property == null ? null : "env:" + env + ",property:" + property;
    }

    private static void parameterNames(byte[] content, Set<String> names) {
        if (!mayReferenceParameter(content)) {
            return; // most files: no text to build, no pattern to run
        }
        // ISO-8859-1 maps every byte to a character, so any encoding (and binary files) can be scanned for ${.
        Matcher m = PARAMETER.matcher(new String(content, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            names.add(m.group(1));
        }
    }

    private static boolean mayReferenceParameter(byte[] content) {
        for (int i = 0; i + 1 < content.length; i++) {
            if (content[i] == '$' && content[i + 1] == '{') {
                return true;
            }
        }
        return false;
    }

    private static byte[] readAllBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every regular file under {@code root}, sorted by path (with '/' separators), each with its SHA-256. */
    public static List<FileHash> files(Path root) {
        List<FileHash> out = new ArrayList<>();
        for (Path p : regularFiles(root)) {
            out.add(new FileHash(relativePath(root, p), sha256(p)));
        }
        return out;
    }

    /** Every regular file under {@code root}, in the order of their paths relative to it (with '/' separators). */
    private static List<Path> regularFiles(Path root) {
        return List.copyOf(regularFilesByPath(root).values());
    }

    /** Every regular file under {@code root} by its path relative to it (with '/' separators), in that order. */
    private static SortedMap<String, Path> regularFilesByPath(Path root) {
        SortedMap<String, Path> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(p -> files.put(relativePath(root, p), p));
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot read the changelog directory " + root + ": " + e.getMessage(), e);
        }
        return files;
    }

    private static String relativePath(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    public static String sha256(Path file) {
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
