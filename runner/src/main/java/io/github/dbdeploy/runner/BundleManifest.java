package io.github.dbdeploy.runner;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.github.dbdeploy.engine.JsonMapper;
import io.github.dbdeploy.engine.ChangelogFingerprint.FileHash;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * What a bundle holds: the master changelog (relative to the changelog root, or {@value #DIRECTORY_CHANGELOG} when the
 * changelog is a directory of migrations, which is then the root), where that root was in the project,
 * the plugin version and git commit that built it, every file of the root with its SHA-256 and size, and the
 * post-deploy checks file ({@code dbdeploy.checks}) when the project has one.
 * Stored as {@value #ENTRY} at the top of the archive; the files are under {@value #CHANGELOG_DIR}/, the checks file
 * under {@value #CHECKS_DIR}/ (apart, so that an includeAll of the changelog root never takes it for a migration).
 *
 * @param checks the checks file (its name under {@value #CHECKS_DIR}/), or null
 */
public record BundleManifest(String changelog, String changelogRoot, String pluginVersion, String gitCommit,
                             List<BundleManifest.Entry> files, BundleManifest.Entry checks) {
    public static final String FORMAT = "dbdeploy-bundle/1";
    public static final String ENTRY = "dbdeploy-manifest.json";
    public static final String CHANGELOG_DIR = "changelog";
    public static final String CHECKS_DIR = "checks";
    /** The {@code changelog} of a directory changelog: the bundle's changelog root is the changelog itself. */
    public static final String DIRECTORY_CHANGELOG = ".";

    /** One file of the changelog root. */
    @JsonPropertyOrder({"path", "sha256", "size"})
    public record Entry(String path, String sha256, long size) {
        public FileHash hash() {
            return new FileHash(path, sha256);
        }
    }

    public BundleManifest {
        files = List.copyOf(files);
    }

    /** Whether the changelog is the bundle's whole changelog directory (a directory changelog). */
    public boolean isDirectoryChangelog() {
        return DIRECTORY_CHANGELOG.equals(changelog);
    }

    /** Deterministic JSON: fixed field order, files sorted by path, no timestamps. */
    public String toJson() {
        return JsonMapper.write(new Document(FORMAT, changelog, changelogRoot, pluginVersion, gitCommit, files, checks));
    }

    public static BundleManifest parse(String json) {
        Document d;
        try {
            d = JsonMapper.read(json, Document.class);
        } catch (IllegalArgumentException e) {
            throw rejected("its manifest " + ENTRY + " is malformed (" + e.getMessage() + ")");
        }
        if (!FORMAT.equals(d.format())) {
            throw rejected("its manifest has format " + d.format() + ", this runner reads " + FORMAT
                    + ". Build the bundle with the same dbdeploy version as the runner.");
        }
        if (d.files() == null || d.files().stream().anyMatch(f -> f == null || f.path() == null || f.sha256() == null)) {
            throw rejected("its manifest " + ENTRY + " is malformed (a file without path or sha256)");
        }
        if (d.changelog() == null || !d.changelog().equals(DIRECTORY_CHANGELOG)
                && d.files().stream().noneMatch(f -> f.path().equals(d.changelog()))) {
            throw rejected("its manifest names the master changelog " + d.changelog() + ", which is not in the bundle");
        }
        if (d.checks() != null && (d.checks().path() == null || d.checks().sha256() == null)) {
            throw rejected("its manifest " + ENTRY + " is malformed (a checks file without path or sha256)");
        }
        return new BundleManifest(d.changelog(), d.changelogRoot(), d.pluginVersion(), d.gitCommit(), d.files(),
                d.checks());
    }

    /** The manifest as stored: the format marker first. */
    @JsonPropertyOrder({"format", "changelog", "changelogRoot", "pluginVersion", "gitCommit", "files", "checks"})
    private record Document(String format, String changelog, String changelogRoot, String pluginVersion,
                            String gitCommit, List<Entry> files, Entry checks) {
    }

    static DbdeployException rejected(String why) {
        return DbdeployException.runtime("Bundle rejected: " + why + ". Nothing was run.");
    }
}
