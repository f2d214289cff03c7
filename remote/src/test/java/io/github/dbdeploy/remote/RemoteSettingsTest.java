package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.DbdeployException;

/** Input checks that happen before anything is uploaded or sent. */
class RemoteSettingsTest {
    static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.url", "jdbc:postgresql://localhost:5432/app");
        p.put("dbdeploy.username", "app");
        p.put("dbdeploy.password", "ssm:/app/prod/db-password");
        p.put("dbdeploy.changelog", "src/main/resources/db/changelog.xml");
        p.put("dbdeploy.s3.bucket", "deployments");
        p.put("dbdeploy.ssm.instanceIds", "i-0123456789abcdef0, i-0123456789abcdef1");
        return p;
    }

    static String error(Map<String, String> p) {
        DbdeployException e = assertThrows(DbdeployException.class, () -> RemoteSettings.from(p, Path.of("/project")));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        return e.getMessage();
    }

    @Test
    void readsTheSettingsWithTheirDefaults() {
        RemoteSettings s = RemoteSettings.from(valid(), Path.of("/project"));
        assertEquals(Path.of("/project/src/main/resources/db/changelog.xml"), s.changelog());
        assertEquals(List.of("i-0123456789abcdef0", "i-0123456789abcdef1"), s.instanceIds());
        assertEquals(3600, s.executionTimeout().toSeconds());
        assertEquals(600, s.deliveryTimeout().toSeconds());
        assertEquals("50", s.maxConcurrency());
        assertEquals("0", s.maxErrors());
        assertEquals("dbdeploy", s.prefix());
        assertEquals("/var/lib/dbdeploy", s.hostDirectory());
        assertEquals(DownloadMode.PRESIGNED, s.downloadMode());
        Properties runner = s.runnerSettings(Command.MIGRATE, "d-1", "ci@build");
        assertEquals("migrate", runner.getProperty("command"));
        assertEquals("ssm:/app/prod/db-password", runner.getProperty("dbdeploy.password"));
        assertEquals("jdbc:postgresql://localhost:5432/app", runner.getProperty("dbdeploy.url"));
        assertEquals("d-1", runner.getProperty("dbdeploy.tag"));
        assertEquals(null, runner.getProperty("dbdeploy.s3.bucket"), "what only the sender needs stays here");
        assertEquals(null, runner.getProperty("dbdeploy.changelog"), "the host reads the changelog from the bundle");
    }

    @Test
    void refusesAPlainPasswordAndSaysWhereToPutIt() {
        Map<String, String> p = valid();
        p.put("dbdeploy.password", "hunter2");
        String m = error(p);
        assertTrue(m.contains("dbdeploy.password holds a password; with dbdeploy.target=ssm the host reads its own secret"), m);
        assertTrue(m.contains("dbdeploy.password=ssm:/app/prod/db-password"), m);
        assertFalse(m.contains("hunter2"), "the refusal does not repeat the password");
    }

    @Test
    void refusesAPasswordInTheUrlAndASettingsXmlServer() {
        Map<String, String> p = valid();
        p.put("dbdeploy.url", "jdbc:postgresql://localhost/app?user=app&password=hunter2");
        String m = error(p);
        assertTrue(m.contains("dbdeploy.url carries a password"), m);
        assertFalse(m.contains("hunter2"));

        Map<String, String> q = valid();
        q.remove("dbdeploy.password");
        q.put("dbdeploy.serverId", "prod-db");
        assertTrue(error(q).contains("a settings.xml password stays on this machine"));
    }

    @Test
    void listsEveryMissingSettingAtOnce() {
        Map<String, String> p = new HashMap<>();
        p.put("dbdeploy.env", "prod");
        String m = error(p);
        assertTrue(m.contains("no changelog"), m);
        assertTrue(m.contains("no database URL"), m);
        assertTrue(m.contains("no S3 bucket: set dbdeploy.s3.bucket"), m);
        assertTrue(m.contains("no hosts: set dbdeploy.ssm.instanceIds"), m);
    }

    @Test
    void readsTargetsAndRejectsBadFleetControls() {
        Map<String, String> p = valid();
        p.remove("dbdeploy.ssm.instanceIds");
        p.put("dbdeploy.ssm.targets", "tag:Role=db;tag:Env=prod,staging");
        RemoteSettings s = RemoteSettings.from(p, Path.of("/project"));
        assertEquals(Map.of("tag:Role", List.of("db"), "tag:Env", List.of("prod", "staging")), s.targets());

        p.put("dbdeploy.ssm.maxConcurrency", "0");
        p.put("dbdeploy.ssm.maxErrors", "lots");
        p.put("dbdeploy.ssm.executionTimeoutSeconds", "-5");
        String m = error(p);
        assertTrue(m.contains("dbdeploy.ssm.maxConcurrency must be a number of hosts or a percentage"), m);
        assertTrue(m.contains("dbdeploy.ssm.maxErrors must be a number of hosts or a percentage"), m);
        assertTrue(m.contains("dbdeploy.ssm.executionTimeoutSeconds must be a whole number above 0"), m);

        Map<String, String> both = valid();
        both.put("dbdeploy.ssm.targets", "tag:Role=db");
        assertTrue(error(both).contains("set either dbdeploy.ssm.instanceIds or dbdeploy.ssm.targets, not both"));
    }

    @Test
    void refusesTimeoutsSsmWouldRefuseNamingTheSettingAndTheFix() {
        Map<String, String> p = valid();
        p.put("dbdeploy.ssm.deliveryTimeoutSeconds", "29");
        p.put("dbdeploy.ssm.executionTimeoutSeconds", "172801");
        String m = error(p);
        assertTrue(m.contains("dbdeploy.ssm.deliveryTimeoutSeconds is 29, but SSM accepts 30 to 2592000 seconds. Set"
                + " dbdeploy.ssm.deliveryTimeoutSeconds within that range (the default is 600)"), m);
        assertTrue(m.contains("dbdeploy.ssm.executionTimeoutSeconds is 172801, but AWS-RunShellScript allows at most"
                + " 172800 (48 hours). Set dbdeploy.ssm.executionTimeoutSeconds to 172800 or less"), m);

        p.put("dbdeploy.ssm.deliveryTimeoutSeconds", "30");
        p.put("dbdeploy.ssm.executionTimeoutSeconds", "172800");
        RemoteSettings s = RemoteSettings.from(p, Path.of("/project"));
        assertEquals(30, s.deliveryTimeout().toSeconds());
        assertEquals(172800, s.executionTimeout().toSeconds());
    }

    @Test
    void readsTheDownloadModeAndRefusesAnUnknownOne() {
        Map<String, String> p = valid();
        p.put("dbdeploy.ssm.download", "host-role");
        assertEquals(DownloadMode.HOST_ROLE, RemoteSettings.from(p, Path.of("/project")).downloadMode());
        p.put("dbdeploy.ssm.download", "instance-profile");
        String m = error(p);
        assertTrue(m.contains("dbdeploy.ssm.download must be presigned (hosts download with curl through presigned URLs)"
                + " or host-role (hosts download with the AWS CLI and their own role), got 'instance-profile'"), m);
    }
}
