package io.github.dbdeploy.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

import io.github.dbdeploy.engine.AwsSettings;
import io.github.dbdeploy.engine.ChangesetOutcome;
import io.github.dbdeploy.engine.Credentials;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.Deployment;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.DeploymentHistory;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.RollbackTarget;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.Secret;
import io.github.dbdeploy.engine.StatusReport;
import io.github.dbdeploy.engine.SummaryWriter;

/**
 * What a remote host runs: {@code java -jar dbdeploy-runner.jar --bundle B --bundle-sha256 H --settings S --work W}.
 * Verifies the bundle's SHA-256, unpacks it into {@code W/bundle} (which must be fresh) checking every entry and
 * every file against the manifest, reads the database password itself (an {@code ssm:/} or {@code env:} reference,
 * never a password), runs the engine and leaves {@code W/out/summary.json|md} for the SSM script to print.
 *
 * <p>Exit codes: 0 success; 1 the run failed (a failed migrate has been rolled back by the engine where it could) or
 * changesets are pending with failOnPending; 2 bad settings; 3 a runtime error (database, Parameter Store);
 * 4 the bundle was rejected. Nothing on standard output or error ever holds the password.
 */
public final class RunnerMain {
    public static final int OK = 0;
    public static final int RUN_FAILED = 1;
    public static final int BAD_SETTINGS = 2;
    public static final int RUNTIME_ERROR = 3;
    public static final int BUNDLE_REJECTED = 4;

    /** Keys of the settings file the SSM command writes next to the bundle (all non-secret). */
    public static final class Keys {
        public static final String COMMAND = "command";
        public static final String ENVIRONMENT = "environment";
        public static final String URL = "url";
        public static final String USERNAME = "username";
        public static final String PASSWORD = "password";
        public static final String DEPLOYMENT_ID = "deploymentId";
        public static final String LOCK_WAIT_SECONDS = "lockWaitSeconds";
        public static final String ROLLBACK_ON_FAILURE = "rollbackOnFailure";
        public static final String CONTEXTS = "contexts";
        public static final String LABELS = "labels";
        public static final String DRY_RUN = "dryRun";
        public static final String ROLLBACK_TAG = "rollbackTag";
        public static final String ROLLBACK_COUNT = "rollbackCount";
        public static final String FAIL_ON_PENDING = "failOnPending";
        public static final String DEPLOYED_BY = "deployedBy";
        public static final String AWS_REGION = "awsRegion";

        private Keys() {
        }
    }

    private final PrintStream out;
    private final PrintStream err;
    private final Function<String, String> env;

    RunnerMain(PrintStream out, PrintStream err, Function<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new RunnerMain(System.out, System.err, System::getenv).run(args));
    }

    int run(String[] args) {
        Arguments a;
        try {
            a = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("dbdeploy runner: " + e.getMessage());
            err.println("usage: java -jar dbdeploy-runner.jar --bundle FILE --bundle-sha256 HEX --settings FILE --work DIR");
            return BAD_SETTINGS;
        }
        Properties settings = new Properties();
        try (InputStream in = Files.newInputStream(a.settings)) {
            settings.load(in);
        } catch (IOException e) {
            err.println("dbdeploy runner: cannot read the settings file " + a.settings + ": " + e.getMessage());
            return BAD_SETTINGS;
        }
        String command = settings.getProperty(Keys.COMMAND, "migrate");
        String environment = settings.getProperty(Keys.ENVIRONMENT, "default");
        String deploymentId = blankToNull(settings.getProperty(Keys.DEPLOYMENT_ID));
        Path output = a.work.resolve("out");
        Secret[] password = new Secret[1];
        try {
            BundleReader.verifySha256(a.bundle, a.bundleSha256);
            BundleReader.Unpacked bundle = BundleReader.unpack(a.bundle, a.work.resolve("bundle"));
            BundleManifest m = bundle.manifest();
            out.println("dbdeploy runner " + version() + ": " + command + " on environment " + environment + ", bundle "
                    + a.bundleSha256.substring(0, 12) + " (" + m.files().size() + " file(s), changelog " + m.changelog()
                    + (m.gitCommit() == null ? "" : ", commit " + m.gitCommit()) + ", verified)");
            String reference = blankToNull(settings.getProperty(Keys.PASSWORD));
            if (reference != null && !Credentials.isReference(reference)) {
                throw DbdeployException.configuration("The settings carry a password instead of a reference; a remote"
                        + " host reads its own secret. Set dbdeploy.password=ssm:/name (Parameter Store) or env:NAME.");
            }
            String region = blankToNull(settings.getProperty(Keys.AWS_REGION));
            password[0] = Credentials.password(reference, env, new AwsSettings(region, null, null));
            DeploySettings deploy = DeploySettings.builder()
                    .environment(environment)
                    .jdbcUrl(settings.getProperty(Keys.URL))
                    .username(Credentials.username(blankToNull(settings.getProperty(Keys.USERNAME)), env))
                    .password(password[0])
                    .changelog(bundle.changelog())
                    .deploymentId(deploymentId)
                    .lockWait(Duration.ofSeconds(Long.parseLong(settings.getProperty(Keys.LOCK_WAIT_SECONDS, "300"))))
                    .rollbackOnFailure(Boolean.parseBoolean(settings.getProperty(Keys.ROLLBACK_ON_FAILURE, "true")))
                    .contexts(settings.getProperty(Keys.CONTEXTS))
                    .labels(settings.getProperty(Keys.LABELS))
                    .outputDirectory(output)
                    .deployedBy(settings.getProperty(Keys.DEPLOYED_BY))
                    .build();
            return execute(command, settings, deploy);
        } catch (DbdeployException e) {
            String message = scrub(password[0], e.getMessage());
            err.println("dbdeploy: ERROR: " + message);
            writeFailure(command, environment, deploymentId, message, output);
            if (e.getMessage() != null && e.getMessage().startsWith("Bundle rejected")) {
                return BUNDLE_REJECTED;
            }
            return e.kind() == DbdeployException.Kind.CONFIGURATION ? BAD_SETTINGS : RUNTIME_ERROR;
        } catch (RuntimeException e) {
            String message = "unexpected " + e.getClass().getSimpleName() + ": " + scrub(password[0], e.getMessage());
            err.println("dbdeploy: ERROR: " + message);
            writeFailure(command, environment, deploymentId, message, output);
            return RUNTIME_ERROR;
        }
    }

    private int execute(String command, Properties settings, DeploySettings deploy) {
        Dbdeploy engine = new Dbdeploy(deploy, progress());
        switch (command) {
            case "migrate" -> {
                boolean dryRun = Boolean.parseBoolean(settings.getProperty(Keys.DRY_RUN, "false"));
                RunSummary summary = dryRun ? engine.dryRun() : engine.migrate();
                if (!summary.succeeded()) {
                    err.println("dbdeploy: " + summary.error());
                }
                return summary.succeeded() ? OK : RUN_FAILED;
            }
            case "rollback" -> {
                String count = blankToNull(settings.getProperty(Keys.ROLLBACK_COUNT));
                RunSummary summary = engine.rollback(RollbackTarget.of(settings.getProperty(Keys.ROLLBACK_TAG),
                        count == null ? null : Integer.valueOf(count)));
                if (!summary.succeeded()) {
                    err.println("dbdeploy: " + summary.error());
                }
                return summary.succeeded() ? OK : RUN_FAILED;
            }
            case "status" -> {
                return status(engine, deploy, Boolean.parseBoolean(settings.getProperty(Keys.FAIL_ON_PENDING, "false")));
            }
            case "history" -> {
                history(engine, deploy);
                return OK;
            }
            default -> throw DbdeployException.configuration("Unknown command '" + command
                    + "': the runner knows migrate, rollback, status and history.");
        }
    }

    private int status(Dbdeploy engine, DeploySettings deploy, boolean failOnPending) {
        long started = System.nanoTime();
        StatusReport report = engine.status();
        Deployment last = report.lastDeployment();
        out.println("Last deployment: " + (last == null ? "none recorded"
                : last.id() + " (" + last.status() + ", " + last.applied() + " applied) at " + last.startedAt()
                    + " by " + last.deployedBy()));
        out.println("Deployment lock: " + (report.lockHolder() == null ? "free" : "held by " + report.lockHolder()));
        out.println("Pending changesets: " + (report.pending().isEmpty() ? "none" : report.pending().size()));
        List<ChangesetOutcome> pending = new ArrayList<>();
        for (String p : report.pending()) {
            out.println("  " + p);
            pending.add(new ChangesetOutcome(p, "", "", 0, ChangesetOutcome.Status.PENDING));
        }
        boolean fail = failOnPending && !report.pending().isEmpty();
        String error = fail ? report.pending().size() + " changeset(s) are pending (dbdeploy.failOnPending=true)" : null;
        SummaryWriter.write(new RunSummary("status", fail ? RunSummary.FAILED : RunSummary.SUCCESS, deploy.environment(),
                last == null ? "" : last.id(), 0, 0, (System.nanoTime() - started) / 1_000_000, pending, error, false),
                deploy.outputDirectory());
        if (fail) {
            err.println("dbdeploy: " + error);
            return RUN_FAILED;
        }
        return OK;
    }

    private void history(Dbdeploy engine, DeploySettings deploy) {
        long started = System.nanoTime();
        List<DeploymentHistory> history = engine.history();
        if (history.isEmpty()) {
            out.println("No deployments recorded on this database yet.");
        }
        for (DeploymentHistory h : history) {
            Deployment d = h.deployment();
            out.println(d.id() + "  " + d.status() + "  " + d.startedAt() + "  by " + d.deployedBy() + "  applied "
                    + d.applied() + " (environment " + d.environment() + ")");
            h.changesets().forEach(c -> out.println("    " + c));
        }
        SummaryWriter.write(new RunSummary("history", RunSummary.SUCCESS, deploy.environment(),
                history.isEmpty() ? "" : history.get(0).deployment().id(), 0, 0,
                (System.nanoTime() - started) / 1_000_000, List.of(), null, false), deploy.outputDirectory());
    }

    private void writeFailure(String command, String environment, String deploymentId, String message, Path output) {
        try {
            SummaryWriter.write(new RunSummary(command, RunSummary.FAILED, environment,
                    deploymentId == null ? "" : deploymentId, 0, 0, 0, List.of(), message, false), output);
        } catch (RuntimeException ignored) {
            // The error is on standard error already; a missing summary is reported by the caller.
        }
    }

    private Progress progress() {
        return Progress.printingTo(out);
    }

    private static String scrub(Secret secret, String text) {
        return secret == null ? text : secret.scrub(text);
    }

    static String version() {
        String v = RunnerMain.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private record Arguments(Path bundle, String bundleSha256, Path settings, Path work) {
        static Arguments parse(String[] args) {
            Path bundle = null;
            String sha = null;
            Path settings = null;
            Path work = null;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--bundle" -> bundle = Path.of(value);
                    case "--bundle-sha256" -> sha = value;
                    case "--settings" -> settings = Path.of(value);
                    case "--work" -> work = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (bundle == null || sha == null || settings == null || work == null) {
                throw new IllegalArgumentException("--bundle, --bundle-sha256, --settings and --work are required");
            }
            if (!sha.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("--bundle-sha256 must be 64 hex digits");
            }
            return new Arguments(bundle, sha, settings, work);
        }
    }
}
