package io.github.dbdeploy.engine.formats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A migration file's SQL cut into statements where psql would cut it: at a semicolon outside string literals
 * ({@code '...'}, {@code E'...'}), quoted identifiers, dollar-quoted bodies ({@code $$}, {@code $tag$}), comments
 * (nested block comments too), parentheses, and the {@code BEGIN ... END} of a SQL-standard function body.
 *
 * <p>Liquibase's own splitter does not know dollar quoting, which is why real projects' function files fail there
 * with "Expected terminating $$". Files that run in a transaction are sent whole, so this splitter only decides
 * there whether a file can run in one (and finds psql meta-commands); files that cannot are run one statement at
 * a time, as psql without {@code -1} would run them.
 */
public final class SqlScript {

    /**
     * One statement: its text as written (comments inside it kept), the line it starts on, and its skeleton (comments
     * dropped, literals emptied, whitespace collapsed, upper case) for recognising what kind of statement it is.
     */
    public record Statement(String sql, int line, String skeleton) {
    }

    /** A psql meta-command (a backslash outside quotes) or {@code COPY ... FROM stdin}: psql-only input. */
    public record PsqlOnly(int line, String text) {
    }

    /**
     * Statements PostgreSQL refuses inside a transaction block ("cannot run inside a transaction block"), matched on
     * the skeleton.
     */
    private static final List<Pattern> NON_TRANSACTIONAL = List.of(
            Pattern.compile("^CREATE (UNIQUE )?INDEX CONCURRENTLY\\b.*"),
            Pattern.compile("^DROP INDEX CONCURRENTLY\\b.*"),
            Pattern.compile("^REINDEX\\b.*\\bCONCURRENTLY\\b.*"),
            Pattern.compile("^VACUUM\\b.*"),
            Pattern.compile("^ALTER TABLE\\b.*\\bDETACH PARTITION\\b.*\\b(CONCURRENTLY|FINALIZE)\\b.*"),
            Pattern.compile("^(CREATE|DROP) (DATABASE|TABLESPACE)\\b.*"),
            Pattern.compile("^ALTER SYSTEM\\b.*"),
            Pattern.compile("^CREATE SUBSCRIPTION\\b.*"));
    /** Until PostgreSQL 12, ALTER TYPE ... ADD VALUE could not run in a transaction block either. */
    private static final Pattern ADD_ENUM_VALUE = Pattern.compile("^ALTER TYPE\\b.*\\bADD VALUE\\b.*");
    private static final Pattern COPY_FROM_STDIN = Pattern.compile("^COPY\\b.*\\bFROM STDIN\\b.*");

    private final List<Statement> statements;
    private final List<PsqlOnly> psqlOnly;

    private SqlScript(List<Statement> statements, List<PsqlOnly> psqlOnly) {
        this.statements = statements;
        this.psqlOnly = psqlOnly;
    }

    public static SqlScript parse(String sql) {
        return new Lexer(sql).run();
    }

    /** The statements in file order; comment-only text between them is not a statement. */
    public List<Statement> statements() {
        return statements;
    }

    /** Meta-commands and {@code COPY ... FROM stdin}, which only psql understands; empty for plain SQL. */
    public List<PsqlOnly> psqlOnly() {
        return psqlOnly;
    }

    /** Whether PostgreSQL (of this major version) refuses {@code statement} inside a transaction block. */
    public static boolean isNonTransactional(Statement statement, int serverMajorVersion) {
        String s = statement.skeleton();
        for (Pattern p : NON_TRANSACTIONAL) {
            if (p.matcher(s).matches()) {
                return true;
            }
        }
        return serverMajorVersion < 12 && ADD_ENUM_VALUE.matcher(s).matches();
    }

    /** The statements that cannot run in a transaction block. */
    public List<Statement> nonTransactional(int serverMajorVersion) {
        List<Statement> out = new ArrayList<>();
        for (Statement s : statements) {
            if (isNonTransactional(s, serverMajorVersion)) {
                out.add(s);
            }
        }
        return out;
    }

    /** A statement for messages: its first line, shortened. */
    public static String excerpt(String sql) {
        String first = sql.strip().lines().findFirst().orElse("");
        return first.length() > 80 ? first.substring(0, 77) + "..." : first;
    }

    /** A single pass over the text, in the states psql's own lexer (psqlscan.l) has. */
    private static final class Lexer {
        private final String s;
        private final List<Statement> statements = new ArrayList<>();
        private final List<PsqlOnly> psqlOnly = new ArrayList<>();
        private int pos;
        private int line = 1;

        // The statement being read.
        private int start = -1;
        private int startLine;
        private final StringBuilder skeleton = new StringBuilder();
        private int parenDepth;
        private int beginDepth;
        private final List<String> leadingWords = new ArrayList<>();

        Lexer(String s) {
            this.s = s;
        }

        SqlScript run() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\n') {
                    line++;
                    pos++;
                    space();
                } else if (Character.isWhitespace(c)) {
                    pos++;
                    space();
                } else if (c == '-' && peek(1) == '-') {
                    skipLineComment();
                } else if (c == '/' && peek(1) == '*') {
                    skipBlockComment();
                } else if (c == ';' && parenDepth == 0 && beginDepth == 0) {
                    pos++;
                    endStatement(pos);
                } else if (c == '\\') {
                    metaCommand();
                } else {
                    token(c);
                }
            }
            endStatement(s.length());
            return new SqlScript(List.copyOf(statements), List.copyOf(psqlOnly));
        }

        private void token(char c) {
            if (start < 0) {
                start = pos;
                startLine = line;
            }
            if (c == '\'') {
                quoted('\'', false);
                skeleton.append("''");
            } else if ((c == 'E' || c == 'e') && peek(1) == '\'' && !identifierCharBefore(pos)) {
                pos++;
                quoted('\'', true);
                skeleton.append("''");
            } else if (c == '"') {
                quoted('"', false);
                skeleton.append("\"\"");
            } else if (c == '$' && !identifierCharBefore(pos) && dollarTag() != null) {
                String tag = dollarTag();
                int end = s.indexOf(tag, pos + tag.length());
                int stop = end < 0 ? s.length() : end + tag.length();
                countLines(pos, stop);
                pos = stop;
                skeleton.append("$$");
            } else if (Character.isLetter(c) || c == '_') {
                int from = pos;
                while (pos < s.length() && isIdentifierChar(s.charAt(pos))) {
                    pos++;
                }
                word(s.substring(from, pos));
            } else {
                if (c == '(') {
                    parenDepth++;
                } else if (c == ')' && parenDepth > 0) {
                    parenDepth--;
                }
                skeleton.append(c);
                pos++;
            }
        }

        /**
         * psql's heuristic for SQL-standard function bodies ({@code BEGIN ATOMIC ... END}): inside CREATE [OR REPLACE]
         * FUNCTION/PROCEDURE, BEGIN opens a block, CASE within one opens another, END closes one.
         */
        private void word(String w) {
            String upper = w.toUpperCase(Locale.ROOT);
            if (leadingWords.size() < 4) {
                leadingWords.add(upper);
            }
            skeleton.append(upper);
            if (createsRoutine() && parenDepth == 0) {
                if (upper.equals("BEGIN")) {
                    beginDepth++;
                } else if (upper.equals("CASE") && beginDepth > 0) {
                    beginDepth++;
                } else if (upper.equals("END") && beginDepth > 0) {
                    beginDepth--;
                }
            }
        }

        private boolean createsRoutine() {
            List<String> w = leadingWords;
            if (w.size() < 2 || !w.get(0).equals("CREATE")) {
                return false;
            }
            if (w.get(1).equals("FUNCTION") || w.get(1).equals("PROCEDURE")) {
                return true;
            }
            return w.size() >= 4 && w.get(1).equals("OR") && w.get(2).equals("REPLACE")
                    && (w.get(3).equals("FUNCTION") || w.get(3).equals("PROCEDURE"));
        }

        /** A string or quoted identifier; doubled quotes stay inside, and in E'' strings so does a backslash escape. */
        private void quoted(char quote, boolean backslashEscapes) {
            pos++; // the opening quote
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\n') {
                    line++;
                }
                if (backslashEscapes && c == '\\' && pos + 1 < s.length()) {
                    if (s.charAt(pos + 1) == '\n') {
                        line++;
                    }
                    pos += 2;
                } else if (c == quote) {
                    if (peek(1) == quote) {
                        pos += 2;
                    } else {
                        pos++;
                        return;
                    }
                } else {
                    pos++;
                }
            }
        }

        /** {@code $tag$} starting at pos (tag: letters, digits, underscores, not starting with a digit), or null. */
        private String dollarTag() {
            int i = pos + 1;
            if (i < s.length() && Character.isDigit(s.charAt(i))) {
                return null; // $1 is a parameter, not a quote
            }
            while (i < s.length() && isIdentifierChar(s.charAt(i)) && s.charAt(i) != '$') {
                i++;
            }
            return i < s.length() && s.charAt(i) == '$' ? s.substring(pos, i + 1) : null;
        }

        private void skipLineComment() {
            while (pos < s.length() && s.charAt(pos) != '\n') {
                pos++;
            }
        }

        private void skipBlockComment() {
            int depth = 0;
            do {
                if (s.startsWith("/*", pos)) {
                    depth++;
                    pos += 2;
                } else if (s.startsWith("*/", pos)) {
                    depth--;
                    pos += 2;
                } else {
                    if (s.charAt(pos) == '\n') {
                        line++;
                    }
                    pos++;
                }
            } while (depth > 0 && pos < s.length());
            space();
        }

        /** psql reads a backslash outside quotes as a meta-command running to the end of the line. */
        private void metaCommand() {
            int end = s.indexOf('\n', pos);
            end = end < 0 ? s.length() : end;
            psqlOnly.add(new PsqlOnly(line, s.substring(pos, end).strip()));
            pos = end;
        }

        private void space() {
            if (skeleton.length() > 0 && skeleton.charAt(skeleton.length() - 1) != ' ') {
                skeleton.append(' ');
            }
        }

        private void endStatement(int end) {
            if (start >= 0) {
                String skel = skeleton.toString().strip();
                if (skel.endsWith(";")) {
                    skel = skel.substring(0, skel.length() - 1).strip();
                }
                Statement st = new Statement(s.substring(start, end).strip(), startLine, skel);
                statements.add(st);
                if (COPY_FROM_STDIN.matcher(skel).matches()) {
                    psqlOnly.add(new PsqlOnly(startLine, excerpt(st.sql())));
                }
            }
            start = -1;
            skeleton.setLength(0);
            parenDepth = 0;
            beginDepth = 0;
            leadingWords.clear();
        }

        private void countLines(int from, int to) {
            for (int i = from; i < to; i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                }
            }
        }

        private char peek(int ahead) {
            int i = pos + ahead;
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private boolean identifierCharBefore(int i) {
            return i > 0 && isIdentifierChar(s.charAt(i - 1));
        }

        private static boolean isIdentifierChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$';
        }
    }
}
