package io.github.dbdeploy.runner;

import java.nio.file.Path;

/** A built bundle: the archive, its SHA-256 (its name in S3) and size, and the manifest inside it. */
public record Bundle(Path file, String sha256, long size, BundleManifest manifest) {
}
