package io.github.dbdeploy.remote.testing;

import java.nio.file.Path;

import io.github.dbdeploy.engine.Changelogs;

/** The engine's test changelog writer, plus the two-changeset sample most remote tests deploy. */
public final class SampleChangelog {
    private final Changelogs changelogs;

    public SampleChangelog(Path root) {
        this.changelogs = new Changelogs(root);
    }

    /** Adds {@code sql/NAME.sql} with changeset {@code alice:NAME}; {@code rollback} null means none. */
    public SampleChangelog add(String name, String sql, String rollback) {
        changelogs.add(name, sql, rollback);
        return this;
    }

    /** The usual two: a table and an index on it, both reversible. */
    public SampleChangelog customers() {
        return add("001-customer", "create table customer (id int primary key, name text not null);", "drop table customer;")
                .add("002-customer-name", "create index customer_name on customer (name);", "drop index customer_name;");
    }

    public Path write() {
        return changelogs.write();
    }
}
