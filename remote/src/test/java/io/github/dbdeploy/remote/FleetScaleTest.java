package io.github.dbdeploy.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.remote.testing.TestJson;
import io.github.dbdeploy.remote.testing.FakeAws;

/**
 * The wait at fleet scale, through the fake SSM's real JSON protocol: 200 hosts (each runs a trivial command, so this
 * stays fast), found by tag, with SSM throttling the calls. One paged ListCommandInvocations a round, each host's
 * output fetched once, throttling absorbed by slowing down; and when dbdeploy gives up, the command is cancelled.
 */
class FleetScaleTest {
    static final int FLEET = 200;
    @TempDir
    static Path tmp;
    static FakeAws aws;

    @BeforeAll
    static void start() {
        aws = new FakeAws(tmp.resolve("aws"));
        for (int i = 0; i < FLEET; i++) {
            aws.ssm().addHost(String.format("i-0f%015d", i)).tag("Fleet", "large").env("HOST_NUMBER", Integer.toString(i));
        }
        aws.ssm().addHost("i-0e000000000000001").tag("Fleet", "slow");
        aws.ssm().addHost("i-0e000000000000002").tag("Fleet", "slow");
        RemoteTestSupport.runner(tmp); // CI credentials for this JVM
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    static RemoteSettings settings(String fleet, Path project) {
        Map<String, String> p = aws.properties();
        p.put("dbdeploy.env", "prod");
        p.put("dbdeploy.url", "jdbc:postgresql://localhost:5432/app");
        p.put("dbdeploy.changelog", "db/changelog.xml");
        p.put("dbdeploy.ssm.targets", "tag:Fleet=" + fleet);
        p.put("dbdeploy.ssm.maxConcurrency", "50");
        return RemoteSettings.from(p, project);
    }

    static List<Map<String, Object>> bodies(String operation, String commandId) {
        return aws.ssm().requests(operation).stream().filter(r -> r.body().contains(commandId))
                .map(r -> TestJson.parseObject(r.body())).toList();
    }

    @Test
    void twoHundredHostsArePolledWithOnePagedListARoundAndEachOutputFetchedOnceDespiteThrottling(@TempDir Path project) {
        RemoteSettings settings = settings("large", project);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
        aws.ssm().throttle("ListCommandInvocations", 4, 0); // every fourth page: the SDK's own retries absorb these
        aws.ssm().throttle("GetCommandInvocation", 0, 4); // a burst past the SDK's own retries: dbdeploy must back off
        List<HostResult> hosts;
        String id;
        try (AwsClients clients = AwsClients.create(settings)) {
            SsmCommand ssm = new SsmCommand(clients.ssm(), null, settings, out);
            id = ssm.send(List.of("echo \"host $HOST_NUMBER done\""), "fleet of " + FLEET);
            hosts = ssm.await(id);
        } finally {
            aws.ssm().refuse("ListCommandInvocations", null, null);
            aws.ssm().refuse("GetCommandInvocation", null, null);
        }

        assertEquals(FLEET, hosts.size());
        for (HostResult h : hosts) {
            int n = Integer.parseInt(h.instanceId().substring(4));
            assertEquals("Success", h.ssmStatus(), h.instanceId());
            assertEquals(0, h.responseCode());
            assertEquals("host " + n + " done\n", h.stdout(), h.instanceId());
        }
        assertTrue(aws.ssm().throttledCount() >= 4, "SSM throttled " + aws.ssm().throttledCount() + " calls");
        assertTrue(out.text().contains("SSM is throttling the wait for command " + id + " (ThrottlingException); asking"
                + " again in"), out.text());

        List<Map<String, Object>> lists = bodies("ListCommandInvocations", id);
        assertTrue(lists.stream().allMatch(b -> Boolean.TRUE.equals(b.get("Details")) && b.get("MaxResults") instanceof Number n && n.intValue() == 50),
                "every list asks for details, 50 a page");
        assertTrue(lists.stream().anyMatch(b -> b.get("NextToken") != null), "the listing is paged");
        assertEquals(FLEET + 4, bodies("GetCommandInvocation", id).size(),
                "each host's output is fetched once (plus the 4 throttled attempts), not once a round");
    }

    @Test
    void whenDbdeployGivesUpOnTheWaitItCancelsTheCommand(@TempDir Path project) {
        RemoteSettings settings = settings("slow", project);
        RemoteTestSupport.Lines out = new RemoteTestSupport.Lines();
        try (AwsClients clients = AwsClients.create(settings)) {
            SsmCommand ssm = new SsmCommand(clients.ssm(), null, settings, out);
            String id = ssm.send(List.of("sleep 60"), "slow");
            aws.ssm().refuse("ListCommandInvocations", "AccessDeniedException", "User: arn:aws:sts::123456789012:"
                    + "assumed-role/ci/build is not authorized to perform: ssm:ListCommandInvocations");
            DbdeployException e;
            try {
                e = assertThrows(DbdeployException.class, () -> ssm.await(id));
            } finally {
                aws.ssm().refuse("ListCommandInvocations", null, null);
            }
            assertTrue(e.getMessage().startsWith("SSM failed while waiting for command " + id + " (AccessDeniedException):"
                    + " User: arn:aws:sts::123456789012:assumed-role/ci/build is not authorized"), e.getMessage());
            assertTrue(e.getMessage().contains("it was cancelled, so hosts that had not finished stop."), e.getMessage());
            assertEquals(1, bodies("CancelCommand", id).size());
            for (String host : List.of("i-0e000000000000001", "i-0e000000000000002")) {
                assertEquals("Cancelled", finalStatus(clients, id, host), host + " stopped");
            }
        }
    }

    /** The invocation's status once SSM shows it and it has ended (a killed shell takes a moment to be reaped). */
    static String finalStatus(AwsClients clients, String commandId, String host) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                String status = clients.ssm().getCommandInvocation(r -> r.commandId(commandId).instanceId(host))
                        .statusAsString();
                if (!List.of("Pending", "InProgress", "Cancelling").contains(status) || System.nanoTime() > deadline) {
                    return status;
                }
            } catch (InvocationDoesNotExistException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
