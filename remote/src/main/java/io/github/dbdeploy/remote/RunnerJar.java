package io.github.dbdeploy.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.github.dbdeploy.engine.ChangelogFingerprint;
import io.github.dbdeploy.engine.DbdeployException;

/** The self-contained runner jar shipped to hosts, with its SHA-256 (its name in S3). */
public record RunnerJar(Path file, String sha256, long size) {
    /** Where the build puts the runner's -host.jar inside the dbdeploy-remote jar. */
    public static final String RESOURCE = "META-INF/dbdeploy/dbdeploy-runner.jar";

    public static RunnerJar of(Path file) {
        if (!Files.isRegularFile(file)) {
            throw DbdeployException.configuration("The runner jar " + file + " does not exist.");
        }
        try {
            return new RunnerJar(file, ChangelogFingerprint.sha256(file), Files.size(file));
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot read the runner jar " + file + ": " + e.getMessage(), e);
        }
    }

    /** Copies the runner jar carried inside this library to {@code directory} and returns it. */
    public static RunnerJar embedded(Path directory) {
        try (InputStream in = RunnerJar.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw DbdeployException.runtime("This build of dbdeploy-remote carries no runner jar (" + RESOURCE
                        + " is missing from its class path). Build it with mvn install, which embeds the runner.");
            }
            Files.createDirectories(directory);
            Path target = directory.resolve("dbdeploy-runner.jar");
            Path partial = directory.resolve("dbdeploy-runner.jar.part");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            return of(target);
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot write the runner jar to " + directory + ": " + e.getMessage(), e);
        }
    }
}
