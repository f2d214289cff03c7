package io.github.dbdeploy.remote;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.CommandInvocation;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.CommandPlugin;
import software.amazon.awssdk.services.ssm.model.CommandStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvalidInstanceIdException;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Target;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.SummaryWriter;

/**
 * One {@code AWS-RunShellScript} command through SSM Run Command and the wait for it. Each round of the wait is one
 * {@code ListCommandInvocations} with details (paged, 50 hosts a page), whatever the size of the fleet: it finds the
 * hosts SSM expands {@code Targets} into and every host's status. A host's output is fetched once, when it is done (in
 * full from the output bucket when one is set; else with one {@code GetCommandInvocation}, which returns the first
 * 24,000 characters of stdout and 8,000 of stderr). When SSM throttles, the wait slows down (doubling the pause up to
 * {@link #MAX_PAUSE}) and carries on. The wait is bounded by the delivery timeout plus the execution timeout plus a
 * margin; whenever dbdeploy gives up (that bound, an interrupt, an error from SSM) it cancels the command, so no host
 * goes on migrating after the build has failed.
 */
public final class SsmCommand {
    public static final String DOCUMENT = "AWS-RunShellScript";
    static final Set<CommandInvocationStatus> TERMINAL = Set.of(CommandInvocationStatus.SUCCESS,
            CommandInvocationStatus.CANCELLED, CommandInvocationStatus.TIMED_OUT, CommandInvocationStatus.FAILED);
    private static final Set<CommandStatus> TERMINAL_COMMAND = Set.of(CommandStatus.SUCCESS, CommandStatus.CANCELLED,
            CommandStatus.TIMED_OUT, CommandStatus.FAILED);
    static final Duration MARGIN = Duration.ofSeconds(60);
    /** The longest pause between rounds while SSM throttles. */
    static final Duration MAX_PAUSE = Duration.ofSeconds(30);
    /** ListCommandInvocations returns at most 50 invocations a page. */
    static final int PAGE_SIZE = 50;
    private static final int API_STDOUT_LIMIT = 24_000;
    private static final int API_STDERR_LIMIT = 8_000;

    private final SsmClient ssm;
    private final S3Store outputStore;
    private final RemoteSettings settings;
    private final Progress progress;
    private final Duration waitLimit;

    public SsmCommand(SsmClient ssm, S3Store outputStore, RemoteSettings settings, Progress progress) {
        this(ssm, outputStore, settings, progress,
                settings.deliveryTimeout().plus(settings.executionTimeout()).plus(MARGIN));
    }

    /** @param waitLimit how long to wait for the command before giving up and cancelling it */
    SsmCommand(SsmClient ssm, S3Store outputStore, RemoteSettings settings, Progress progress, Duration waitLimit) {
        this.ssm = ssm;
        this.outputStore = outputStore;
        this.settings = settings;
        this.progress = progress;
        this.waitLimit = waitLimit;
    }

    /** Sends the script; returns the command id. */
    public String send(List<String> script, String comment) {
        SendCommandRequest.Builder request = SendCommandRequest.builder()
                .documentName(DOCUMENT)
                .comment(comment.length() > 100 ? comment.substring(0, 100) : comment)
                .parameters(Map.of("commands", script,
                        "executionTimeout", List.of(Long.toString(settings.executionTimeout().toSeconds()))))
                .timeoutSeconds((int) Math.min(Integer.MAX_VALUE, settings.deliveryTimeout().toSeconds()))
                .maxConcurrency(settings.maxConcurrency())
                .maxErrors(settings.maxErrors());
        if (!settings.instanceIds().isEmpty()) {
            request.instanceIds(settings.instanceIds());
        } else {
            List<Target> targets = new ArrayList<>();
            settings.targets().forEach((k, v) -> targets.add(Target.builder().key(k).values(v).build()));
            request.targets(targets);
        }
        if (settings.outputBucket() != null) {
            request.outputS3BucketName(settings.outputBucket()).outputS3KeyPrefix(settings.outputPrefix());
        }
        try {
            return ssm.sendCommand(request.build()).command().commandId();
        } catch (InvalidInstanceIdException e) {
            throw DbdeployException.configuration("SSM cannot run the command on " + settings.hostsDescription() + ": "
                    + message(e) + "\nCheck " + PropertyNames.SSM_INSTANCE_IDS + ": each instance must exist in region "
                    + (settings.region() == null ? "(default region)" : settings.region()) + ", be a managed node with a"
                    + " running SSM agent (aws ssm describe-instance-information), and be a Linux host. Nothing was run.");
        } catch (SsmException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if (e.statusCode() == 400 && code.contains("AccessDenied") || e.statusCode() == 403) {
                throw DbdeployException.configuration("SSM denied SendCommand (" + code + "): " + message(e)
                        + "\nGive the role this build runs with ssm:SendCommand on document " + DOCUMENT + " and the"
                        + " instances, plus ssm:GetCommandInvocation, ssm:ListCommandInvocations, ssm:ListCommands and"
                        + " ssm:CancelCommand."
                        + " Nothing was run.");
            }
            throw DbdeployException.runtime("SSM refused SendCommand (" + code + "): " + message(e) + ". Nothing was run.");
        } catch (SdkClientException e) {
            throw DbdeployException.runtime("Cannot reach SSM: " + e.getMessage() + "\nCheck the network, "
                    + PropertyNames.AWS_REGION + " and " + PropertyNames.SSM_ENDPOINT + ". Nothing was run.");
        }
    }

    /** Waits until every host has finished, printing each status change and each host's output. */
    public List<HostResult> await(String commandId) {
        long deadline = System.nanoTime() + waitLimit.toNanos();
        Map<String, CommandInvocationStatus> lastStatus = new LinkedHashMap<>();
        Map<String, HostResult> done = new LinkedHashMap<>();
        boolean byTargets = settings.instanceIds().isEmpty();
        settings.instanceIds().forEach(id -> lastStatus.put(id, CommandInvocationStatus.PENDING));
        Duration pause = settings.pollInterval();
        try {
            while (true) {
                try {
                    if (round(commandId, byTargets, lastStatus, done)) {
                        return new ArrayList<>(done.values());
                    }
                    pause = settings.pollInterval();
                } catch (SsmException e) {
                    if (!e.isThrottlingException()) {
                        throw e;
                    }
                    Duration slower = pause.multipliedBy(2);
                    pause = slower.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : slower;
                    progress.info("SSM is throttling the wait for command " + commandId + " (" + code(e)
                            + "); asking again in " + pause.toMillis() + " ms.");
                }
                if (System.nanoTime() > deadline) {
                    throw DbdeployException.runtime("Gave up waiting for SSM command " + commandId + " after "
                            + waitLimit.toSeconds() + " s (the delivery timeout of " + settings.deliveryTimeout().toSeconds()
                            + " s plus the execution timeout of " + settings.executionTimeout().toSeconds() + " s plus a"
                            + " margin); " + cancel(commandId) + " Hosts still running: " + unfinished(lastStatus, done)
                            + ". Check them with aws ssm list-command-invocations --command-id " + commandId + " --details.");
                }
                Thread.sleep(pause.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DbdeployException.runtime("Interrupted while waiting for SSM command " + commandId + "; "
                    + cancel(commandId));
        } catch (SsmException e) {
            throw DbdeployException.runtime("SSM failed while waiting for command " + commandId + " (" + code(e) + "): "
                    + message(e) + "; " + cancel(commandId) + " Check it with aws ssm list-command-invocations"
                    + " --command-id " + commandId + " --details.");
        } catch (SdkClientException e) {
            throw DbdeployException.runtime("Lost contact with SSM while waiting for command " + commandId + ": "
                    + e.getMessage() + "; " + cancel(commandId) + " Check it with aws ssm list-command-invocations"
                    + " --command-id " + commandId + " --details.");
        }
    }

    /** One round of the wait; true when every host is done. */
    private boolean round(String commandId, boolean byTargets, Map<String, CommandInvocationStatus> lastStatus,
                          Map<String, HostResult> done) {
        for (CommandInvocation inv : ssm.listCommandInvocationsPaginator(r -> r.commandId(commandId).details(true)
                .maxResults(PAGE_SIZE)).commandInvocations()) {
            String instance = inv.instanceId();
            CommandInvocationStatus status = inv.status();
            if (status != lastStatus.put(instance, status)) {
                progress.info("[" + instance + "] " + inv.statusAsString()
                        + (inv.statusDetails() != null && !inv.statusDetails().equals(inv.statusAsString())
                            ? " (" + inv.statusDetails() + ")" : ""));
            }
            if (TERMINAL.contains(status) && !done.containsKey(instance)) {
                done.put(instance, finished(commandId, inv));
            }
        }
        if (done.size() < lastStatus.size()) {
            return false;
        }
        if (!byTargets) {
            return true;
        }
        // With Targets, only the command itself says whether SSM has created every invocation it is going to.
        List<Command> commands = ssm.listCommands(r -> r.commandId(commandId)).commands();
        if (commands.isEmpty() || !TERMINAL_COMMAND.contains(commands.get(0).status())) {
            return false;
        }
        int targetCount = commands.get(0).targetCount() == null ? 0 : commands.get(0).targetCount();
        if (targetCount == 0) {
            throw DbdeployException.configuration("No managed instance matched " + PropertyNames.SSM_TARGETS
                    + " (" + settings.hostsDescription() + "), so nothing ran. Check the tags and that the"
                    + " hosts' SSM agents are online (aws ssm describe-instance-information).");
        }
        return lastStatus.size() >= targetCount;
    }

    /** A finished host: its output (fetched once, now) and the summary at its end. */
    private HostResult finished(String commandId, CommandInvocation inv) {
        CommandPlugin plugin = inv.hasCommandPlugins() && !inv.commandPlugins().isEmpty() ? inv.commandPlugins().get(0) : null;
        String stdout = null;
        String stderr = null;
        if (settings.outputBucket() != null && outputStore != null) {
            stdout = outputStore.readText(settings.outputBucket(),
                    outputKey(plugin == null ? null : plugin.standardOutputUrl(), commandId, inv.instanceId(), "stdout"));
            stderr = outputStore.readText(settings.outputBucket(),
                    outputKey(plugin == null ? null : plugin.standardErrorUrl(), commandId, inv.instanceId(), "stderr"));
        }
        if (stdout == null || stderr == null) {
            GetCommandInvocationResponse full;
            try {
                full = ssm.getCommandInvocation(r -> r.commandId(commandId).instanceId(inv.instanceId()));
            } catch (InvocationDoesNotExistException e) {
                full = null; // cancelled before it was delivered: there is no output
            }
            String apiOut = full == null ? "" : nullToEmpty(full.standardOutputContent());
            String apiErr = full == null ? "" : nullToEmpty(full.standardErrorContent());
            if (settings.outputBucket() == null
                    && (apiOut.length() >= API_STDOUT_LIMIT || apiErr.length() >= API_STDERR_LIMIT)) {
                progress.warn("[" + inv.instanceId() + "] SSM returned only the first " + API_STDOUT_LIMIT + " characters"
                        + " of standard output and " + API_STDERR_LIMIT + " of standard error. Set "
                        + PropertyNames.SSM_OUTPUT_BUCKET + " to get the full output (and the host's summary) from S3.");
            }
            stdout = stdout == null ? apiOut : stdout;
            stderr = stderr == null ? apiErr : stderr;
        }
        RunSummary summary = summary(stdout);
        String shown = withoutSummary(stdout);
        for (String line : shown.split("\\R")) {
            if (!line.isEmpty()) {
                progress.info("[" + inv.instanceId() + "] " + line);
            }
        }
        if (!stderr.isBlank()) {
            for (String line : stderr.strip().split("\\R")) {
                progress.warn("[" + inv.instanceId() + "] " + line);
            }
        }
        Integer code = plugin == null ? null : plugin.responseCode();
        return new HostResult(inv.instanceId(), inv.statusAsString(), inv.statusDetails(), code == null ? -1 : code,
                stdout, stderr, summary);
    }

    /** The key of a host's stdout/stderr in the output bucket: from SSM's URL when given, else SSM's layout. */
    String outputKey(String url, String commandId, String instanceId, String stream) {
        if (url != null && !url.isBlank()) {
            String path = URI.create(url).getRawPath();
            String marker = "/" + settings.outputBucket() + "/";
            int at = path.indexOf(marker);
            if (at >= 0) {
                return URLDecoder.decode(path.substring(at + marker.length()), StandardCharsets.UTF_8);
            }
            return URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8); // virtual-hosted URL
        }
        String prefix = settings.outputPrefix().isEmpty() ? "" : settings.outputPrefix() + "/";
        return prefix + commandId + "/" + instanceId + "/awsrunShellScript/0.awsrunShellScript/" + stream;
    }

    static RunSummary summary(String stdout) {
        int begin = stdout.lastIndexOf(HostScript.SUMMARY_BEGIN);
        int end = stdout.lastIndexOf(HostScript.SUMMARY_END);
        if (begin < 0 || end < begin) {
            return null;
        }
        try {
            return SummaryWriter.parse(stdout.substring(begin + HostScript.SUMMARY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String withoutSummary(String stdout) {
        int begin = stdout.lastIndexOf(HostScript.SUMMARY_BEGIN);
        int end = stdout.lastIndexOf(HostScript.SUMMARY_END);
        if (begin < 0 || end < begin) {
            return stdout;
        }
        return stdout.substring(0, begin) + stdout.substring(end + HostScript.SUMMARY_END.length());
    }

    /** Cancels the command so that no host goes on after dbdeploy gave up; says whether that worked. */
    private String cancel(String commandId) {
        try {
            ssm.cancelCommand(r -> r.commandId(commandId));
            return "it was cancelled, so hosts that had not finished stop.";
        } catch (RuntimeException e) {
            progress.warn("Could not cancel SSM command " + commandId + ": " + e.getMessage()
                    + ". Cancel it with aws ssm cancel-command --command-id " + commandId);
            return "cancelling it failed too (" + e.getMessage() + "): cancel it with aws ssm cancel-command"
                    + " --command-id " + commandId + ".";
        }
    }

    private static String code(SsmException e) {
        return e.awsErrorDetails() == null ? "HTTP " + e.statusCode() : e.awsErrorDetails().errorCode();
    }

    private static String unfinished(Map<String, CommandInvocationStatus> status, Map<String, HostResult> done) {
        List<String> out = new ArrayList<>();
        status.forEach((id, s) -> {
            if (!done.containsKey(id)) {
                out.add(id + " (" + s + ")");
            }
        });
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    private static String message(SsmException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : e.getMessage();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
