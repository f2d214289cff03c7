package io.github.dbdeploy.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.runner.Bundle;

/**
 * The two calls the Maven plugin makes: {@link #execute} for {@code dbdeploy.target=ssm} and {@link #bundle} for
 * {@code dbdeploy:package}. Everything else about remote execution stays behind them.
 */
public final class RemoteExecution {
    private RemoteExecution() {
    }

    /**
     * Runs {@code command} on the hosts named by the settings and writes {@code summary.json|md} to
     * {@code buildDirectory/dbdeploy}. The summary's status says whether every host succeeded; its error names each
     * failed host with its status and reason.
     *
     * @param properties     the effective dbdeploy.* settings of the selected environment
     * @param baseDirectory  the project directory
     * @param buildDirectory the project's target directory
     * @param idPrefix       the prefix of the deployment id when dbdeploy.tag is not set (the project version)
     */
    public static RunSummary execute(Command command, Map<String, String> properties, Path baseDirectory,
                                       Path buildDirectory, String idPrefix, Progress progress) {
        RemoteSettings settings = RemoteSettings.from(properties, baseDirectory);
        Path out = buildDirectory.resolve("dbdeploy");
        RunnerJar runner = RunnerJar.embedded(out);
        RemoteResult result;
        try (AwsClients aws = AwsClients.create(settings)) {
            result = new RemoteDeploy(settings, aws, progress).run(command, runner, version(), baseDirectory, out,
                    idPrefix);
        }
        return result.toSummary();
    }

    /** Writes the bundle of {@code changelog} and {@code checks} (or null) to {@code buildDirectory/dbdeploy}. */
    public static Bundle bundle(Path changelog, Path checks, Path baseDirectory, Path buildDirectory) {
        return Packager.bundle(changelog, checks, baseDirectory, version(), buildDirectory.resolve("dbdeploy"));
    }

    /** This library's version, which is the plugin's: recorded in every bundle's manifest. */
    public static String version() {
        try (InputStream in = RemoteExecution.class.getResourceAsStream(
                "/META-INF/maven/io.github.dbdeploy/dbdeploy-remote/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "development";
    }
}
