package io.github.dbdeploy.remote;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.github.dbdeploy.runner.Bundle;
import io.github.dbdeploy.runner.BundleWriter;

/** {@code dbdeploy:package}: the bundle of a project's changelog root, written to the output directory. */
public final class Packager {
    public static final String BUNDLE_FILE = "dbdeploy-bundle.tar.gz";

    private Packager() {
    }

    /**
     * @param changelog       the master changelog, or a directory changelog (then the bundle's root itself)
     * @param checks          the post-deploy checks file ({@code dbdeploy.checks}), or null
     * @param baseDirectory   the project directory: the manifest shows the changelog root relative to it, and its git
     *                        commit (when it is in a git work tree) goes into the manifest
     * @param pluginVersion   the dbdeploy version
     * @param outputDirectory where {@value #BUNDLE_FILE} is written (target/dbdeploy)
     */
    public static Bundle bundle(Path changelog, Path checks, Path baseDirectory, String pluginVersion,
                                Path outputDirectory) {
        Path given = changelog.toAbsolutePath().normalize();
        Path root = java.nio.file.Files.isDirectory(given) ? given : given.getParent();
        Path base = baseDirectory.toAbsolutePath().normalize();
        String shownRoot = root.startsWith(base) ? base.relativize(root).toString().replace('\\', '/') : root.toString();
        return BundleWriter.write(changelog, checks, shownRoot.isEmpty() ? "." : shownRoot, pluginVersion,
                gitCommit(base), outputDirectory.resolve(BUNDLE_FILE));
    }

    /** HEAD's commit of the git work tree holding {@code directory}, or null when there is none (or no git). */
    static String gitCommit(Path directory) {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--verify", "-q", "HEAD").directory(directory.toFile())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40,64}") ? out : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
