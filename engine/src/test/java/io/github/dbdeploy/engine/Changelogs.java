package io.github.dbdeploy.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a master XML changelog that includes formatted-SQL files, one changeset each, into a directory. */
public final class Changelogs {
    private final Path root;
    private final Map<String, String> files = new LinkedHashMap<>();

    public Changelogs(Path root) {
        this.root = root;
    }

    /** Adds {@code sql/NAME.sql} with one changeset by alice; {@code rollback} null means none. */
    public Changelogs add(String name, String sql, String rollback) {
        return add(name, "", sql, rollback);
    }

    /**
     * As {@link #add(String, String, String)}, with changeset attributes of formatted SQL, e.g.
     * {@code "runAlways:true"} or {@code "context:eu"}.
     */
    public Changelogs add(String name, String attributes, String sql, String rollback) {
        files.put(name, "--liquibase formatted sql\n--changeset alice:" + name
                + (attributes.isEmpty() ? "" : " " + attributes) + "\n" + sql + "\n"
                + (rollback == null ? "" : "--rollback " + rollback + "\n"));
        return this;
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
