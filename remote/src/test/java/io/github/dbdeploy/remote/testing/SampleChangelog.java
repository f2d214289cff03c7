package io.github.dbdeploy.remote.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A master XML changelog including formatted-SQL files (one changeset each), written into a project directory. */
public final class SampleChangelog {
    private final Path root;
    private final Map<String, String> files = new LinkedHashMap<>();

    public SampleChangelog(Path root) {
        this.root = root;
    }

    /** Adds {@code sql/NAME.sql} with changeset {@code alice:NAME}; {@code rollback} null means none. */
    public SampleChangelog add(String name, String sql, String rollback) {
        files.put(name, "--liquibase formatted sql\n--changeset alice:" + name + "\n" + sql + "\n"
                + (rollback == null ? "" : "--rollback " + rollback + "\n"));
        return this;
    }

    /** The usual two: a table and an index on it, both reversible. */
    public SampleChangelog customers() {
        return add("001-customer", "create table customer (id int primary key, name text not null);", "drop table customer;")
                .add("002-customer-name", "create index customer_name on customer (name);", "drop index customer_name;");
    }

    public Path write() {
        try {
            Files.createDirectories(root.resolve("sql"));
            StringBuilder master = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n"
                    + "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                    + "    xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog"
                    + " http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.33.xsd\">\n");
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(root.resolve("sql/" + f.getKey() + ".sql"), f.getValue());
                master.append("  <include file=\"sql/").append(f.getKey())
                        .append(".sql\" relativeToChangelogFile=\"true\"/>\n");
            }
            master.append("</databaseChangeLog>\n");
            Path changelog = root.resolve("changelog.xml");
            Files.writeString(changelog, master);
            return changelog;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
