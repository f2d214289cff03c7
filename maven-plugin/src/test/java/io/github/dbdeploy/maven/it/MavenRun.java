package io.github.dbdeploy.maven.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts real Maven processes from verify scripts, for what a single invoker build cannot show: two deploys at
 * once, or a deploy killed with SIGKILL. Uses the same Maven and the ITs' local repository, offline.
 */
public final class MavenRun {
    private final Process process;
    private final Path log;

    private MavenRun(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static MavenRun start(File basedir, String localRepository, String logName, String... args)
            throws IOException {
        String mavenHome = System.getProperty("maven.home");
        List<String> command = new ArrayList<>();
        command.add(mavenHome == null ? "mvn" : mavenHome + "/bin/mvn");
        command.add("-B");
        command.add("-o");
        command.add("-Dmaven.repo.local=" + localRepository);
        command.add("-s");
        command.add(writeSettings(basedir.toPath(), localRepository).toString());
        command.addAll(List.of(args));
        Path log = basedir.toPath().resolve(logName);
        Process p = new ProcessBuilder(command).directory(basedir).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new MavenRun(p, log);
    }

    /**
     * The invoker installed our plugin into the local repository as coming from repository "local.central";
     * Maven only trusts it when a build declares that repository too, as the ITs' settings.xml does.
     */
    private static Path writeSettings(Path basedir, String localRepository) throws IOException {
        String url = Path.of(localRepository).toUri().toString();
        String repo = "<id>local.central</id><url>" + url + "</url>"
                + "<releases><enabled>true</enabled></releases><snapshots><enabled>true</enabled></snapshots>";
        Path settings = basedir.resolve("run-settings.xml");
        Files.writeString(settings, "<settings><profiles><profile><id>it-repo</id>"
                + "<activation><activeByDefault>true</activeByDefault></activation>"
                + "<repositories><repository>" + repo + "</repository></repositories>"
                + "<pluginRepositories><pluginRepository>" + repo + "</pluginRepository></pluginRepositories>"
                + "</profile></profiles></settings>");
        return settings;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process; returns its exit code. */
    public int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("Maven did not finish within " + seconds + " s; see " + log);
        }
        return process.exitValue();
    }

    /** SIGKILL: the JVM gets no chance to clean up, as when a CI agent dies. */
    public void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String log() throws IOException {
        return Files.readString(log);
    }
}
