package io.github.dbdeploy.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.dbdeploy.engine.Json;
import io.github.dbdeploy.engine.ChangelogFingerprint.FileHash;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * What a bundle holds: the master changelog (relative to the changelog root), where that root was in the project,
 * the plugin version and git commit that built it, and every file of the root with its SHA-256 and size.
 * Stored as {@value #ENTRY} at the top of the archive; the files are under {@value #CHANGELOG_DIR}/.
 */
public record BundleManifest(String changelog, String changelogRoot, String pluginVersion, String gitCommit,
                             List<BundleManifest.Entry> files) {
    public static final String FORMAT = "dbdeploy-bundle/1";
    public static final String ENTRY = "dbdeploy-manifest.json";
    public static final String CHANGELOG_DIR = "changelog";

    /** One file of the changelog root. */
    public record Entry(String path, String sha256, long size) {
        public FileHash hash() {
            return new FileHash(path, sha256);
        }
    }

    public BundleManifest {
        files = List.copyOf(files);
    }

    /** Deterministic JSON: fixed field order, files sorted by path, no timestamps. */
    public String toJson() {
        StringBuilder b = new StringBuilder(256 + 120 * files.size());
        b.append("{\n");
        b.append("  \"format\": ").append(Json.quote(FORMAT)).append(",\n");
        b.append("  \"changelog\": ").append(Json.quote(changelog)).append(",\n");
        b.append("  \"changelogRoot\": ").append(Json.quote(changelogRoot)).append(",\n");
        b.append("  \"pluginVersion\": ").append(Json.quote(pluginVersion)).append(",\n");
        b.append("  \"gitCommit\": ").append(Json.quote(gitCommit)).append(",\n");
        b.append("  \"files\": [");
        String sep = "\n";
        for (Entry f : files) {
            b.append(sep).append("    {\"path\": ").append(Json.quote(f.path())).append(", \"sha256\": ")
                    .append(Json.quote(f.sha256())).append(", \"size\": ").append(f.size()).append('}');
            sep = ",\n";
        }
        b.append(files.isEmpty() ? "]\n" : "\n  ]\n");
        return b.append("}\n").toString();
    }

    @SuppressWarnings("unchecked")
    public static BundleManifest parse(String json) {
        try {
            Map<String, Object> m = Json.parseObject(json);
            if (!FORMAT.equals(m.get("format"))) {
                throw rejected("its manifest has format " + m.get("format") + ", this runner reads " + FORMAT
                        + ". Build the bundle with the same dbdeploy version as the runner.");
            }
            List<Entry> files = new ArrayList<>();
            for (Object o : (List<Object>) m.get("files")) {
                Map<String, Object> f = (Map<String, Object>) o;
                files.add(new Entry((String) f.get("path"), (String) f.get("sha256"), ((Number) f.get("size")).longValue()));
            }
            String changelog = (String) m.get("changelog");
            if (changelog == null || files.stream().noneMatch(f -> f.path().equals(changelog))) {
                throw rejected("its manifest names the master changelog " + changelog + ", which is not in the bundle");
            }
            return new BundleManifest(changelog, (String) m.get("changelogRoot"), (String) m.get("pluginVersion"),
                    (String) m.get("gitCommit"), files);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw rejected("its manifest " + ENTRY + " is malformed (" + e.getMessage() + ")");
        }
    }

    static DbdeployException rejected(String why) {
        return DbdeployException.runtime("Bundle rejected: " + why + ". Nothing was run.");
    }
}
