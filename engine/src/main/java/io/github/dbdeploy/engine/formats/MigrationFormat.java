package io.github.dbdeploy.engine.formats;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The shapes of migration directory dbdeploy reads ({@code dbdeploy.format}), named as the user writes them. */
public enum MigrationFormat {
    /** Decide from the file names (and dbmate's {@code -- migrate:up} marker). */
    AUTO("auto"),
    /** {@code V1__name.sql}, {@code V1.2__name.sql}, optional {@code U1__name.sql} undo, {@code R__name.sql}. */
    FLYWAY("flyway"),
    /** {@code 1_name.up.sql} and {@code 1_name.down.sql}. */
    GOLANG_MIGRATE("golang-migrate"),
    /** {@code 20151129054053_name.sql} with {@code -- migrate:up} and {@code -- migrate:down} sections. */
    DBMATE("dbmate"),
    /** {@code 2019-02-26-002946_name/up.sql} and {@code down.sql}, optional {@code metadata.toml}. */
    DIESEL("diesel"),
    /** {@code 0000_name.sql} listed in {@code meta/_journal.json}. */
    DRIZZLE("drizzle"),
    /** The psql loop: {@code 001_name.sql} (or {@code 001-name.sql}), optional {@code 001_name.down.sql}. */
    SQL("sql");

    private final String id;

    MigrationFormat(String id) {
        this.id = id;
    }

    /** The name used in {@code dbdeploy.format}, and as the author of the changesets read in this format. */
    public String id() {
        return id;
    }

    /** The format named {@code value} (case-insensitive); null or blank is {@link #AUTO}. */
    public static MigrationFormat of(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (MigrationFormat f : values()) {
            if (f.id.equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + value.trim() + "': use one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(MigrationFormat::id).collect(Collectors.joining(", "));
    }
}
