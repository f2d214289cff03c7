package io.github.dbdeploy.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import io.github.dbdeploy.engine.formats.SqlScript;

/**
 * The queries of {@code dbdeploy.checks}: the verification teams otherwise do by hand after a migration. Each must
 * run without error, and every row it returns whose first column is a boolean must say true. A check is named by the
 * {@code --} comment line right above it.
 */
final class PostDeployChecks {
    record Check(String name, String sql) {
    }

    private final Path file;
    private final List<Check> checks;

    private PostDeployChecks(Path file, List<Check> checks) {
        this.file = file;
        this.checks = checks;
    }

    /** The checks of {@code file}; none when {@code file} is null. */
    static PostDeployChecks read(Path file) {
        if (file == null) {
            return new PostDeployChecks(null, List.of());
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw DbdeployException.configuration("Cannot read " + PropertyNames.CHECKS + " file " + file + ": "
                    + e.getMessage());
        }
        List<Check> checks = new ArrayList<>();
        // The splitter of directory changelogs: dollar quotes, strings and comments are read as psql reads them.
        List<String> lines = text.lines().toList();
        for (SqlScript.Statement s : SqlScript.parse(text).statements()) {
            checks.add(new Check(name(s, lines), s.sql()));
        }
        if (checks.isEmpty()) {
            throw DbdeployException.configuration(PropertyNames.CHECKS + " file " + file + " holds no query: add one"
                    + " query per check (each ending with ;), or leave " + PropertyNames.CHECKS + " unset.");
        }
        return new PostDeployChecks(file, checks);
    }

    /** The {@code --} comment on the line right above the statement (or starting it), else its line number. */
    private static String name(SqlScript.Statement s, List<String> lines) {
        String first = s.sql().strip();
        if (first.startsWith("--")) {
            return first.lines().findFirst().orElse("").substring(2).strip();
        }
        int above = s.line() - 2; // index of the line above, lines counted from 1
        if (above >= 0 && above < lines.size() && lines.get(above).strip().startsWith("--")) {
            return lines.get(above).strip().substring(2).strip();
        }
        return "line " + s.line();
    }

    List<Check> checks() {
        return checks;
    }

    boolean isEmpty() {
        return checks.isEmpty();
    }

    /** Every check as not run, for {@code status}. */
    List<CheckOutcome> listed() {
        return checks.stream().map(c -> new CheckOutcome(c.name(), CheckOutcome.NOT_RUN, 0, null)).toList();
    }

    /**
     * Runs the checks on {@code c}. With {@code separately}, each runs in a transaction of its own that is rolled back
     * (checks are queries: whatever one writes is undone), so all of them run whatever fails; otherwise they run in the
     * caller's open transaction, and an error, which aborts it, leaves the rest unrun.
     */
    List<CheckOutcome> run(Connection c, LockGuard guard, boolean separately, Progress progress) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            return runAll(c, guard, separately, progress);
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private List<CheckOutcome> runAll(Connection c, LockGuard guard, boolean separately, Progress progress)
            throws SQLException {
        List<CheckOutcome> out = new ArrayList<>();
        boolean aborted = false;
        for (Check check : checks) {
            if (aborted) {
                out.add(new CheckOutcome(check.name(), CheckOutcome.NOT_RUN, 0, null));
                continue;
            }
            long started = System.nanoTime();
            String error;
            try {
                guard.applyTo(c);
                error = run(c, check.sql());
            } catch (SQLException e) {
                error = e.getMessage().trim();
                aborted = !separately;
            }
            if (separately) {
                c.rollback();
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            out.add(new CheckOutcome(check.name(), error == null ? CheckOutcome.PASSED : CheckOutcome.FAILED, ms,
                    error));
            progress.info(String.format("  %-11s %s %d ms%s", error == null ? "check ok" : "check FAILED",
                    check.name(), ms, error == null ? "" : ": " + error));
        }
        return out;
    }

    /** Null when the check passes, else why not. */
    private static String run(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            boolean hasResult = st.execute(sql);
            while (!hasResult && st.getUpdateCount() != -1) {
                hasResult = st.getMoreResults();
            }
            if (!hasResult) {
                return null;
            }
            try (ResultSet rs = st.getResultSet()) {
                int type = rs.getMetaData().getColumnType(1);
                if (type != Types.BOOLEAN && type != Types.BIT) {
                    return null;
                }
                int row = 0;
                while (rs.next()) {
                    row++;
                    boolean value = rs.getBoolean(1);
                    if (rs.wasNull() || !value) {
                        return "returned " + (rs.wasNull() ? "null" : "false") + " in row " + row + " (a check"
                                + " passes when the first column of every row it returns is true)";
                    }
                }
                return null;
            }
        }
    }

    /** A failed check, named, as the reason of a failed deployment. */
    String describe(CheckOutcome failed) {
        return "Post-deploy check '" + failed.name() + "' in " + file + " failed: " + failed.error();
    }
}
