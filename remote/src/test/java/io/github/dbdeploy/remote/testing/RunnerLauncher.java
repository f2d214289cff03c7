package io.github.dbdeploy.remote.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A stand-in for the shaded runner jar during this module's tests (which run before the shaded jar is packaged):
 * a jar whose manifest starts {@code io.github.dbdeploy.runner.RunnerMain} with the test class path, so the host
 * still runs {@code java -jar dbdeploy-runner.jar} with the real runner, engine, Liquibase and JDBC driver.
 */
public final class RunnerLauncher {
    private RunnerLauncher() {
    }

    public static Path build(Path directory) {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isBlank() || e.contains("junit") || e.contains("s3proxy") || e.contains("jetty")
                    || e.contains("surefire")) {
                continue;
            }
            Path p = Path.of(e).toAbsolutePath();
            if (p.getFileName().toString().startsWith("dbdeploy-") && Files.isRegularFile(p)) {
                // A snapshot of our own jars: another build may reinstall them in ~/.m2 while the hosts run.
                try {
                    Path copy = directory.resolve("lib").resolve(p.getFileName());
                    Files.createDirectories(copy.getParent());
                    Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    p = copy;
                } catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }
            entries.add(p.toUri().toString());
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.github.dbdeploy.runner.RunnerMain");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
        try {
            Files.createDirectories(directory);
            Path jar = directory.resolve("dbdeploy-runner-launcher.jar");
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
                j.finish();
            }
            return jar;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
