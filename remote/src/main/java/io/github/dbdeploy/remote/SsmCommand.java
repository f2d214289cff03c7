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
 * One {@code AWS-RunShellScript} command through SSM Run Command and the wait for it: invocations that do not exist
 * yet right after SendCommand, hosts discovered from {@code Targets} as SSM expands them, each host's status as it
 * changes, and its output once it is done (in full from the output bucket when one is set; the API itself returns
 * only the first 24,000 characters of stdout and 8,000 of stderr). The wait is bounded by the delivery timeout plus
 * the execution timeout plus a margin; past that the command is cancelled and the run fails.
 */
public final class SsmCommand {
    public static final String DOCUMENT = "AWS-RunShellScript";
    static final Set<String> TERMINAL = Set.of("Success", "Cancelled", "TimedOut", "Failed");
    static final Duration MARGIN = Duration.ofSeconds(60);
    private static final int API_STDOUT_LIMIT = 24_000;
    private static final int API_STDERR_LIMIT = 8_000;

    private final SsmClient ssm;
    private final S3Store outputStore;
    private final RemoteSettings settings;
    private final Progress progress;
    private final Duration margin;

    public SsmCommand(SsmClient ssm, S3Store outputStore, RemoteSettings settings, Progress progress) {
        this(ssm, outputStore, settings, progress, MARGIN);
    }

    /** @param margin how long to wait past the delivery plus execution timeouts before giving up */
    SsmCommand(SsmClient ssm, S3Store outputStore, RemoteSettings settings, Progress progress, Duration margin) {
        this.ssm = ssm;
        this.outputStore = outputStore;
        this.settings = settings;
        this.progress = progress;
        this.margin = margin;
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
                        + " instances, plus ssm:GetCommandInvocation, ssm:ListCommandInvocations and ssm:ListCommands."
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
        long deadline = System.nanoTime()
                + settings.deliveryTimeout().plus(settings.executionTimeout()).plus(margin).toNanos();
        Map<String, String> lastStatus = new LinkedHashMap<>();
        Map<String, HostResult> done = new LinkedHashMap<>();
        boolean byTargets = settings.instanceIds().isEmpty();
        settings.instanceIds().forEach(id -> lastStatus.put(id, "Pending"));
        try {
            while (true) {
                boolean commandFinished = false;
                int targetCount = -1;
                if (byTargets) {
                    for (CommandInvocation inv : ssm.listCommandInvocationsPaginator(r -> r.commandId(commandId))
                            .commandInvocations()) {
                        lastStatus.putIfAbsent(inv.instanceId(), "Pending");
                    }
                    List<Command> commands = ssm.listCommands(r -> r.commandId(commandId)).commands();
                    if (!commands.isEmpty()) {
                        Command c = commands.get(0);
                        commandFinished = TERMINAL.contains(c.statusAsString());
                        targetCount = c.targetCount() == null ? -1 : c.targetCount();
                    }
                }
                for (String instance : new ArrayList<>(lastStatus.keySet())) {
                    if (done.containsKey(instance)) {
                        continue;
                    }
                    GetCommandInvocationResponse inv;
                    try {
                        inv = ssm.getCommandInvocation(r -> r.commandId(commandId).instanceId(instance));
                    } catch (InvocationDoesNotExistException e) {
                        continue; // SSM has not created it yet; it appears a moment after SendCommand
                    }
                    String status = inv.statusAsString();
                    if (!status.equals(lastStatus.put(instance, status))) {
                        progress.info("[" + instance + "] " + status
                                + (inv.statusDetails() != null && !inv.statusDetails().equals(status)
                                    ? " (" + inv.statusDetails() + ")" : ""));
                    }
                    if (TERMINAL.contains(status)) {
                        done.put(instance, finished(commandId, inv));
                    }
                }
                boolean allDone = !lastStatus.isEmpty() && done.size() == lastStatus.size();
                // With Targets, the command's own status and target count say when every invocation is known.
                boolean noneMatched = byTargets && commandFinished && targetCount == 0;
                boolean allKnown = !byTargets || commandFinished && lastStatus.size() >= targetCount;
                if (noneMatched || allDone && allKnown) {
                    if (noneMatched) {
                        throw DbdeployException.configuration("No managed instance matched " + PropertyNames.SSM_TARGETS
                                + " (" + settings.hostsDescription() + "), so nothing ran. Check the tags and that the"
                                + " hosts' SSM agents are online (aws ssm describe-instance-information).");
                    }
                    return new ArrayList<>(done.values());
                }
                if (System.nanoTime() > deadline) {
                    cancel(commandId);
                    throw DbdeployException.runtime("Gave up waiting for SSM command " + commandId + " after the delivery"
                            + " timeout (" + settings.deliveryTimeout().toSeconds() + " s) plus the execution timeout ("
                            + settings.executionTimeout().toSeconds() + " s); it was cancelled. Hosts still running: "
                            + unfinished(lastStatus, done) + ". Check them with aws ssm list-command-invocations"
                            + " --command-id " + commandId + " --details.");
                }
                Thread.sleep(settings.pollInterval().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(commandId);
            throw DbdeployException.runtime("Interrupted while waiting for SSM command " + commandId + "; it was cancelled.");
        } catch (SsmException e) {
            throw DbdeployException.runtime("SSM failed while waiting for command " + commandId + ": " + message(e)
                    + ". Check it with aws ssm list-command-invocations --command-id " + commandId + " --details.");
        } catch (SdkClientException e) {
            throw DbdeployException.runtime("Lost contact with SSM while waiting for command " + commandId + ": "
                    + e.getMessage() + ". The command may still be running: check it with aws ssm"
                    + " list-command-invocations --command-id " + commandId + " --details.");
        }
    }

    private HostResult finished(String commandId, GetCommandInvocationResponse inv) {
        String stdout = nullToEmpty(inv.standardOutputContent());
        String stderr = nullToEmpty(inv.standardErrorContent());
        if (settings.outputBucket() != null && outputStore != null) {
            String full = outputStore.readText(settings.outputBucket(),
                    outputKey(inv.standardOutputUrl(), commandId, inv.instanceId(), "stdout"));
            if (full != null) {
                stdout = full;
            }
            String fullErr = outputStore.readText(settings.outputBucket(),
                    outputKey(inv.standardErrorUrl(), commandId, inv.instanceId(), "stderr"));
            if (fullErr != null) {
                stderr = fullErr;
            }
        } else if (stdout.length() >= API_STDOUT_LIMIT || stderr.length() >= API_STDERR_LIMIT) {
            progress.warn("[" + inv.instanceId() + "] SSM returned only the first " + API_STDOUT_LIMIT + " characters of"
                    + " standard output and " + API_STDERR_LIMIT + " of standard error. Set " + PropertyNames.SSM_OUTPUT_BUCKET
                    + " to get the full output (and the host's summary) from S3.");
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
        Integer code = inv.responseCode();
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

    private void cancel(String commandId) {
        try {
            ssm.cancelCommand(r -> r.commandId(commandId));
        } catch (RuntimeException e) {
            progress.warn("Could not cancel SSM command " + commandId + ": " + e.getMessage()
                    + ". Cancel it with aws ssm cancel-command --command-id " + commandId);
        }
    }

    private static String unfinished(Map<String, String> status, Map<String, HostResult> done) {
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
