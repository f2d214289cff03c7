package io.github.dbdeploy.engine.formats;

import liquibase.change.AbstractChange;
import liquibase.change.ChangeMetaData;
import liquibase.change.CheckSum;
import liquibase.change.DatabaseChange;
import liquibase.database.Database;
import liquibase.statement.SqlStatement;
import liquibase.statement.core.RawSqlStatement;

/**
 * A migration file's SQL as one Liquibase change, sent to the server as the file's tool would send it: the whole
 * file in one go when it runs in a transaction (so PostgreSQL, not a client-side splitter, reads dollar quotes,
 * strings and comments), else one statement at a time. Liquibase's own {@code sql}/{@code sqlFile} changes pass the
 * text through its statement parser even with splitting off, which fails on dollar-quoted bodies.
 */
@DatabaseChange(name = "sqlScript", description = "A migration file of another tool, run as psql would run it",
        priority = ChangeMetaData.PRIORITY_DEFAULT)
public final class ScriptChange extends AbstractChange {
    private final Migration.Script script;

    public ScriptChange(Migration.Script script) {
        this.script = script;
    }

    public Migration.Script script() {
        return script;
    }

    @Override
    public SqlStatement[] generateStatements(Database database) {
        // The end delimiter is only what a dry run prints after each unit; a whole file already ends with its own.
        return script.units().stream().map(unit -> new RawSqlStatement(unit, "")).toArray(SqlStatement[]::new);
    }

    @Override
    public CheckSum generateCheckSum() {
        return CheckSum.compute(script.sql());
    }

    @Override
    public String getConfirmationMessage() {
        return "Ran " + script.logicalPath();
    }

    @Override
    public boolean generateStatementsVolatile(Database database) {
        return false;
    }
}
