package io.github.dbdeploy.remote;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.remote.testing.FakeAws;
import io.github.dbdeploy.remote.testing.RunnerLauncher;

/** Shared by the remote tests: CI credentials for this JVM, the runner launcher, a recording Progress. */
final class RemoteTestSupport {
    private static RunnerJar runner;

    private RemoteTestSupport() {
    }

    static synchronized RunnerJar runner(Path tmp) {
        if (runner == null) {
            FakeAws.ciCredentials().forEach(System::setProperty);
            // Under target/, not a test's temporary directory: it outlives every test class of this JVM.
            runner = RunnerJar.of(RunnerLauncher.build(Path.of("target", "runner-launcher").toAbsolutePath()));
        }
        return runner;
    }

    /** Collects every line, and echoes them so Surefire shows what a user would see. */
    static final class Lines implements Progress {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void info(String line) {
            lines.add(line);
            System.out.println("[INFO] " + line);
        }

        @Override
        public void warn(String line) {
            lines.add("WARNING: " + line);
            System.out.println("[WARNING] " + line);
        }

        String text() {
            return String.join("\n", lines);
        }
    }

    static RemoteResult run(FakeAws aws, Map<String, String> props, Path project, String command, Progress progress) {
        RemoteSettings settings = RemoteSettings.from(props, project);
        try (AwsClients clients = AwsClients.create(settings)) {
            return new RemoteDeploy(settings, clients, progress).run(Command.of(command), runner(aws.root()), "0.1.0-test", project,
                    project.resolve("target/dbdeploy"));
        }
    }
}
