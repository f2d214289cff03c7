package io.github.dbdeploy.engine.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class SqlScriptTest {

    private static List<String> split(String sql) {
        return SqlScript.parse(sql).statements().stream().map(SqlScript.Statement::sql).toList();
    }

    @Test
    void semicolonsInsideQuotesCommentsAndBodiesDoNotEndAStatement() {
        String sql = """
                CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
                CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 2; /* $$ */ END; $body$;
                DO $x$ BEGIN PERFORM 1; END $x$;
                INSERT INTO t VALUES (E'a;\\'b;', 'c'';d', U&'e;');
                -- a comment; with a semicolon
                /* block; /* nested; */ still comment; */
                SELECT "odd;name" FROM t;
                CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);
                SELECT 1""";
        List<String> statements = split(sql);
        assertEquals(7, statements.size(), statements.toString());
        assertTrue(statements.get(0).endsWith("END; $$;"), statements.get(0));
        assertTrue(statements.get(1).endsWith("END; $body$;"), statements.get(1));
        assertEquals("INSERT INTO t VALUES (E'a;\\'b;', 'c'';d', U&'e;');", statements.get(3));
        assertEquals("SELECT \"odd;name\" FROM t;", statements.get(4));
        assertEquals("CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);", statements.get(5));
        assertEquals("SELECT 1", statements.get(6));
    }

    @Test
    void sqlStandardFunctionBodiesKeepTheirSemicolons() {
        List<String> statements = split("""
                CREATE OR REPLACE FUNCTION h(a int) RETURNS int LANGUAGE sql
                BEGIN ATOMIC
                    SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;
                    SELECT a;
                END;
                SELECT h(1);
                """);
        assertEquals(2, statements.size(), statements.toString());
        assertEquals("SELECT h(1);", statements.get(1));
    }

    @Test
    void statementsKnowTheirLine() {
        List<SqlScript.Statement> statements = SqlScript.parse("SELECT 1;\n\n-- x\nSELECT $$\n;\n$$;\nSELECT 3;")
                .statements();
        assertEquals(List.of(1, 4, 7), statements.stream().map(SqlScript.Statement::line).toList());
    }

    @Test
    void recognisesStatementsThatCannotRunInATransaction() {
        SqlScript script = SqlScript.parse("""
                create index concurrently i1 on t (a);
                CREATE UNIQUE INDEX
                   CONCURRENTLY i2 on t (b);
                drop index concurrently if exists i3;
                reindex (verbose) index concurrently i4;
                vacuum analyze t;
                alter table p detach partition p1 concurrently;
                create index i5 on t (c);
                insert into t values ('create index concurrently');
                alter type mood add value 'meh';
                """);
        List<String> outside = script.nonTransactional(16).stream()
                .map(s -> s.skeleton().substring(0, 12)).toList();
        assertEquals(6, outside.size(), outside.toString());
        assertFalse(script.nonTransactional(16).stream().anyMatch(s -> s.sql().startsWith("insert")),
                "a string that looks like SQL is not a statement");
        assertEquals(7, script.nonTransactional(11).size(), "before PostgreSQL 12 ADD VALUE needs no transaction");
    }

    @Test
    void findsPsqlMetaCommandsAndCopyFromStdinWithTheirLines() {
        SqlScript script = SqlScript.parse("""
                SELECT 1;
                \\set ON_ERROR_STOP on
                SELECT 'not \\i a command';
                COPY t (a) FROM stdin;
                """);
        assertEquals(List.of(new SqlScript.PsqlOnly(2, "\\set ON_ERROR_STOP on"),
                new SqlScript.PsqlOnly(4, "COPY t (a) FROM stdin;")), script.psqlOnly());
        assertTrue(SqlScript.parse("SELECT E'\\\\i'; SELECT $$\\connect$$;").psqlOnly().isEmpty());
    }
}
