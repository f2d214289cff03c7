package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;

/**
 * Takes over a database another tool has managed: reads its history table (Flyway, golang-migrate, dbmate, diesel,
 * Drizzle, a psql loop's schema_migrations; Rails, Knex and Alembic as a baseline), checks it against the changelog
 * directory (Flyway checksums, Drizzle hashes, failed or dirty runs, rows without a file) and records those
 * migrations as applied without running them. The other tool's table is never changed; running it again changes
 * nothing.
 */
@Mojo(name = "adopt", requiresProject = true, threadSafe = true)
public class AdoptMojo extends AbstractDatabaseMojo {

    /**
     * The tool whose history to adopt: {@code flyway}, {@code golang-migrate}, {@code dbmate}, {@code sql} (a psql
     * loop), {@code diesel}, {@code drizzle}, {@code rails}, {@code knex} or {@code alembic}; found by itself when the
     * database has one tool's table.
     */
    @Parameter(property = PropertyNames.ADOPT_FROM)
    private String adoptFrom;

    /** For Rails, Knex and Alembic (whose migrations are code): the last migration of the changelog already applied. */
    @Parameter(property = PropertyNames.BASELINE_VERSION)
    private String baselineVersion;

    /** Print what would be recorded, change nothing. */
    @Parameter(property = PropertyNames.DRY_RUN, defaultValue = "false")
    private boolean dryRun;

    @Inject
    public AdoptMojo(SettingsDecrypter settingsDecrypter) {
        super(settingsDecrypter);
    }

    @Override
    protected Command command() {
        return Command.ADOPT;
    }
}
