package io.github.dbdeploy.runner;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import io.github.dbdeploy.engine.ChangelogFingerprint;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * Checks and unpacks a bundle on the host, before anything runs: the archive's own SHA-256, then every entry
 * (only plain files and directories with relative names inside the bundle: no {@code ..}, no absolute paths, no
 * links or devices, no duplicates, nothing outside {@code changelog/} and {@code checks/} but the manifest), then every
 * file against the manifest's SHA-256, with nothing missing and nothing extra. Any problem throws with the reason; the
 * fresh directory is then left incomplete and must not be used.
 */
public final class BundleReader {
    /** An upper bound on what a bundle may unpack to, so a crafted archive cannot fill the host's disk. */
    static final long MAX_UNPACKED_BYTES = 512L * 1024 * 1024;

    private BundleReader() {
    }

    /**
     * The unpacked bundle: its manifest, the master changelog (or the directory changelog) inside it, and its
     * post-deploy checks file, or null.
     */
    public record Unpacked(BundleManifest manifest, Path changelogRoot, Path changelog, Path checks) {
    }

    public static void verifySha256(Path archive, String expectedSha256) {
        String actual = ChangelogFingerprint.sha256(archive);
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw BundleManifest.rejected(archive.getFileName() + " has SHA-256 " + actual + " but " + expectedSha256
                    + " was expected: it was changed or damaged after it was built. Delete the copy in S3 and run again"
                    + " to upload it anew");
        }
    }

    /** Unpacks {@code archive} into {@code directory}, which must not exist yet or be empty. */
    public static Unpacked unpack(Path archive, Path directory) {
        try {
            Files.createDirectories(directory);
            try (Stream<Path> existing = Files.list(directory)) {
                if (existing.findAny().isPresent()) {
                    throw DbdeployException.runtime("Cannot unpack the bundle into " + directory
                            + ": the directory is not empty. Each run needs a fresh directory.");
                }
            }
            Path dir = directory.toRealPath();
            Set<String> seen = new HashSet<>();
            long total = 0;
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)), 64 * 1024);
                 TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name())) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    String name = checkName(e.getName());
                    if (!seen.add(stripSlash(name))) {
                        throw BundleManifest.rejected("it holds " + name + " twice");
                    }
                    checkType(e, name);
                    Path target = dir.resolve(stripSlash(name)).normalize();
                    if (!target.startsWith(dir) || target.equals(dir)) {
                        throw BundleManifest.rejected("entry " + name + " points outside the bundle");
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    if (!name.equals(BundleManifest.ENTRY) && !name.startsWith(BundleManifest.CHANGELOG_DIR + "/")
                            && !name.startsWith(BundleManifest.CHECKS_DIR + "/")) {
                        throw BundleManifest.rejected("entry " + name + " is neither the manifest nor under "
                                + BundleManifest.CHANGELOG_DIR + "/ or " + BundleManifest.CHECKS_DIR + "/");
                    }
                    total += e.getSize();
                    if (total > MAX_UNPACKED_BYTES) {
                        throw BundleManifest.rejected("it unpacks to more than " + MAX_UNPACKED_BYTES / (1024 * 1024) + " MiB");
                    }
                    Files.createDirectories(target.getParent());
                    if (!target.getParent().toRealPath().startsWith(dir)) {
                        throw BundleManifest.rejected("entry " + name + " points outside the bundle");
                    }
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        tar.transferTo(out);
                    }
                }
            }
            Path manifestFile = dir.resolve(BundleManifest.ENTRY);
            if (!Files.isRegularFile(manifestFile)) {
                throw BundleManifest.rejected("it has no " + BundleManifest.ENTRY);
            }
            BundleManifest manifest = BundleManifest.parse(Files.readString(manifestFile, StandardCharsets.UTF_8));
            Path root = dir.resolve(BundleManifest.CHANGELOG_DIR);
            verifyFiles(manifest.files(), root);
            Path checksDir = dir.resolve(BundleManifest.CHECKS_DIR);
            verifyFiles(manifest.checks() == null ? List.of() : List.of(manifest.checks()), checksDir);
            return new Unpacked(manifest, root,
                    manifest.isDirectoryChangelog() ? root : root.resolve(manifest.changelog()),
                    manifest.checks() == null ? null : checksDir.resolve(manifest.checks().path()));
        } catch (IOException e) {
            throw BundleManifest.rejected("it cannot be read as a tar.gz archive (" + e.getMessage() + ")");
        }
    }

    /** The files under {@code root} must be exactly {@code listed}, each with its SHA-256. */
    private static void verifyFiles(List<BundleManifest.Entry> listed, Path root) {
        Map<String, String> actual = new TreeMap<>();
        if (Files.isDirectory(root)) {
            ChangelogFingerprint.files(root).forEach(f -> actual.put(f.relativePath(), f.sha256()));
        }
        for (BundleManifest.Entry f : listed) {
            checkName(f.path());
            String sha = actual.remove(f.path());
            if (sha == null) {
                throw BundleManifest.rejected("the manifest lists " + f.path() + ", which is missing");
            }
            if (!sha.equalsIgnoreCase(f.sha256())) {
                throw BundleManifest.rejected(f.path() + " has SHA-256 " + sha + " but the manifest says " + f.sha256());
            }
        }
        if (!actual.isEmpty()) {
            throw BundleManifest.rejected("it holds files the manifest does not list: " + List.copyOf(actual.keySet()));
        }
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw BundleManifest.rejected("it has an entry without a name");
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            throw BundleManifest.rejected("entry " + name + " has an absolute path");
        }
        if (name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            throw BundleManifest.rejected("entry " + name + " has a backslash or NUL in its name");
        }
        for (String segment : stripSlash(name).split("/", -1)) {
            if (segment.equals("..")) {
                throw BundleManifest.rejected("entry " + name + " climbs out of the bundle with '..'");
            }
            if (segment.isEmpty() || segment.equals(".")) {
                throw BundleManifest.rejected("entry " + name + " is not a plain relative path");
            }
        }
        return name;
    }

    private static void checkType(TarArchiveEntry e, String name) {
        if (e.isSymbolicLink()) {
            throw BundleManifest.rejected("entry " + name + " is a symbolic link (to " + e.getLinkName() + ")");
        }
        if (e.isLink()) {
            throw BundleManifest.rejected("entry " + name + " is a hard link (to " + e.getLinkName() + ")");
        }
        byte flag = e.getLinkFlag();
        boolean plainFile = flag == '0' || flag == 0;
        boolean directory = flag == '5';
        if (!plainFile && !directory || e.isSparse()) {
            throw BundleManifest.rejected("entry " + name + " is not a plain file or directory (tar type '"
                    + (flag == 0 ? "\\0" : String.valueOf((char) flag)) + "': a device, FIFO or other special entry)");
        }
    }

    private static String stripSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }
}
