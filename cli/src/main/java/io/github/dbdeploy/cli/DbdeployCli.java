package io.github.dbdeploy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.Credentials;
import io.github.dbdeploy.engine.Dbdeploy;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.DeploySettings;
import io.github.dbdeploy.engine.EmbeddedDatabase;
import io.github.dbdeploy.engine.FrontDoor;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.PostgresBinaries;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.Secret;
import io.github.dbdeploy.engine.SettingsMapping;
import io.github.dbdeploy.engine.SummaryWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code java -jar dbdeploy.jar <command> [options]}: the engine without Maven, for container entrypoints, one-off
 * tasks and anyone without Maven. It gathers {@code dbdeploy.*} properties from options and {@code DBDEPLOY_*}
 * environment variables (an option wins) and hands them to {@link SettingsMapping}, the one mapping every front
 * door uses; the commands are the engine's {@link Command}s that work on a database.
 */
public final class DbdeployCli {
    public static final int OK = 0;
    /** A run failed; summary.json says whether it was rolled back. */
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** No connection, or another deployment held the lock past the wait: nothing changed, try again later. */
    public static final int UNAVAILABLE = 3;
    public static final int PENDING = 4;

    static final String OUTPUT_DIR = "--output-dir";
    static final String PASSWORD = "--password";
    static final String DEFAULT_OUTPUT_DIR = "dbdeploy-output";
    /** rehearse: where the embedded PostgreSQL binaries are downloaded from, and where they are kept. */
    static final String MAVEN_REPOSITORY = "--maven-repository";
    static final String MAVEN_LOCAL_REPOSITORY = "--maven-local-repository";

    private static final String EXIT_CODES = String.join("%n",
            "Exit codes:",
            "  0  success, or nothing to do",
            "  1  the run failed; summary.json says whether it was rolled back",
            "  2  usage or configuration error; nothing was changed",
            "  3  cannot connect, or the lock wait timed out; nothing was changed",
            "  4  changesets are pending (status --fail-on-pending)");

    private final PrintStream out;
    private final PrintStream err;
    private final Function<String, String> env;
    private final Path workingDirectory;
    private final List<CliOptions.Setting> settings = CliOptions.all();

    DbdeployCli(PrintStream out, PrintStream err, Function<String, String> env, Path workingDirectory) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.workingDirectory = workingDirectory;
    }

    public static void main(String[] args) {
        System.exit(new DbdeployCli(System.out, System.err, System::getenv, Path.of("")).run(args));
    }

    /** The commands offered: every engine command that works on a database. */
    static EnumSet<Command> commands() {
        // package builds a bundle for remote hosts from a Maven project; nothing here would run it.
        return EnumSet.complementOf(EnumSet.of(Command.PACKAGE));
    }

    int run(String... args) {
        CommandLine cli = commandLine();
        ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println("dbdeploy: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Run java -jar dbdeploy.jar --help for the commands, or <command> --help for its options.");
            return USAGE;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return OK;
        }
        if (!parsed.hasSubcommand()) {
            err.println("dbdeploy: name a command: " + commandNames() + ".");
            cli.usage(err);
            return USAGE;
        }
        ParseResult sub = parsed.subcommand();
        return execute(Command.of(sub.commandSpec().name()), sub);
    }

    private int execute(Command command, ParseResult options) {
        Path output = workingDirectory.resolve(value(options, OUTPUT_DIR, "DBDEPLOY_OUTPUT_DIR", DEFAULT_OUTPUT_DIR));
        Secret fromEnvironment = Secret.of(env.apply(Credentials.PASSWORD_ENV));
        Secret[] password = {null};
        Map<String, String> properties = new TreeMap<>();
        try {
            for (CliOptions.Setting s : settings) {
                String v = value(options, s.option(), s.envVar(), null);
                if (v != null) {
                    properties.put(s.property(), v);
                }
            }
            if (isTrue(properties.get(PropertyNames.SKIP), PropertyNames.SKIP)) {
                out.println("dbdeploy " + command + " is skipped (--skip or DBDEPLOY_SKIP is true)");
                return OK;
            }
            deleteStaleSummary(output);
            String reference = options.matchedOptionValue(PASSWORD, null);
            if (reference != null) {
                if (!Credentials.isReference(reference)) {
                    throw DbdeployException.configuration(PASSWORD + " takes only a reference, ssm:/name (Parameter"
                            + " Store) or env:NAME: a password on the command line shows in ps and in shell history."
                            + " Put the password in DBDEPLOY_PASSWORD instead. Nothing was run.");
                }
                properties.put(PropertyNames.PASSWORD, reference);
            }
            if (EmbeddedDatabase.isRequested(properties.get(PropertyNames.URL))) {
                throw DbdeployException.configuration("--url embedded is for trying dbdeploy through Maven (the"
                        + " quickstart); the CLI carries no PostgreSQL binaries. Pass a jdbc:postgresql:// URL.");
            }
            DeploySettings deploy = SettingsMapping.deploySettings(properties,
                    new SettingsMapping.Context(workingDirectory, output, null, env, null, FrontDoor.CLI));
            password[0] = deploy.password();
            out.println("dbdeploy " + command + ": environment " + deploy.environment() + ", database "
                    + deploy.displayUrl());
            RunSummary summary = new Dbdeploy(deploy, Progress.printingTo(out),
                    command == Command.REHEARSE ? postgresBinaries(options) : null).run(command);
            if (summary.succeeded()) {
                return OK;
            }
            err.println("dbdeploy: " + scrub(summary.error(), password[0], fromEnvironment));
            err.println("See " + output.resolve(SummaryWriter.MARKDOWN) + " for what ran.");
            return command == Command.STATUS && deploy.failOnPending() ? PENDING : FAILED;
        } catch (DbdeployException e) {
            return fail(command, properties, output, scrub(e.getMessage(), password[0], fromEnvironment),
                    switch (e.kind()) {
                        case CONFIGURATION -> USAGE;
                        case UNAVAILABLE -> UNAVAILABLE;
                        default -> FAILED;
                    });
        } catch (RuntimeException e) {
            return fail(command, properties, output, "unexpected " + e.getClass().getSimpleName() + ": "
                    + scrub(e.getMessage(), password[0], fromEnvironment), FAILED);
        }
    }

    /**
     * The rehearsal's server binaries, of the target's major version, as the Maven goal gets them: from the local
     * Maven repository, else downloaded from Maven Central (or the repository named) and checked.
     */
    private PostgresBinaries postgresBinaries(ParseResult options) {
        String remote = value(options, MAVEN_REPOSITORY, "DBDEPLOY_MAVEN_REPOSITORY", RepositoryDownload.CENTRAL);
        String local = value(options, MAVEN_LOCAL_REPOSITORY, "DBDEPLOY_MAVEN_LOCAL_REPOSITORY",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        try {
            return PostgresBinaries.resolvedBy(new RepositoryDownload(remote, workingDirectory.resolve(local)));
        } catch (IllegalArgumentException e) {
            throw DbdeployException.configuration(MAVEN_REPOSITORY + " " + e.getMessage() + ". Nothing was run.");
        }
    }

    /** Reports an error that ended the run early, leaving a summary that says so. */
    private int fail(Command command, Map<String, String> properties, Path output, String message, int exitCode) {
        err.println("dbdeploy: ERROR: " + message);
        String names = CliOptions.translate(message, this::setting);
        if (names != null) {
            err.println(names);
        }
        try {
            if (!Files.exists(output.resolve(SummaryWriter.JSON))) {
                SummaryWriter.write(RunSummary.error(command, properties.getOrDefault(PropertyNames.ENV, "default"),
                        properties.get(PropertyNames.TAG), message), output);
            }
        } catch (RuntimeException e) {
            err.println("dbdeploy: cannot write the summary to " + output + ": " + e.getMessage());
        }
        return exitCode;
    }

    private CliOptions.Setting setting(String property) {
        if (property.equals(PropertyNames.PASSWORD)) {
            return new CliOptions.Setting(property, PASSWORD + " (a reference)", Credentials.PASSWORD_ENV, false, "");
        }
        return settings.stream().filter(s -> s.property().equals(property)).findFirst().orElse(null);
    }

    /** An option's value, else its environment variable's, else the default; blank counts as unset. */
    private String value(ParseResult options, String option, String envVar, String defaultValue) {
        String v = options.matchedOptionValue(option, null);
        if (v == null || v.isBlank()) {
            v = env.apply(envVar);
        }
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    private static boolean isTrue(String value, String property) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw DbdeployException.configuration(property + " must be true or false, got '" + value + "'");
    }

    /** A summary left by an earlier run must never describe this one, even if this one ends early. */
    private static void deleteStaleSummary(Path output) {
        try {
            Files.deleteIfExists(output.resolve(SummaryWriter.JSON));
            Files.deleteIfExists(output.resolve(SummaryWriter.MARKDOWN));
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot remove the previous run's summary in " + output + ": "
                    + e.getMessage() + ". Check the directory's permissions, or choose another " + OUTPUT_DIR + ".");
        }
    }

    private static String scrub(String text, Secret... secrets) {
        String t = text;
        for (Secret s : secrets) {
            if (s != null) {
                t = s.scrub(t);
            }
        }
        return t;
    }

    private CommandLine commandLine() {
        CommandSpec top = CommandSpec.create().name("java -jar dbdeploy.jar").mixinStandardHelpOptions(true)
                .versionProvider(DbdeployCli::version);
        top.usageMessage()
                .description("Applies PostgreSQL schema changes with Liquibase: locks, records the state before the"
                        + " deployment, rolls back by itself when a changeset fails, and writes summary.json and"
                        + " summary.md. The same engine as mvn dbdeploy:<goal>.")
                .footer("", "Every option can also come from an environment variable: --lock-wait-seconds is"
                        + " DBDEPLOY_LOCK_WAIT_SECONDS (an option wins). The password comes from DBDEPLOY_PASSWORD,"
                        + " or --password ssm:/name or env:NAME; never from the command line itself.", "",
                        EXIT_CODES);
        CommandLine cli = new CommandLine(top);
        for (Command c : commands()) {
            cli.addSubcommand(c.goal(), new CommandLine(subcommand(c)));
        }
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        cli.setOut(o);
        cli.setErr(e);
        return cli;
    }

    private CommandSpec subcommand(Command c) {
        CommandSpec spec = CommandSpec.create().name(c.goal()).mixinStandardHelpOptions(true)
                .versionProvider(DbdeployCli::version);
        UsageMessageSpec usage = spec.usageMessage();
        usage.abbreviateSynopsis(true).description(DESCRIPTIONS.getOrDefault(c, "Runs dbdeploy " + c.goal() + "."))
                .sortOptions(false)
                .footer("", "Each option can be set by the environment variable named after it (shown after each"
                        + " description); an option wins.", "", EXIT_CODES);
        for (CliOptions.Setting s : settings) {
            OptionSpec.Builder b = OptionSpec.builder(s.option()).type(String.class)
                    .description(s.description() + " [" + s.envVar() + "]");
            if (s.flag()) {
                b.arity("0..1").fallbackValue("true").paramLabel("true|false");
            } else {
                b.arity("1").paramLabel("<" + s.option().substring(2) + ">");
            }
            spec.addOption(b.build());
        }
        spec.addOption(OptionSpec.builder(PASSWORD).type(String.class).arity("1").paramLabel("<reference>")
                .description("Where the password is: ssm:/name (Parameter Store) or env:NAME. Only a reference: a"
                        + " password itself goes in DBDEPLOY_PASSWORD.").build());
        spec.addOption(OptionSpec.builder(OUTPUT_DIR).type(String.class).arity("1").paramLabel("<dir>")
                .description("Where summary.json and summary.md go (default " + DEFAULT_OUTPUT_DIR
                        + ") [DBDEPLOY_OUTPUT_DIR]").build());
        if (c == Command.REHEARSE) {
            spec.addOption(OptionSpec.builder(MAVEN_REPOSITORY).type(String.class).arity("1").paramLabel("<url>")
                    .description("The Maven repository the embedded PostgreSQL binaries come from when the local one"
                            + " lacks them (default Maven Central, " + RepositoryDownload.CENTRAL
                            + ") [DBDEPLOY_MAVEN_REPOSITORY]").build());
            spec.addOption(OptionSpec.builder(MAVEN_LOCAL_REPOSITORY).type(String.class).arity("1")
                    .paramLabel("<dir>").description("Where downloaded binaries are kept, shared with Maven (default"
                            + " ~/.m2/repository) [DBDEPLOY_MAVEN_LOCAL_REPOSITORY]").build());
        }
        return spec;
    }

    private static final Map<Command, String> DESCRIPTIONS = new LinkedHashMap<>(Map.of(
            Command.MIGRATE, "Applies pending changesets under the deployment lock; on failure rolls back what this"
                    + " run applied.",
            Command.ROLLBACK, "Returns the database to the state before the last deployment (or --rollback-tag,"
                    + " --rollback-count), after checking that every changeset to undo has a rollback.",
            Command.STATUS, "Lists pending changesets, the last deployment and who holds the lock.",
            Command.HISTORY, "Lists every deployment and the changesets it applied.",
            Command.ADOPT, "Takes over a database another tool managed (Flyway, golang-migrate, dbmate, diesel, Drizzle,"
                    + " a psql loop; Rails, Knex, Alembic as a baseline): checks its history table against the"
                    + " migration directory and records those migrations as applied, without running them.",
            Command.BASELINE, "Records every migration up to and including --baseline-version as applied, without"
                    + " running it, for a database built without a migration tool.",
            Command.REHEARSE, "Runs changesets on a throwaway embedded PostgreSQL of the target's major version, each"
                    + " applied, rolled back and applied again, and reports rollbacks that do not restore the schema,"
                    + " locks, rewrites and data loss. The target is only read."));

    static String commandNames() {
        return String.join(", ", commands().stream().map(Command::goal).toList());
    }

    static String[] version() {
        return new String[] {"dbdeploy " + projectVersion(),
                "Liquibase " + liquibase.util.LiquibaseUtil.getBuildVersion() + ", PostgreSQL JDBC "
                        + org.postgresql.util.DriverInfo.DRIVER_VERSION + ", Java " + Runtime.version()};
    }

    private static String projectVersion() {
        Properties p = new Properties();
        try (InputStream in = DbdeployCli.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // Only --version reads it; the version is then shown as unknown.
        }
        return p.getProperty("version", "(unknown version)");
    }
}
