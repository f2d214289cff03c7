package io.github.dbdeploy.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.Credentials;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.Secret;
import io.github.dbdeploy.engine.SettingsMapping;
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

    /**
     * The key of the settings file that names the command; every other key is a {@code dbdeploy.*} property, read
     * through the same {@link SettingsMapping} as the Maven goals read them.
     */
    public static final String COMMAND_KEY = "command";

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
        Map<String, String> properties = new TreeMap<>();
        settings.stringPropertyNames().forEach(k -> properties.put(k, settings.getProperty(k)));
        String commandName = properties.getOrDefault(COMMAND_KEY, Command.MIGRATE.goal());
        String environment = properties.getOrDefault(PropertyNames.ENV, "default");
        String deploymentId = blankToNull(properties.get(PropertyNames.TAG));
        Path output = a.work.resolve("out");
        Secret[] password = new Secret[1];
        Command command = null;
        try {
            command = Command.of(commandName);
            if (!command.runsOnHost()) {
                throw DbdeployException.configuration("The runner does not run " + command + ".");
            }
            BundleReader.verifySha256(a.bundle, a.bundleSha256);
            BundleReader.Unpacked bundle = BundleReader.unpack(a.bundle, a.work.resolve("bundle"));
            BundleManifest m = bundle.manifest();
            out.println("dbdeploy runner " + version() + ": " + command + " on environment " + environment + ", bundle "
                    + a.bundleSha256.substring(0, 12) + " (" + m.files().size() + " file(s), changelog "
                    + (m.isDirectoryChangelog() ? "directory" : m.changelog())
                    + (m.gitCommit() == null ? "" : ", commit " + m.gitCommit()) + ", verified)");
            String reference = blankToNull(properties.get(PropertyNames.PASSWORD));
            if (reference != null && !Credentials.isReference(reference)) {
                throw DbdeployException.configuration("The settings carry a password instead of a reference; a remote"
                        + " host reads its own secret. Set dbdeploy.password=ssm:/name (Parameter Store) or env:NAME.");
            }
            properties.put(PropertyNames.CHANGELOG, bundle.changelog().toString());
            // The checks travel in the bundle (verified with it); a path from the sender's machine means nothing here.
            properties.remove(PropertyNames.CHECKS);
            if (bundle.checks() != null) {
                properties.put(PropertyNames.CHECKS, bundle.checks().toString());
            }
            DeploySettings deploy = SettingsMapping.deploySettings(properties,
                    new SettingsMapping.Context(a.work, output, null, env, null));
            password[0] = deploy.password();
            RunSummary summary = new Dbdeploy(deploy, progress()).run(command);
            if (!summary.succeeded()) {
                err.println("dbdeploy: " + summary.error());
                return RUN_FAILED;
            }
            return OK;
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

    private void writeFailure(Command command, String environment, String deploymentId, String message, Path output) {
        try {
            SummaryWriter.write(RunSummary.error(command, environment, deploymentId, message), output);
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
