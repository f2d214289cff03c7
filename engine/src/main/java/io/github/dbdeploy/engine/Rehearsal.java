package io.github.dbdeploy.engine;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import liquibase.changelog.ChangeSet;

/**
 * {@code rehearse}: runs changesets on a throwaway embedded PostgreSQL, each forward, back and forward again, and
 * reports what was observed there (the catalog, {@code pg_locks}, relfilenodes), never guessed from the SQL text.
 * The target database is at most read, in a read-only session without the deployment lock.
 */
final class Rehearsal {
    /** {@code -- dbdeploy:allow breaking, locks} in a changeset's SQL or comment waives those checks for it. */
    private static final Pattern WAIVER = Pattern.compile("dbdeploy:allow\\s+([A-Za-z]+(?:\\s*,\\s*[A-Za-z]+)*)");
    /** PostgreSQL's table lock modes, weakest first. */
    private static final List<String> LOCK_MODES = List.of("AccessShareLock", "RowShareLock", "RowExclusiveLock",
            "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock");
    /** The weakest mode that blocks other sessions' writes: what {@code failOn=locks} fails on. */
    private static final int BLOCKING = LOCK_MODES.indexOf("ShareLock");
    static final String FROM_ALL = "all";

    private final DeploySettings settings;
    private final Progress progress;
    private final PostgresBinaries binaries;
    /** On the rehearsal server's one connection, which the run closes with the server. */
    private SchemaSnapshot.Reader snapshots;

    Rehearsal(DeploySettings settings, Progress progress, PostgresBinaries binaries) {
        this.settings = settings;
        this.progress = progress;
        this.binaries = binaries;
    }

    /** What the target told us: its major version, its roles, and which changesets it lacks (null: all). */
    private record Target(Integer majorVersion, List<String> roles, Set<String> pending) {
    }

    RunSummary run() {
        long started = System.nanoTime();
        Target target = readTarget();
        PostgresBinaries.Choice choice = binaries.choose(target.majorVersion(), settings.rehearsePostgresVersion(),
                progress);
        EmbeddedPostgres server = start(choice);
        try (Connection c = DriverManager.getConnection(server.getJdbcUrl("postgres", "postgres"), properties())) {
            progress.info("Rehearsal server started: " + choice.description() + " (" + serverVersion(c) + ")");
            createRoles(c, target.roles());
            LiquibaseSession liquibase = new LiquibaseSession(settings, c, progress);
            liquibase.withoutLockGuard(); // this server is ours alone: there is nothing to wait behind
            List<ChangeSet> all = liquibase.pending(); // the whole changelog, through the contexts and labels
            liquibase.createHistoryTable();
            boolean[] rehearse = rehearsalSet(all, target.pending());
            int last = -1;
            int count = 0;
            for (int i = 0; i < all.size(); i++) {
                last = rehearse[i] ? i : last;
                count += rehearse[i] ? 1 : 0;
            }
            if (count == 0) {
                progress.info("Nothing to rehearse: " + (target.pending() != null
                        ? "no changeset is pending on " + settings.displayUrl() + "." : "the changelog is empty."));
                return summary(RunSummary.SUCCESS, all.size(), started, List.of(), null);
            }
            progress.info("Rehearsing " + count + " changeset(s)" + (count < all.size() ? " of " + all.size() : "")
                    + ": each is applied, rolled back and applied again; the target is not changed.");
            List<ChangesetRehearsal> results = new ArrayList<>();
            SchemaSnapshot before = snapshot(c);
            for (int i = 0; i <= last; i++) {
                ChangeSet cs = all.get(i);
                if (!rehearse[i]) {
                    LiquibaseSession.Outcome applied = liquibase.apply(cs);
                    if (applied.failed()) {
                        String error = "Changeset " + cs.getId() + " (" + cs.getFilePath() + "), which comes before"
                                + " the rehearsed ones, cannot be applied to the rehearsal database: "
                                + LiquibaseSession.reason(applied.error() != null ? applied.error()
                                    : new IllegalStateException(applied.describeFailure()))
                                + "\nThe rehearsal database holds only what the changelog creates. Rehearse from an"
                                + " earlier changeset (" + PropertyNames.REHEARSE_FROM + "=...) or fix it.";
                        return summary(RunSummary.FAILED, all.size() - results.size(), started, results, error);
                    }
                    before = null;
                    continue;
                }
                // Sizes as they are now, before the changeset: an empty new file is a truncation only of a table
                // that had pages.
                before = before == null ? snapshot(c) : snapshots.withCurrentSizes(before);
                Step step = rehearse(liquibase, c, cs, before);
                results.add(step.result());
                report(step.result());
                before = step.after();
            }
            // The post-deploy checks run on the rehearsed schema too, as migrate would run them after the last changeset.
            List<CheckOutcome> checks = settings.checks() == null ? List.of()
                    : PostDeployChecks.read(settings.checks()).run(c, liquibase.lockGuard(), true, progress);
            List<String> failedChecks = checks.stream().filter(ch -> CheckOutcome.FAILED.equals(ch.status()))
                    .map(ch -> "'" + ch.name() + "'" + (ch.error() == null ? "" : ": " + ch.error())).toList();
            List<ChangesetRehearsal> failed = results.stream().filter(ChangesetRehearsal::failed).toList();
            String error = failed.isEmpty() ? null : failed.size() + " of " + results.size() + " rehearsed changeset(s)"
                    + " failed (" + PropertyNames.REHEARSE_FAIL_ON + "=" + settings.rehearseFailOn().stream()
                        .map(RehearsalCheck::id).collect(Collectors.joining(",")) + "): "
                    + failed.stream().map(r -> r.id() + " (" + r.file() + "): " + String.join(", ", r.failedChecks()))
                        .collect(Collectors.joining("; "))
                    + ".\nFix them, or waive a check on purpose with a '-- dbdeploy:allow CHECK' comment in the"
                    + " changeset, and run " + Dbdeploy.commandLine(settings, Command.REHEARSE)
                    + " again. The target was not changed.";
            if (!failedChecks.isEmpty()) {
                error = (error == null ? "" : error + "\n") + "Post-deploy check(s) of " + settings.checks()
                        + " failed on the rehearsed schema: " + String.join("; ", failedChecks)
                        + ". migrate would roll the deployment back for this.";
            }
            boolean ok = failed.isEmpty() && failedChecks.isEmpty();
            return summary(ok ? RunSummary.SUCCESS : RunSummary.FAILED, all.size() - results.size(), started, results,
                    error).withChecks(checks);
        } catch (SQLException e) {
            throw DbdeployException.runtime("Database error on the rehearsal server: " + e.getMessage(), e);
        } finally {
            try {
                server.close();
            } catch (IOException ignored) {
                // The server and its data directory are throwaway; the JVM's exit ends it in any case.
            }
        }
    }

    /** A rehearsed changeset and the schema it left, which is the next one's "before". */
    private record Step(ChangesetRehearsal result, SchemaSnapshot after) {
    }

    private Step rehearse(LiquibaseSession liquibase, Connection c, ChangeSet cs, SchemaSnapshot before)
            throws SQLException {
        long started = System.nanoTime();
        Set<RehearsalCheck> waived = waivers(liquibase, cs);
        List<String> waivedNames = waived.stream().map(RehearsalCheck::id).toList();
        Map<String, String> locks = new TreeMap<>();
        liquibase.beforeCommit(() -> observeLocks(c, before, locks));
        LiquibaseSession.Outcome applied;
        try {
            applied = liquibase.apply(cs);
        } finally {
            liquibase.beforeCommit(null);
        }
        if (applied.failed()) {
            ChangesetRehearsal r = new ChangesetRehearsal(cs.getId(), cs.getAuthor(), cs.getFilePath(),
                    elapsed(started), ChangesetRehearsal.FAILED, failure(applied), null, null, null, null, null, null,
                    null, null, false, waivedNames, List.of("apply"));
            // A changeset outside a transaction can leave part of itself behind: look again.
            return new Step(r, snapshot(c));
        }
        SchemaSnapshot after = snapshot(c);
        SchemaSnapshot.Changes changes = before.changesTo(after);
        List<ChangesetRehearsal.Lock> lockList = new ArrayList<>();
        locks.forEach((relation, mode) -> lockList.add(new ChangesetRehearsal.Lock(relation, mode)));

        String rollback;
        List<String> diff = List.of();
        String rollbackError = null;
        String reapply = null;
        String reapplyError = null;
        SchemaSnapshot end = after;
        if (!liquibase.hasRollback(cs)) {
            rollback = ChangesetRehearsal.MISSING;
        } else {
            LiquibaseSession.Outcome undone = liquibase.rollback(cs);
            if (undone.failed()) {
                rollback = ChangesetRehearsal.FAILED;
                rollbackError = failure(undone);
                end = snapshot(c);
            } else {
                SchemaSnapshot rolledBack = snapshot(c);
                diff = before.diff(rolledBack);
                rollback = diff.isEmpty() ? ChangesetRehearsal.EXACT : ChangesetRehearsal.DIFFERS;
                LiquibaseSession.Outcome again = liquibase.apply(cs);
                reapply = again.failed() ? ChangesetRehearsal.FAILED : ChangesetRehearsal.OK;
                reapplyError = again.failed() ? failure(again) : null;
                end = again.failed() ? rolledBack : snapshot(c);
            }
        }

        Set<RehearsalCheck> tripped = new LinkedHashSet<>();
        if (ChangesetRehearsal.FAILED.equals(rollback) || ChangesetRehearsal.DIFFERS.equals(rollback)) {
            tripped.add(RehearsalCheck.ROLLBACK);
        }
        if (ChangesetRehearsal.FAILED.equals(reapply)) {
            tripped.add(RehearsalCheck.REAPPLY);
        }
        if (!changes.breaking().isEmpty()) {
            tripped.add(RehearsalCheck.BREAKING);
        }
        if (locks.values().stream().anyMatch(mode -> LOCK_MODES.indexOf(mode) >= BLOCKING)) {
            tripped.add(RehearsalCheck.LOCKS);
        }
        if (!changes.rewrites().isEmpty()) {
            tripped.add(RehearsalCheck.REWRITES);
        }
        if (changes.dataLoss()) {
            tripped.add(RehearsalCheck.DATA_LOSS);
        }
        List<String> failedChecks = tripped.stream()
                .filter(check -> settings.rehearseFailOn().contains(check) && !waived.contains(check))
                .map(RehearsalCheck::id).toList();
        ChangesetRehearsal r = new ChangesetRehearsal(cs.getId(), cs.getAuthor(), cs.getFilePath(), elapsed(started),
                ChangesetRehearsal.OK, null, rollback, diff, rollbackError, reapply, reapplyError, lockList,
                changes.rewrites(), changes.breaking(), changes.dataLoss(), waivedNames, failedChecks);
        return new Step(r, end);
    }

    /**
     * The schema now, described afresh where the catalog changed since the last snapshot of this run: the rehearsal
     * database records what each DDL command changed, so a snapshot reads those relations only.
     */
    private SchemaSnapshot snapshot(Connection c) throws SQLException {
        if (snapshots == null) {
            snapshots = SchemaSnapshot.Reader.tracking(c);
        }
        return snapshots.take();
    }

    /** Keeps the strongest lock this session holds on each relation of {@code before}, just before commit. */
    private void observeLocks(Connection c, SchemaSnapshot before, Map<String, String> strongest) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select relation::bigint, mode"
                + " from pg_locks where locktype = 'relation' and granted and pid = pg_backend_pid()")) {
            while (rs.next()) {
                String relation = before.relationName(rs.getLong(1));
                if (relation != null) {
                    strongest.merge(relation, rs.getString(2),
                            (a, b) -> LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b);
                }
            }
        } catch (SQLException e) {
            progress.warn("Could not read pg_locks before the commit: " + e.getMessage());
        }
    }

    private Set<RehearsalCheck> waivers(LiquibaseSession liquibase, ChangeSet cs) {
        Set<RehearsalCheck> out = new LinkedHashSet<>();
        Matcher m = WAIVER.matcher(liquibase.sourceText(cs));
        while (m.find()) {
            for (String name : m.group(1).split("\\s*,\\s*")) {
                RehearsalCheck check = RehearsalCheck.find(name);
                if (check == null) {
                    progress.warn("Changeset " + cs.getId() + " (" + cs.getFilePath() + ") waives '" + name
                            + "', which is not a check: use one of " + RehearsalCheck.names() + ".");
                } else {
                    out.add(check);
                }
            }
        }
        return out;
    }

    /** Which changesets, of all in the changelog in order, to rehearse. */
    private boolean[] rehearsalSet(List<ChangeSet> all, Set<String> pendingOnTarget) {
        boolean[] out = new boolean[all.size()];
        String from = settings.rehearseFrom();
        if (from == null && pendingOnTarget != null) {
            for (int i = 0; i < all.size(); i++) {
                out[i] = pendingOnTarget.contains(key(all.get(i)));
            }
            return out;
        }
        int start = 0;
        if (from != null && !from.equalsIgnoreCase(FROM_ALL)) {
            start = -1;
            for (int i = 0; i < all.size() && start < 0; i++) {
                start = all.get(i).getId().equals(from) ? i : -1;
            }
            if (start < 0) {
                List<String> ids = all.stream().map(ChangeSet::getId).toList();
                throw DbdeployException.configuration(PropertyNames.REHEARSE_FROM + "=" + from + " names no changeset"
                        + " of " + settings.changelog() + " (after contexts and labels). Its changeset ids are: "
                        + String.join(", ", ids.size() > 20 ? ids.subList(0, 20) : ids) + (ids.size() > 20 ? ", ..."
                        : "") + ". Use one of them, or " + FROM_ALL + ".");
            }
        }
        for (int i = start; i < all.size(); i++) {
            out[i] = true;
        }
        return out;
    }

    /**
     * The target's version, roles and pending changesets, in a read-only session without the deployment lock, so a
     * rehearsal can run beside a deployment and can never change the target.
     */
    private Target readTarget() {
        if (settings.jdbcUrl() == null) {
            progress.info("No " + PropertyNames.URL + ": rehearsing " + (settings.rehearseFrom() == null ? "every"
                    + " changeset" : "from " + settings.rehearseFrom()) + " on the default PostgreSQL version.");
            return new Target(null, List.of(), null);
        }
        try (TargetDatabase db = TargetDatabase.open(settings, "rehearse (read only)")) {
            db.execute("set default_transaction_read_only = on");
            Connection c = db.connection();
            int major = c.getMetaData().getDatabaseMajorVersion();
            List<String> roles = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select rolname from pg_roles where rolname !~ '^pg_' order by 1")) {
                while (rs.next()) {
                    roles.add(rs.getString(1));
                }
            }
            Set<String> pending = null;
            if (settings.rehearseFrom() == null) {
                LiquibaseSession liquibase = new LiquibaseSession(settings, c, progress);
                List<ChangeSet> changeSets = new ChangelogHistory(c).exists() ? liquibase.pending()
                        : liquibase.changelog().getChangeSets();
                pending = new HashSet<>();
                for (ChangeSet cs : changeSets) {
                    pending.add(key(cs));
                }
                progress.info(pending.size() + " changeset(s) pending on " + settings.displayUrl() + " (PostgreSQL "
                        + major + ", read only, no lock taken)");
            }
            return new Target(major, roles, pending);
        } catch (SQLException e) {
            throw DbdeployException.runtime("Cannot read the target " + settings.displayUrl() + ": " + scrub(e.getMessage())
                    + "\nSet " + PropertyNames.REHEARSE_FROM + "=all to rehearse without it.", e);
        } catch (DbdeployException e) {
            if (settings.rehearseFrom() != null && e.kind() == DbdeployException.Kind.RUNTIME) {
                // The target only chooses the server version here; the rehearsal does not need it.
                progress.warn(e.getMessage().lines().findFirst().orElse("") + " Rehearsing without it.");
                return new Target(null, List.of(), null);
            }
            throw e;
        }
    }

    /**
     * The target's roles, so that GRANTs and OWNER TOs in changesets find them; created without login, and only
     * those the server does not have already.
     */
    private static void createRoles(Connection c, List<String> roles) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String role : roles) {
                st.execute("do $$ begin if not exists (select 1 from pg_roles where rolname = "
                        + quoteLiteral(role) + ") then create role " + quoteIdentifier(role) + " nologin; end if; end $$");
            }
        }
    }

    private EmbeddedPostgres start(PostgresBinaries.Choice choice) {
        try {
            return EmbeddedPostgres.builder().setPgBinaryResolver(choice.binaries())
                    // A throwaway server: nothing it writes needs to survive a crash.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                    .setErrorRedirector(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw DbdeployException.runtime("Cannot start the embedded PostgreSQL for the rehearsal (" + choice.description()
                    + "): " + e.getMessage(), e);
        }
    }

    private void report(ChangesetRehearsal r) {
        List<String> parts = new ArrayList<>();
        if (ChangesetRehearsal.FAILED.equals(r.apply())) {
            parts.add("apply FAILED");
        } else {
            parts.add("rollback " + r.rollback());
            if (r.reapply() != null) {
                parts.add("reapply " + r.reapply());
            }
        }
        if (r.dataLoss()) {
            parts.add("data loss");
        }
        String line = String.format("  rehearsed %s (%s) %d ms: %s", r.id(), r.file(), r.durationMs(),
                String.join(", ", parts));
        List<String> details = new ArrayList<>();
        r.locks().forEach(l -> details.add("lock " + l.mode() + " on " + l.relation()));
        r.rewrites().forEach(t -> details.add("rewrites " + t));
        r.breaking().forEach(b -> details.add("breaking: " + b.object() + " " + b.reason()));
        if (r.applyError() != null) {
            details.add("error: " + r.applyError());
        }
        if (r.rollbackError() != null) {
            details.add("rollback error: " + r.rollbackError());
        }
        r.rollbackDiff().forEach(d -> details.add("after rollback " + d));
        if (r.reapplyError() != null) {
            details.add("reapply error: " + r.reapplyError());
        }
        if (!r.waived().isEmpty()) {
            details.add("waived: " + String.join(", ", r.waived()));
        }
        if (!r.failedChecks().isEmpty()) {
            details.add("FAILS " + String.join(", ", r.failedChecks()));
        }
        if (r.failed()) {
            progress.warn(line);
            details.forEach(d -> progress.warn("      " + d));
        } else {
            progress.info(line);
            details.forEach(d -> progress.info("      " + d));
        }
    }

    private RunSummary summary(String status, int skipped, long started, List<ChangesetRehearsal> results,
                               String error) {
        return new RunSummary(RunSummary.SCHEMA_VERSION, Command.REHEARSE, status, settings.environment(),
                RunSummary.LOCAL, null, false, 0, skipped, elapsed(started), error, List.of(), List.of(), null)
                .withRehearsal(results);
    }

    private String failure(LiquibaseSession.Outcome outcome) {
        LiquibaseSession.Failure f = outcome.failure();
        return scrub(f != null ? f.reason() : outcome.describeFailure());
    }

    private String scrub(String text) {
        return settings.password() == null || text == null ? text : settings.password().scrub(text);
    }

    private static String key(ChangeSet cs) {
        return cs.getFilePath().replace('\\', '/') + "::" + cs.getId() + "::" + cs.getAuthor();
    }

    private static Properties properties() {
        Properties p = new Properties();
        p.setProperty("ApplicationName", "dbdeploy rehearse");
        // pgjdbc 42.7.13 re-prepares every statement of the connection after each CREATE, DROP or ALTER, so the
        // snapshot statements, made to be planned once, were planned afresh after every DDL changeset: two thirds of
        // a rehearsal's snapshot time. Their result types never change (they read the catalog), so the cache stays.
        // Drivers without the setting ignore it.
        p.setProperty("flushCacheOnDdl", "false");
        return p;
    }

    private static String serverVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show server_version")) {
            rs.next();
            return "server " + rs.getString(1).split(" ")[0];
        }
    }

    private static String quoteLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String quoteIdentifier(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
