package io.github.dbdeploy.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;

/** What the engine's tests share: a directory per test, the progress lines a run printed, settings, SQL reads. */
abstract class EngineTest {
    @TempDir
    Path dir;

    final List<String> lines = new ArrayList<>();
    final Progress progress = new Progress() {
        @Override
        public void info(String line) {
            lines.add(line);
        }

        @Override
        public void warn(String line) {
            lines.add("WARN " + line);
        }
    };

    Changelogs threeGood() {
        return new Changelogs(dir.resolve("db"))
                .add("001-customer", "create table customer (id bigint primary key, name text not null);",
                        "drop table customer;")
                .add("002-email", "alter table customer add column email text;",
                        "alter table customer drop column email;")
                .add("003-seed", "insert into customer (id, name) values (1, 'ada'), (2, 'bob');",
                        "delete from customer where id in (1, 2);");
    }

    DeploySettings.Builder builder(String url, Path changelog, String id) {
        return DeploySettings.builder().environment("test").jdbcUrl(url).changelog(changelog).deploymentId(id)
                .outputDirectory(dir.resolve("out"));
    }

    DeploySettings settings(String url, Path changelog, String id) {
        return builder(url, changelog, id).build();
    }

    RunSummary migrate(String url, Path changelog, String id) {
        return new Dbdeploy(settings(url, changelog, id), progress).migrate();
    }

    static List<String> column(String url, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static void execute(String url, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
