package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.dbdeploy.engine.SchemaDump;
import io.github.dbdeploy.engine.TestDatabases;
import io.github.dbdeploy.remote.testing.FakeAws;
import io.github.dbdeploy.remote.testing.FakeHost;
import io.github.dbdeploy.remote.testing.SampleChangelog;

/**
 * The host script runs as root, from a directory that caches the runner jar. Each test pre-creates the host directory
 * the way a local attacker could (a symbolic link, another owner, open permissions, an open parent) and runs the real
 * generated script on a fake host: the script must refuse with exit code 12 and a message that names the problem and the
 * fix, before it downloads or runs anything.
 */
class HostDirectoryTest {
    @TempDir
    static Path tmp;
    static FakeAws aws;
    static int hosts;

    @BeforeAll
    static void start() {
        aws = new FakeAws(tmp.resolve("aws"));
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    static String newHost() {
        String id = String.format("i-0d%015d", ++hosts);
        aws.ssm().addHost(id);
        return id;
    }

    static Map<String, String> props(String url, Path changelog, String instance) {
        Map<String, String> p = aws.properties();
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.url", url);
        p.put("dbdeploy.changelog", changelog.toString());
        p.put("dbdeploy.ssm.instanceIds", instance);
        return p;
    }

    /** Runs a migrate on {@code host}, expects the script to refuse its directory, and returns the reason. */
    static String refused(String host, Path project) throws Exception {
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();
        String url = TestDatabases.newDatabase("hostdir_" + hosts);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
        RemoteResult r = RemoteTestSupport.run(aws, props(url, changelog, host), project, "migrate", out);
        assertFalse(r.succeeded(), out.text());
        HostResult h = r.hosts().get(0);
        assertEquals(12, h.responseCode(), h.stderr());
        assertFalse(SchemaDump.of(url).contains("customer"), "nothing ran");
        return h.stderr();
    }

    static void assertNothingWritten(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            assertEquals(0, files.filter(p -> !p.getFileName().toString().equals("planted")).count(),
                    "no run directory and no runner were written into " + directory);
        }
    }

    @Test
    void aHostDirectoryThatIsASymbolicLinkIsRefused(@TempDir Path project) throws Exception {
        String host = newHost();
        Path elsewhere = Files.createDirectories(aws.ssm().hosts(host).directory().resolve("attacker-controlled"));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(aws.ssm().hostDirectory(host), elsewhere);

        String error = refused(host, project);

        assertTrue(error.contains(aws.ssm().hostDirectory(host) + " is a symbolic link"), error);
        assertTrue(error.contains("Remove the link (rm '" + aws.ssm().hostDirectory(host) + "')"), error);
        assertTrue(error.contains("Nothing was changed."), error);
        assertNothingWritten(elsewhere);
    }

    @Test
    void aHostDirectoryOthersCanWriteIsRefused(@TempDir Path project) throws Exception {
        String host = newHost();
        Path dir = Files.createDirectories(aws.ssm().hostDirectory(host));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // as /var/tmp/x made by anyone

        String error = refused(host, project);

        assertTrue(error.contains(dir + " is writable by group or others (drwxrwxrwx)"), error);
        assertTrue(error.contains("Run chmod go-w '" + dir + "'"), error);
        assertNothingWritten(dir);
    }

    @Test
    void aHostDirectoryOwnedByAnotherUserIsRefused(@TempDir Path project) throws Exception {
        String host = newHost();
        Path dir = Files.createDirectories(aws.ssm().hostDirectory(host));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Process chown = new ProcessBuilder("chown", "65534", dir.toString()).inheritIO().start();
        Assumptions.assumeTrue(chown.waitFor() == 0, "only root can give a directory to another user");

        String error = refused(host, project);

        assertTrue(error.contains(dir + " is owned by uid 65534, not by uid 0 that runs dbdeploy"), error);
        assertTrue(error.contains("set dbdeploy.ssm.hostDirectory to a directory owned by uid 0"), error);
        assertNothingWritten(dir);
    }

    @Test
    void aHostDirectoryUnderAParentOthersCanWriteIsRefused(@TempDir Path project) throws Exception {
        String host = newHost();
        Path dir = Files.createDirectories(aws.ssm().hostDirectory(host));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path parent = dir.getParent();
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx")); // no sticky bit
        try {
            String error = refused(host, project);
            assertTrue(error.contains(parent + ", a parent of " + dir.toRealPath() + ", is writable by group or others"
                    + " (drwxrwxrwx) without the sticky bit"), error);
            assertTrue(error.contains("such as /var/lib/dbdeploy"), error);
            assertNothingWritten(dir);
        } finally {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /**
     * Whoever can write the runner cache swaps the jar in the moment between its SHA-256 check and {@code java -jar}:
     * here the host's {@code java} itself does it, just before it starts. The run must not care, because the jar that
     * runs is the per-run copy, checked after it was copied.
     */
    @Test
    void aRunnerSwappedInTheCacheAfterItsCheckIsNotWhatRuns(@TempDir Path project) throws Exception {
        String host = newHost();
        FakeHost h = aws.ssm().hosts(host);
        Path javaHome = Files.createDirectories(h.directory().resolve("jdk/bin")).getParent();
        Path java = javaHome.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\n"
                + "for f in \"$DBDEPLOY_HOME\"/runners/*.jar; do [ -f \"$f\" ] && printf 'swapped' > \"$f\"; done\n"
                + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        h.env("JAVA_HOME", javaHome.toString());
        Path changelog = new SampleChangelog(project.resolve("db")).customers().write();

        for (String run : new String[] {"first", "second"}) { // the second finds the swapped jar in its cache
            String url = TestDatabases.newDatabase("swapped_runner_" + run);
            RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
            RemoteResult r = RemoteTestSupport.run(aws, props(url, changelog, host), project, "migrate", out);
            assertTrue(r.succeeded(), run + " run: " + out.text());
            assertTrue(SchemaDump.of(url).contains("customer"), run + " run migrated");
        }
    }
}
