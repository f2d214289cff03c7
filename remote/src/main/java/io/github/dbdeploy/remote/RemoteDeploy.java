package io.github.dbdeploy.remote;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.SummaryWriter;
import io.github.dbdeploy.runner.Bundle;

/**
 * {@code migrate}, {@code rollback}, {@code status} or {@code history} on remote hosts: bundle the changelog root,
 * upload it and the runner jar to S3 under their SHA-256 (skipping what is there), send one AWS-RunShellScript
 * command, wait for every host, print their output, and write {@code summary.json|md} with a line per host.
 *
 * <pre>
 * RemoteResult r = new RemoteDeploy(settings, clients, progress).run(Command.MIGRATE, runnerJar, pluginVersion, baseDir, outDir);
 * </pre>
 */
public final class RemoteDeploy {
    /** How long a presigned URL outlives the delivery timeout: a host starts downloading as soon as it starts. */
    static final Duration URL_MARGIN = Duration.ofMinutes(15);
    /** SigV4 presigned URLs are valid for at most seven days. */
    static final Duration URL_MAX = Duration.ofDays(7);

    private final RemoteSettings settings;
    private final AwsClients aws;
    private final Progress progress;

    public RemoteDeploy(RemoteSettings settings, AwsClients aws, Progress progress) {
        this.settings = settings;
        this.aws = aws;
        this.progress = progress;
    }

    /**
     * @param command         migrate, rollback, status or history
     * @param runner          the runner jar to ship
     * @param pluginVersion   recorded in the bundle's manifest
     * @param baseDirectory   the project directory (changelog paths and git commit)
     * @param outputDirectory target/dbdeploy: the bundle and the summary files go there
     */
    public RemoteResult run(Command command, RunnerJar runner, String pluginVersion, Path baseDirectory,
                            Path outputDirectory) {
        return run(command, runner, pluginVersion, baseDirectory, outputDirectory, null);
    }

    /**
     * As {@link #run(Command, RunnerJar, String, Path, Path)}, with the prefix of the deployment id made when
     * {@code dbdeploy.tag} is not set (the Maven plugin passes the project version, as for local runs).
     */
    public RemoteResult run(Command command, RunnerJar runner, String pluginVersion, Path baseDirectory,
                            Path outputDirectory, String deploymentIdPrefix) {
        if (!command.runsOnHost()) {
            throw DbdeployException.configuration("dbdeploy:" + command + " cannot run with dbdeploy.target=ssm.");
        }
        long started = System.nanoTime();
        String deploymentId = settings.tag() != null ? settings.tag() : Dbdeploy.newDeploymentId(
                deploymentIdPrefix != null ? deploymentIdPrefix : pluginVersionPrefix(command));
        Bundle bundle = Packager.bundle(settings.changelog(), settings.checks(), baseDirectory, pluginVersion,
                outputDirectory);
        progress.info("Bundle " + bundle.sha256().substring(0, 12) + ": " + bundle.manifest().files().size() + " file(s), "
                + kib(bundle.size()));

        S3Store store = new S3Store(aws.s3(), aws.presigner(), settings.bucket());
        String regionWarning = store.checkRegion(settings.region());
        if (regionWarning != null) {
            progress.warn(regionWarning);
        }
        String prefix = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        String runnerKey = prefix + "runners/" + runner.sha256() + ".jar";
        String bundleKey = prefix + "bundles/" + bundle.sha256() + ".tar.gz";
        S3Store.Upload runnerUpload = store.ensureUploaded(runner.file(), runnerKey, runner.sha256(), runner.size());
        progress.info(uploaded(runnerUpload) + " runner jar s3://" + store.bucket() + "/" + runnerKey + " ("
                + kib(runner.size()) + ")");
        S3Store.Upload bundleUpload = store.ensureUploaded(bundle.file(), bundleKey, bundle.sha256(), bundle.size());
        progress.info(uploaded(bundleUpload) + " bundle s3://" + store.bucket() + "/" + bundleKey);

        String runnerLocation = "s3://" + store.bucket() + "/" + runnerKey;
        String bundleLocation = "s3://" + store.bucket() + "/" + bundleKey;
        HostScript.Fetch fetch;
        HostScript.Download runnerDownload;
        HostScript.Download bundleDownload;
        if (settings.downloadMode() == DownloadMode.HOST_ROLE) {
            fetch = HostScript.Fetch.hostRole(aws.s3().serviceClientConfiguration().region().id(),
                    settings.s3Endpoint() == null ? null : settings.s3Endpoint().toString());
            runnerDownload = new HostScript.Download(runnerLocation, runner.sha256(), runnerLocation);
            bundleDownload = new HostScript.Download(bundleLocation, bundle.sha256(), bundleLocation);
        } else {
            Duration validFor = settings.deliveryTimeout().plus(URL_MARGIN);
            if (validFor.compareTo(URL_MAX) > 0) {
                validFor = URL_MAX;
            }
            warnIfSessionEndsFirst(validFor);
            fetch = HostScript.Fetch.presigned();
            runnerDownload = new HostScript.Download(store.presignedGet(runnerKey, validFor), runner.sha256(), runnerLocation);
            bundleDownload = new HostScript.Download(store.presignedGet(bundleKey, validFor), bundle.sha256(), bundleLocation);
        }
        String title = "dbdeploy " + pluginVersion + ": " + command + " on environment " + settings.environment()
                + ", deployment " + deploymentId;
        List<String> script = HostScript.lines(title, settings.hostDirectory(), fetch, runnerDownload, bundleDownload,
                settings.runnerSettings(command, deploymentId, deployedBy()));

        SsmCommand ssm = new SsmCommand(aws.ssm(), store, settings, progress);
        String commandId = ssm.send(script, "dbdeploy " + command + " " + settings.environment() + " " + deploymentId);
        progress.info("Sent SSM command " + commandId + " (" + SsmCommand.DOCUMENT + ") to " + settings.hostsDescription()
                + "; waiting (delivery timeout " + settings.deliveryTimeout().toSeconds() + " s, execution timeout "
                + settings.executionTimeout().toSeconds() + " s)");
        List<HostResult> hosts = ssm.await(commandId);
        RemoteResult result = new RemoteResult(command, settings.environment(), deploymentId, commandId, hosts,
                bundleUpload.uploaded(), runnerUpload.uploaded(), bundle.size(), (System.nanoTime() - started) / 1_000_000);
        SummaryWriter.write(result.toSummary(), outputDirectory);
        for (HostResult h : hosts) {
            progress.info(String.format("[%s] %s: applied %d, skipped %d, host time %.2f s", h.instanceId(), h.status(),
                    h.applied(), h.skipped(), h.durationMs() / 1000.0));
            if (h.summary() == null && "Success".equals(h.ssmStatus())) {
                progress.warn("[" + h.instanceId() + "] printed no summary; the counts above are unknown.");
            }
        }
        progress.info(String.format("dbdeploy %s %s via SSM: %s on %d host(s) in %.2f s (deployment %s)", command,
                settings.environment(), result.status(), hosts.size(), result.durationMs() / 1000.0, deploymentId));
        return result;
    }

    /**
     * A presigned URL works only while the credentials that signed it do. Temporary credentials (an assumed role, OIDC,
     * an instance profile) can end long before the URL's own expiry, and with them the downloads of hosts that start
     * late: a fleet's later batches under maxConcurrency, or hosts whose agents pick the command up late.
     */
    private void warnIfSessionEndsFirst(Duration validFor) {
        aws.sessionExpiry().ifPresent(expiry ->
                progress.warn(sessionWarning(expiry, Instant.now(), validFor, settings.maxConcurrency())));
    }

    static String sessionWarning(Instant expiry, Instant now, Duration validFor, String maxConcurrency) {
        long minutes = Math.max(0, now.until(expiry, ChronoUnit.MINUTES));
        return "This build signs the hosts' download URLs with temporary AWS credentials that expire at "
                + expiry.truncatedTo(ChronoUnit.SECONDS) + " (in " + minutes + " min)"
                + (expiry.isBefore(now.plus(validFor)) ? ", before the URLs' own " + validFor.toMinutes() + " min" : "")
                + ". A host that starts downloading after then fails with HTTP 403, so later batches of a fleet ("
                + PropertyNames.SSM_MAX_CONCURRENCY + "=" + maxConcurrency + ") may fail. Set " + PropertyNames.SSM_DOWNLOAD
                + "=host-role to let the hosts download with their own instance role (needs the AWS CLI on the hosts and"
                + " s3:GetObject on the bucket for their role).";
    }

    private static String pluginVersionPrefix(Command command) {
        return command == Command.MIGRATE ? "deploy" : command.goal();
    }

    private static String deployedBy() {
        return DeploySettings.Builder.defaultDeployedBy() + " via ssm";
    }

    private static String uploaded(S3Store.Upload upload) {
        return switch (upload) {
            case PRESENT -> "Already in S3:";
            case UPLOADED -> "Uploaded";
            case REPLACED -> "Replaced (the object there had other bytes: damaged or overwritten)";
        };
    }

    private static String kib(long bytes) {
        return String.format("%.1f KiB", bytes / 1024.0);
    }
}
