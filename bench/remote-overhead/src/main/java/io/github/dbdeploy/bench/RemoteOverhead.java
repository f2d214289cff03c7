package io.github.dbdeploy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.TestDatabases;
import io.github.dbdeploy.remote.AwsClients;
import io.github.dbdeploy.remote.RemoteDeploy;
import io.github.dbdeploy.remote.RemoteResult;
import io.github.dbdeploy.remote.RemoteSettings;
import io.github.dbdeploy.remote.RunnerJar;
import io.github.dbdeploy.remote.testing.FakeAws;
import io.github.dbdeploy.remote.testing.SampleChangelog;

/**
 * What remote execution costs on top of the engine: a remote migrate through in-process S3 and SSM (real protocols, a
 * poll every 100 ms) with the runner jar dbdeploy ships, minus the engine's own time on the host. Each run is a first
 * deploy (a fresh S3 prefix and a fresh host: runner and bundle uploaded, runner downloaded) and then a repeat (nothing
 * uploaded, the runner cached, nothing pending). Prints a Markdown table and the medians.
 *
 * <pre>java -cp ... io.github.dbdeploy.bench.RemoteOverhead [RUNS=3]</pre>
 */
public final class RemoteOverhead {
    private RemoteOverhead() {
    }

    /** One deploy: total wall time, the host engine's time, the host script's wall time. */
    record Figure(String label, long totalMs, long engineMs, long scriptMs, boolean bundleUploaded, boolean runnerUploaded) {
        long overheadMs() {
            return totalMs - engineMs;
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path tmp = Files.createTempDirectory("dbdeploy-remote-overhead");
        FakeAws.ciCredentials().forEach(System::setProperty);
        Progress quiet = new Progress() {
            @Override
            public void info(String line) {
            }

            @Override
            public void warn(String line) {
                System.err.println("WARNING: " + line);
            }
        };
        List<Figure> first = new ArrayList<>();
        List<Figure> repeat = new ArrayList<>();
        RunnerJar runner;
        try (FakeAws aws = new FakeAws(tmp.resolve("aws"))) {
            aws.ssm().putParameter("/app/prod/db-password", "irrelevant-under-trust-auth");
            runner = RunnerJar.embedded(tmp.resolve("runner"));
            for (int run = 1; run <= runs; run++) {
                String host = String.format("i-0b%015d", run);
                aws.ssm().addHost(host);
                Path project = tmp.resolve("project-" + run);
                Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
                Map<String, String> p = aws.properties();
                p.put("dbdeploy.env", "prod");
                p.put("dbdeploy.url", TestDatabases.newDatabase("overhead_" + run));
                p.put("dbdeploy.password", "ssm:/app/prod/db-password");
                p.put("dbdeploy.changelog", changelog.toString());
                p.put("dbdeploy.ssm.instanceIds", host);
                p.put("dbdeploy.s3.prefix", "run-" + run);
                first.add(deploy("first", aws, p, project, runner, host, quiet));
                repeat.add(deploy("repeat", aws, p, project, runner, host, quiet));
            }
        }
        System.out.printf("%nRemote migrate overhead: runner jar %d KiB (as shipped), in-process S3 and SSM, poll 100 ms,"
                + " %d run(s)%n%n", runner.size() / 1024, runs);
        System.out.println("| deploy | total ms | host engine ms | overhead ms | host script ms | script outside engine ms"
                + " | uploaded |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int i = 0; i < runs; i++) {
            for (Figure f : List.of(first.get(i), repeat.get(i))) {
                System.out.printf("| %s %d | %d | %d | %d | %d | %d | %s |%n", f.label(), i + 1, f.totalMs(), f.engineMs(),
                        f.overheadMs(), f.scriptMs(), f.scriptMs() - f.engineMs(),
                        f.bundleUploaded() || f.runnerUploaded()
                                ? (f.runnerUploaded() ? "runner" : "") + (f.bundleUploaded() ? " bundle" : "") : "nothing");
            }
        }
        System.out.printf("%nmedian overhead: first deploy %d ms, repeat deploy %d ms%n",
                median(first.stream().mapToLong(Figure::overheadMs).toArray()),
                median(repeat.stream().mapToLong(Figure::overheadMs).toArray()));
        System.exit(0); // the embedded PostgreSQL and S3Proxy leave non-daemon threads behind
    }

    static Figure deploy(String label, FakeAws aws, Map<String, String> p, Path project, RunnerJar runner, String host,
                         Progress progress) {
        RemoteSettings settings = RemoteSettings.from(p, project);
        long t0 = System.nanoTime();
        RemoteResult r;
        try (AwsClients clients = AwsClients.create(settings)) {
            r = new RemoteDeploy(settings, clients, progress).run(Command.MIGRATE, runner, "bench", project,
                    project.resolve("target/dbdeploy"));
        }
        long total = (System.nanoTime() - t0) / 1_000_000;
        if (!r.succeeded()) {
            throw new IllegalStateException("the " + label + " deploy failed: " + r.failureMessage());
        }
        return new Figure(label, total, r.hostEngineMs(), aws.ssm().hostWallMillis(r.commandId(), host),
                r.bundleUploaded(), r.runnerUploaded());
    }

    static long median(long[] values) {
        long[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
