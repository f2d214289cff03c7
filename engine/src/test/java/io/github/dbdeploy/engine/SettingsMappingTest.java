package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one mapping from dbdeploy.* properties to settings, as every front door uses it. */
class SettingsMappingTest {

    private static Map<String, String> minimal(Path dir) throws Exception {
        Files.writeString(dir.resolve("changelog.sql"), "--liquibase formatted sql\n");
        Map<String, String> p = new HashMap<>();
        p.put("dbdeploy.url", "jdbc:postgresql://localhost:5432/app");
        p.put("dbdeploy.changelog", "changelog.sql");
        return p;
    }

    private static DeploySettings map(Map<String, String> props, Path dir) {
        return SettingsMapping.deploySettings(props, new SettingsMapping.Context(dir, dir.resolve("out"), "1.2.3",
                Map.of("DBDEPLOY_PASSWORD", "from-env")::get, null));
    }

    @Test
    void rehearseSettingsAreReadAndOnlyRehearseRunsWithoutATarget(@TempDir Path dir) throws Exception {
        Map<String, String> p = minimal(dir);
        p.remove("dbdeploy.url");
        p.put("dbdeploy.rehearse.from", "042-orders");
        p.put("dbdeploy.rehearse.failOn", "rollback, breaking,dataLoss");
        p.put("dbdeploy.rehearse.postgresVersion", "16");
        SettingsMapping.Context context = new SettingsMapping.Context(dir, dir, null, name -> null, null);
        DeploySettings s = SettingsMapping.deploySettings(Command.REHEARSE, p, context);
        assertEquals(null, s.jdbcUrl());
        assertEquals("042-orders", s.rehearseFrom());
        assertEquals(java.util.EnumSet.of(RehearsalCheck.ROLLBACK, RehearsalCheck.BREAKING, RehearsalCheck.DATA_LOSS),
                s.rehearseFailOn());
        assertEquals(16, s.rehearsePostgresVersion());
        assertTrue(assertThrows(DbdeployException.class, () -> SettingsMapping.deploySettings(Command.MIGRATE, p,
                context)).getMessage().startsWith("no database URL"));

        p.put("dbdeploy.rehearse.failOn", "rollback,lock");
        assertEquals("dbdeploy.rehearse.failOn: unknown check 'lock': expected a comma list of rollback, reapply,"
                + " breaking, locks, rewrites, dataLoss, or none", assertThrows(DbdeployException.class,
                () -> SettingsMapping.deploySettings(Command.REHEARSE, p, context)).getMessage());
        p.remove("dbdeploy.rehearse.failOn");
        assertEquals(RehearsalCheck.DEFAULT_FAIL_ON, SettingsMapping.deploySettings(Command.REHEARSE, p, context)
                .rehearseFailOn());
    }

    @Test
    void everyEngineSettingIsReadFromItsProperty(@TempDir Path dir) throws Exception {
        Map<String, String> p = minimal(dir);
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.rollbackOnFailure", "false");
        p.put("dbdeploy.lockWaitSeconds", "7");
        p.put("dbdeploy.contexts", "main");
        p.put("dbdeploy.labels", "!slow");
        p.put("dbdeploy.tag", "release-9");
        p.put("dbdeploy.dryRun", "true");
        p.put("dbdeploy.failOnPending", "true");
        p.put("dbdeploy.rollbackCount", "2");
        p.put("dbdeploy.deployedBy", "jenkins#42");
        DeploySettings s = map(p, dir);
        assertEquals("prod", s.environment());
        assertFalse(s.rollbackOnFailure());
        assertEquals(7, s.lockWait().toSeconds());
        assertEquals("main", s.contexts());
        assertEquals("!slow", s.labels());
        assertEquals("release-9", s.deploymentId());
        assertTrue(s.dryRun());
        assertTrue(s.failOnPending());
        assertEquals(RollbackTarget.changesets(2), s.rollbackTarget());
        assertEquals("jenkins#42", s.deployedBy());
        assertEquals(dir.resolve("changelog.sql"), s.changelog());
        assertEquals("from-env", s.password().reveal());
    }

    @Test
    void defaultsWhenNothingIsSet(@TempDir Path dir) throws Exception {
        DeploySettings s = map(minimal(dir), dir);
        assertEquals("default", s.environment());
        assertTrue(s.rollbackOnFailure());
        assertEquals(300, s.lockWait().toSeconds());
        assertFalse(s.dryRun());
        assertEquals(RollbackTarget.lastDeployment(), s.rollbackTarget());
        assertTrue(s.deploymentId().startsWith("1.2.3-"), s.deploymentId());
    }

    @Test
    void aMalformedValueIsAConfigurationErrorNamingTheProperty(@TempDir Path dir) throws Exception {
        Map<String, String> p = minimal(dir);
        p.put("dbdeploy.rollbackOnFailure", "nope");
        DbdeployException e = assertThrows(DbdeployException.class, () -> map(p, dir));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertEquals("dbdeploy.rollbackOnFailure must be true or false, got 'nope'", e.getMessage());
        p.put("dbdeploy.rollbackOnFailure", "true");
        p.put("dbdeploy.lockWaitSeconds", "5m");
        assertEquals("dbdeploy.lockWaitSeconds must be a whole number, got '5m'",
                assertThrows(DbdeployException.class, () -> map(p, dir)).getMessage());
    }

    @Test
    void settingsXmlCredentialsFillWhatPropertiesLeaveOpen(@TempDir Path dir) throws Exception {
        Map<String, String> p = minimal(dir);
        SettingsMapping.Context withServer = new SettingsMapping.Context(dir, dir, null, name -> null,
                new SettingsMapping.ServerCredentials("server-user", Secret.of("server-pass")));
        DeploySettings s = SettingsMapping.deploySettings(p, withServer);
        assertEquals("server-user", s.username());
        assertEquals("server-pass", s.password().reveal());
        p.put("dbdeploy.username", "explicit");
        p.put("dbdeploy.password", "env:NOT_SET_HERE");
        assertThrows(DbdeployException.class, () -> SettingsMapping.deploySettings(p, withServer),
                "an explicit password reference wins over the server's password");
    }

    @Test
    void onlyWhatTheEngineReadsTravelsToAHost() {
        Map<String, String> p = new HashMap<>();
        p.put("dbdeploy.url", "jdbc:postgresql://localhost/app");
        p.put("dbdeploy.password", "ssm:/app/db");
        p.put("dbdeploy.rollbackOnFailure", "false");
        p.put("dbdeploy.s3.bucket", "b");
        p.put("dbdeploy.ssm.instanceIds", "i-1");
        p.put("dbdeploy.aws.profile", "ci");
        p.put("dbdeploy.aws.region", "eu-west-1");
        p.put("dbdeploy.changelog", "/ci/workspace/db/changelog.xml");
        p.put("dbdeploy.target", "ssm");
        p.put("dbdeploy.serverId", "x");
        p.put("unrelated", "y");
        assertEquals(Map.of("dbdeploy.url", "jdbc:postgresql://localhost/app", "dbdeploy.password", "ssm:/app/db",
                "dbdeploy.rollbackOnFailure", "false", "dbdeploy.aws.region", "eu-west-1"), SettingsMapping.forHost(p));
    }

    @Test
    void aTypoIsNamedWithTheClosestKnownSetting() {
        assertEquals(List.of("Unknown setting dbdeploy.ssm.maxConcurency is ignored. Did you mean"
                        + " dbdeploy.ssm.maxConcurrency? (mvn dbdeploy:help -Ddetail lists every setting.)"),
                SettingsMapping.unknownPropertyWarnings(List.of("dbdeploy.ssm.maxConcurency", "dbdeploy.url",
                        "project.version", "dbdeploy.migrate.skip", "dbdeploy.version")));
        assertEquals("dbdeploy.rollbackOnFailure", SettingsMapping.closest("dbdeploy.rollbackOnFailur"));
    }

    @Test
    void knownSettingsComeFromPropertyNames() {
        assertTrue(SettingsMapping.knownProperties().contains(PropertyNames.SSM_HOST_DIRECTORY));
        assertTrue(SettingsMapping.knownProperties().contains("dbdeploy.rollback.skip"));
        assertFalse(SettingsMapping.knownProperties().contains(PropertyNames.PREFIX));
    }
}
