package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** dbdeploy.checks: run after the last changeset, under the lock; a failed one undoes the deployment. */
class PostDeployChecksTest extends EngineTest {

    private Path checks(String sql) throws Exception {
        Path file = dir.resolve("checks.sql");
        Files.writeString(file, sql);
        return file;
    }

    private static List<String> statuses(RunSummary s) {
        return s.checks().stream().map(c -> c.name() + "=" + c.status()).toList();
    }

    @Test
    void checksThatPassLetTheDeploymentStandAndAreReported() throws Exception {
        String url = TestDatabases.newDatabase("checks_pass");
        Path changelog = threeGood().write();
        Path checks = checks("-- customers were seeded\nselect count(*) = 2 from customer;\n\n"
                + "-- every customer has a name\nselect name is not null from customer;\n"
                + "select count(*) from customer;\n");

        RunSummary ok = new Dbdeploy(builder(url, changelog, "v1").checks(checks).build(), progress).migrate();

        assertEquals(RunSummary.SUCCESS, ok.status(), ok.error());
        assertEquals(List.of("customers were seeded=passed", "every customer has a name=passed", "line 6=passed"),
                statuses(ok));
        RunSummary written = SummaryWriter.parse(Files.readString(dir.resolve("out/summary.json")));
        assertEquals(ok.checks(), written.checks());
        assertTrue(Files.readString(dir.resolve("out/summary.md")).contains("| customers were seeded |"));
    }

    @Test
    void aFailedCheckRollsTheDeploymentBackAndNamesTheCheck() throws Exception {
        String url = TestDatabases.newDatabase("checks_fail");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String before = SchemaDump.of(url);
        changelogs.add("004-phone", "alter table customer add column phone text;",
                "alter table customer drop column phone;").write();
        Path checks = checks("-- the table is readable\nselect count(*) from customer;\n"
                + "-- every customer has a phone\nselect phone is not null from customer;\n"
                + "-- no such table\nselect 1 from no_such_table;\n");

        RunSummary failed = new Dbdeploy(builder(url, changelog, "v2").checks(checks).build(), progress).migrate();

        assertEquals(RunSummary.ROLLED_BACK, failed.status());
        assertTrue(failed.error().startsWith("Post-deploy check 'every customer has a phone' in " + checks
                + " failed: returned false in row 1"), failed.error());
        assertTrue(failed.error().contains("Rolled back the 1 changeset(s) applied before it"), failed.error());
        assertEquals(List.of("the table is readable=passed", "every customer has a phone=failed",
                "no such table=failed"), statuses(failed));
        assertTrue(failed.checks().get(2).error().contains("relation \"no_such_table\" does not exist"),
                failed.checks().get(2).error());
        assertEquals(before, SchemaDump.of(url));
        assertEquals(List.of("3"), column(url, "select count(*) from databasechangelog"));
    }

    @Test
    void inOneTransactionAFailedCheckDiscardsTheDeployment() throws Exception {
        String url = TestDatabases.newDatabase("checks_fail_one_tx");
        Changelogs changelogs = threeGood();
        Path changelog = changelogs.write();
        migrate(url, changelog, "v1");
        String before = SchemaDump.of(url);
        changelogs.add("004-wipe", "delete from customer;", null).write();
        Path checks = checks("-- customers are still there\nselect count(*) > 0 from customer;\n");

        RunSummary failed = new Dbdeploy(builder(url, changelog, "v2").checks(checks).transaction("deployment")
                .build(), progress).migrate();

        assertEquals(RunSummary.ROLLED_BACK, failed.status());
        assertTrue(failed.error().contains("Post-deploy check 'customers are still there'"), failed.error());
        assertTrue(failed.error().contains("No rollback script ran"), failed.error());
        assertEquals(before, SchemaDump.of(url));
    }

    @Test
    void statusListsTheChecksWithoutRunningThem() throws Exception {
        String url = TestDatabases.newDatabase("checks_status");
        Path changelog = threeGood().write();
        Path checks = checks("-- would fail\nselect false;\n");
        StatusReport report = new Dbdeploy(builder(url, changelog, null).checks(checks).build(), progress).status();
        assertEquals(List.of("would fail=not_run"), statuses(report.summary()));
        assertEquals(RunSummary.SUCCESS, report.summary().status());
    }
}
