package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.TestDatabases;
import io.github.dbdeploy.remote.testing.FakeAws;
import io.github.dbdeploy.remote.testing.SampleChangelog;

/**
 * Prints the remote overhead with the real shaded runner jar (as shipped to hosts), when the runner module has been
 * packaged: the whole remote migrate minus the host-side engine time, for a first deploy (runner and bundle uploaded,
 * runner downloaded by the host) and a repeat deploy (nothing uploaded, runner cached on the host). A measurement,
 * not a timed assertion.
 */
class RemoteOverheadTest {
    static Optional<Path> shadedRunner() throws IOException {
        Path target = Path.of("..", "runner", "target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-host.jar")).findFirst();
        }
    }

    @Test
    void measuresTheOverheadOfARemoteMigrate(@TempDir Path tmp) throws Exception {
        Optional<Path> jar = shadedRunner();
        Assumptions.assumeTrue(jar.isPresent(), "runner/target has no -host.jar yet (run mvn install once); not measured");
        RemoteTestSupport.runner(tmp); // CI credentials for this JVM
        try (FakeAws aws = new FakeAws(tmp.resolve("aws"))) {
            aws.ssm().addHost("i-0f00000000000001");
            aws.ssm().putParameter("/app/prod/db-password", "irrelevant-under-trust-auth");
            Path project = tmp.resolve("project");
            Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
            Map<String, String> p = aws.properties();
            p.put("dbdeploy.env", "prod");
            p.put("dbdeploy.url", TestDatabases.newDatabase("overhead"));
            p.put("dbdeploy.password", "ssm:/app/prod/db-password");
            p.put("dbdeploy.changelog", changelog.toString());
            p.put("dbdeploy.ssm.instanceIds", "i-0f00000000000001");
            RunnerJar runner = RunnerJar.of(jar.get());
            RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
            StringBuilder figures = new StringBuilder("PERF remote migrate with the shaded runner ("
                    + runner.size() / 1024 + " KiB), in-process S3/SSM, poll 100 ms:");
            for (String label : new String[] {"first", "repeat"}) {
                RemoteSettings settings = RemoteSettings.from(p, project);
                long t0 = System.nanoTime();
                RemoteResult r;
                try (AwsClients clients = AwsClients.create(settings)) {
                    r = new RemoteDeploy(settings, clients, out).run(Command.MIGRATE, runner, "perf", project,
                            project.resolve("target/dbdeploy"));
                }
                long total = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(r.succeeded(), out.text());
                long shell = aws.ssm().hostWallMillis(r.commandId(), "i-0f00000000000001");
                figures.append(String.format(" %s deploy %d ms = host engine %d ms + overhead %d ms (host script %d ms,"
                                + " of it outside the engine %d ms; bundle %d bytes, uploaded %s, runner uploaded %s);",
                        label, total, r.hostEngineMs(), total - r.hostEngineMs(), shell, shell - r.hostEngineMs(),
                        r.bundleBytes(), r.bundleUploaded(), r.runnerUploaded()));
                if (label.equals("repeat")) {
                    assertFalse(r.bundleUploaded() || r.runnerUploaded());
                }
            }
            System.out.println(figures);
        }
    }
}
