package io.github.dbdeploy.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import io.github.dbdeploy.engine.ChangelogFingerprint;
import io.github.dbdeploy.engine.ChangelogFingerprint.FileHash;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * Builds the bundle: a tar.gz of the manifest, every file under the changelog root (the directory of the master
 * changelog, which is Liquibase's search path, so every file a changelog can include; or a directory changelog
 * itself) and the post-deploy checks file, if any. Reproducible: entries sorted,
 * one fixed time, owner 0/0 without names, mode 0644, no directory entries; the same inputs give the same bytes.
 */
public final class BundleWriter {
    /** 1980-01-01T00:00:00Z, the time every entry carries (as in reproducible Maven jars). */
    static final FileTime ENTRY_TIME = FileTime.from(Instant.parse("1980-01-01T00:00:00Z"));

    private BundleWriter() {
    }

    /**
     * @param changelog     the master changelog file, or a directory of migrations (a directory changelog)
     * @param checks        the {@code dbdeploy.checks} file, or null; the hosts run it after the last changeset as a
     *                      local migrate would
     * @param changelogRoot how the root is shown in the manifest (e.g. its path relative to the project)
     * @param pluginVersion the dbdeploy version that built it
     * @param gitCommit     the project's commit, or null
     * @param target        the archive to write (replaced)
     */
    public static Bundle write(Path changelog, Path checks, String changelogRoot, String pluginVersion, String gitCommit,
                               Path target) {
        if (checks != null && !Files.isRegularFile(checks)) {
            throw DbdeployException.configuration("dbdeploy.checks names " + checks + ", which is not a file. Point it"
                    + " at the SQL file of post-deploy checks (relative to the project directory), or unset it.");
        }
        Path master = changelog.toAbsolutePath().normalize();
        boolean directory = Files.isDirectory(master);
        if (!directory && !Files.isRegularFile(master)) {
            throw DbdeployException.configuration("changelog " + master + " does not exist: set dbdeploy.changelog"
                    + " to the master changelog file or to a directory of migrations");
        }
        Path root = directory ? master : master.getParent();
        List<FileHash> hashes = ChangelogFingerprint.files(root);
        List<BundleManifest.Entry> entries = new ArrayList<>(hashes.size());
        try {
            for (FileHash h : hashes) {
                entries.add(new BundleManifest.Entry(h.relativePath(), h.sha256(), Files.size(root.resolve(h.relativePath()))));
            }
            BundleManifest.Entry checksEntry = checks == null ? null : new BundleManifest.Entry(
                    checks.getFileName().toString(), ChangelogFingerprint.sha256(checks), Files.size(checks));
            BundleManifest manifest = new BundleManifest(directory ? BundleManifest.DIRECTORY_CHANGELOG
                    : root.relativize(master).toString().replace('\\', '/'),
                    changelogRoot, pluginVersion, gitCommit, entries, checksEntry);
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path partial = target.resolveSibling(target.getFileName() + ".part");
            try (OutputStream file = Files.newOutputStream(partial);
                 GZIPOutputStream gzip = new GZIPOutputStream(file, 64 * 1024);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip, StandardCharsets.UTF_8.name())) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                byte[] json = manifest.toJson().getBytes(StandardCharsets.UTF_8);
                tar.putArchiveEntry(entry(BundleManifest.ENTRY, json.length));
                tar.write(json);
                tar.closeArchiveEntry();
                for (BundleManifest.Entry e : entries) {
                    tar.putArchiveEntry(entry(BundleManifest.CHANGELOG_DIR + "/" + e.path(), e.size()));
                    Files.copy(root.resolve(e.path()), tar);
                    tar.closeArchiveEntry();
                }
                if (checksEntry != null) {
                    tar.putArchiveEntry(entry(BundleManifest.CHECKS_DIR + "/" + checksEntry.path(), checksEntry.size()));
                    Files.copy(checks, tar);
                    tar.closeArchiveEntry();
                }
                tar.finish();
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            return new Bundle(target, ChangelogFingerprint.sha256(target), Files.size(target), manifest);
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot write the bundle " + target + ": " + e.getMessage(), e);
        }
    }

    private static TarArchiveEntry entry(String name, long size) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(size);
        e.setMode(0100644);
        e.setIds(0, 0);
        e.setUserName("");
        e.setGroupName("");
        e.setLastModifiedTime(ENTRY_TIME);
        return e;
    }
}
