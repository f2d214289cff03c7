package io.github.dbdeploy.remote.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;


/**
 * An SSM endpoint in-process that speaks the real AWS JSON 1.1 protocol ({@code X-Amz-Target: AmazonSSM.*}) to the
 * real {@code SsmClient}, and does what SSM and its agents do: {@code SendCommand} with {@code AWS-RunShellScript}
 * runs the commands with {@code /bin/sh} on each target host (a directory standing for the host, with the host's
 * environment), honouring the delivery and execution timeouts, MaxConcurrency and MaxErrors; invocations appear only
 * a moment after SendCommand (as in SSM); output is cut to 24,000/8,000 characters in the API and written in full to
 * the output bucket; {@code ListCommandInvocations} pages at most 50 invocations with a NextToken and, with Details, gives
 * each plugin's status, exit code and output; SendCommand refuses timeouts outside SSM's limits; {@code GetParameter}
 * serves Parameter Store values. Tests can inject throttling or other errors per operation. Every request is recorded
 * for assertions.
 */
public final class FakeSsm implements AutoCloseable {
    /** How long a new invocation stays invisible (GetCommandInvocation answers InvocationDoesNotExist). */
    public volatile long invocationDelayMillis = 300;
    /**
     * How many times faster than real time a delivery timeout passes for a host that never picks the command up: SSM
     * accepts no delivery timeout under 30 s, which a test need not sit through.
     */
    public volatile double deliveryClockSpeed = 1;

    private final HttpServer server;
    private final Path root;
    private final Map<String, FakeHost> hosts = new ConcurrentHashMap<>();
    private final Map<String, String> parameters = new ConcurrentHashMap<>();
    private final Map<String, String> undecryptable = new ConcurrentHashMap<>();
    private final Map<String, CommandState> commands = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-ssm-agent");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> hostEnvironment = new ConcurrentHashMap<>();
    private volatile BiConsumer<String, Map<String, Path>> outputWriter = (bucketKey, files) -> { };
    private final Map<String, Throttle> throttles = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger throttled = new java.util.concurrent.atomic.AtomicInteger();

    private volatile java.util.function.Consumer<String> onSendCommand = commandId -> { };

    /** An error injected into one operation: every n-th call, plus a burst of consecutive calls. */
    private static final class Throttle {
        final String code;
        final String message;
        final int everyNth;
        int burst;
        int calls;

        Throttle(String code, String message, int everyNth, int burst) {
            this.code = code;
            this.message = message;
            this.everyNth = everyNth;
            this.burst = burst;
        }

        synchronized boolean next() {
            calls++;
            if (burst > 0) {
                burst--;
                return true;
            }
            return everyNth > 0 && calls % everyNth == 0;
        }
    }

    /** One API call as received: the operation (X-Amz-Target without the prefix) and the JSON body. */
    public record Request(String operation, String body) {
    }

    public FakeSsm(Path root) {
        this.root = root;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-ssm-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public FakeHost addHost(String instanceId) {
        FakeHost h = new FakeHost(instanceId, root.resolve("hosts").resolve(instanceId));
        hosts.put(instanceId, h);
        return h;
    }

    public FakeHost hosts(String instanceId) {
        return hosts.get(instanceId);
    }

    /** Environment every host's agent has (its AWS region, role credentials, endpoints). */
    public Map<String, String> hostEnvironment() {
        return hostEnvironment;
    }

    /** The directory of a host's dbdeploy files (what /var/lib/dbdeploy is on a real host). */
    public Path hostDirectory(String instanceId) {
        return root.resolve("hosts").resolve(instanceId).resolve("var-tmp-dbdeploy");
    }

    public void putParameter(String name, String value) {
        parameters.put(name, value);
    }

    /** A SecureString the hosts' role may read but whose KMS key it may not use. */
    public void putUndecryptableParameter(String name, String value) {
        undecryptable.put(name, value);
    }

    /** Where SSM writes full output when OutputS3BucketName is set: (bucket/key, stream files). */
    public void outputWriter(BiConsumer<String, Map<String, Path>> writer) {
        this.outputWriter = writer;
    }

    /**
     * Answers {@code operation} with ThrottlingException (HTTP 400, as SSM does when its rate limit is exceeded) on
     * every {@code everyNth} call (0: never), and on each of the next {@code burst} calls.
     */
    public void throttle(String operation, int everyNth, int burst) {
        throttles.put(operation, new Throttle("ThrottlingException", "Rate exceeded", everyNth, burst));
    }

    /** Answers every call of {@code operation} with the error {@code code} (HTTP 400), or stops doing so (null). */
    public void refuse(String operation, String code, String message) {
        if (code == null) {
            throttles.remove(operation);
        } else {
            throttles.put(operation, new Throttle(code, message, 1, 0));
        }
    }

    /** Runs when a command has been accepted, before any host gets it: a test's way to change the world meanwhile. */
    public void onSendCommand(java.util.function.Consumer<String> action) {
        this.onSendCommand = action;
    }

    /** How many calls were answered with ThrottlingException. */
    public int throttledCount() {
        return throttled.get();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).toList();
    }

    /** How long the host's shell ran for the command (from start to exit), or -1. */
    public long hostWallMillis(String commandId, String instanceId) {
        CommandState c = commands.get(commandId);
        Invocation inv = c == null ? null : c.invocations.get(instanceId);
        return inv == null ? -1 : inv.wallMillis;
    }

    /** The shell script lines of every SendCommand received, joined. */
    public List<String> sentScripts() {
        List<String> out = new ArrayList<>();
        for (Request r : requests("SendCommand")) {
            Map<String, Object> body = TestJson.parseObject(r.body());
            @SuppressWarnings("unchecked")
            Map<String, List<String>> params = (Map<String, List<String>>) body.get("Parameters");
            out.add(String.join("\n", params.get("commands")));
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        for (CommandState c : commands.values()) {
            c.invocations.values().forEach(Invocation::kill);
        }
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (target == null || !target.startsWith("AmazonSSM.")) {
                reply(ex, 400, error("UnknownOperationException", "missing X-Amz-Target"));
                return;
            }
            String op = target.substring("AmazonSSM.".length());
            requests.add(new Request(op, body));
            Throttle throttle = throttles.get(op);
            if (throttle != null && throttle.next()) {
                if (throttle.code.equals("ThrottlingException")) {
                    throttled.incrementAndGet();
                }
                reply(ex, 400, error(throttle.code, throttle.message));
                return;
            }
            Map<String, Object> req = body.isBlank() ? Map.of() : TestJson.parseObject(body);
            try {
                String response = switch (op) {
                    case "SendCommand" -> sendCommand(req);
                    case "GetCommandInvocation" -> getCommandInvocation(req);
                    case "ListCommandInvocations" -> listCommandInvocations(req);
                    case "ListCommands" -> listCommands(req);
                    case "CancelCommand" -> cancelCommand(req);
                    case "GetParameter" -> getParameter(req);
                    default -> throw new ApiError("UnknownOperationException", "the fake SSM does not implement " + op);
                };
                reply(ex, 200, response);
            } catch (ApiError e) {
                reply(ex, 400, error(e.code, e.getMessage()));
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String error(String code, String message) {
        return "{\"__type\":" + TestJson.quote(code) + ",\"message\":" + TestJson.quote(message) + "}";
    }

    private static final class ApiError extends RuntimeException {
        final String code;

        ApiError(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    // --- Parameter Store ---------------------------------------------------------------------------------------------

    private String getParameter(Map<String, Object> req) {
        String name = (String) req.get("Name");
        if (undecryptable.containsKey(name) && Boolean.TRUE.equals(req.get("WithDecryption"))) {
            throw new ApiError("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/db-host/i-0 is not"
                    + " authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/"
                    + "1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action");
        }
        String value = parameters.get(name);
        if (value == null) {
            throw new ApiError("ParameterNotFound", "Parameter " + name + " not found.");
        }
        return "{\"Parameter\":{\"Name\":" + TestJson.quote(name) + ",\"Type\":\"SecureString\",\"Value\":" + TestJson.quote(value)
                + ",\"Version\":1,\"ARN\":\"arn:aws:ssm:us-east-1:123456789012:parameter" + name + "\"}}";
    }

    // --- Run Command ---------------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private String sendCommand(Map<String, Object> req) {
        if (!"AWS-RunShellScript".equals(req.get("DocumentName"))) {
            throw new ApiError("InvalidDocument", "Document " + req.get("DocumentName") + " does not exist in your account.");
        }
        Map<String, List<String>> params = (Map<String, List<String>>) req.get("Parameters");
        if (params == null || params.get("commands") == null) {
            throw new ApiError("InvalidParameters", "commands is required");
        }
        List<String> targetIds = new ArrayList<>();
        if (req.get("InstanceIds") != null) {
            List<String> unknown = new ArrayList<>();
            for (String id : (List<String>) req.get("InstanceIds")) {
                (hosts.containsKey(id) ? targetIds : unknown).add(id);
            }
            if (!unknown.isEmpty()) {
                throw new ApiError("InvalidInstanceId", "Instances " + unknown + " not in a valid state for account"
                        + " 123456789012");
            }
        } else if (req.get("Targets") != null) {
            for (FakeHost h : hosts.values()) {
                boolean all = true;
                for (Map<String, Object> t : (List<Map<String, Object>>) req.get("Targets")) {
                    String key = (String) t.get("Key");
                    List<String> values = (List<String>) t.get("Values");
                    boolean match = key.startsWith("tag:") ? values.contains(h.tags().get(key.substring(4)))
                            : key.equals("InstanceIds") && values.contains(h.instanceId());
                    all &= match;
                }
                if (all) {
                    targetIds.add(h.instanceId());
                }
            }
            Collections.sort(targetIds);
        } else {
            throw new ApiError("ValidationException", "InstanceIds or Targets is required");
        }
        long deliveryTimeout = req.get("TimeoutSeconds") instanceof Number n ? n.longValue() : 600;
        if (deliveryTimeout < 30 || deliveryTimeout > 2_592_000) {
            throw new ApiError("ValidationException", "1 validation error detected: Value '" + deliveryTimeout
                    + "' at 'timeoutSeconds' failed to satisfy constraint: Member must have value "
                    + (deliveryTimeout < 30 ? "greater than or equal to 30" : "less than or equal to 2592000"));
        }
        List<String> et = params.get("executionTimeout");
        long executionTimeout = et == null ? 3600 : Long.parseLong(et.get(0));
        if (executionTimeout < 1 || executionTimeout > 172_800) {
            throw new ApiError("InvalidParameters", "Parameter \"executionTimeout\" \"" + executionTimeout + "\" does not"
                    + " match the allowed pattern of the document");
        }
        String id = UUID.randomUUID().toString();
        CommandState c = new CommandState(id, String.join("\n", params.get("commands")), deliveryTimeout,
                executionTimeout, str(req.get("MaxConcurrency"), "50"), str(req.get("MaxErrors"), "0"),
                (String) req.get("OutputS3BucketName"), str(req.get("OutputS3KeyPrefix"), ""), targetIds);
        commands.put(id, c);
        onSendCommand.accept(id);
        executor.submit(c::run);
        return "{\"Command\":{\"CommandId\":" + TestJson.quote(id) + ",\"DocumentName\":\"AWS-RunShellScript\",\"Status\":"
                + "\"Pending\",\"StatusDetails\":\"Pending\",\"TargetCount\":" + targetIds.size() + "}}";
    }

    private String getCommandInvocation(Map<String, Object> req) {
        CommandState c = commands.get((String) req.get("CommandId"));
        Invocation inv = c == null ? null : c.visible((String) req.get("InstanceId"));
        if (inv == null) {
            throw new ApiError("InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist)");
        }
        synchronized (inv) {
            StringBuilder b = new StringBuilder("{");
            b.append("\"CommandId\":").append(TestJson.quote(c.id)).append(',');
            b.append("\"InstanceId\":").append(TestJson.quote(inv.host.instanceId())).append(',');
            b.append("\"DocumentName\":\"AWS-RunShellScript\",\"PluginName\":\"aws:runShellScript\",");
            b.append("\"ResponseCode\":").append(inv.responseCode).append(',');
            b.append("\"Status\":").append(TestJson.quote(inv.status)).append(',');
            b.append("\"StatusDetails\":").append(TestJson.quote(inv.details)).append(',');
            b.append("\"StandardOutputContent\":").append(TestJson.quote(cut(inv.stdout, 24_000))).append(',');
            b.append("\"StandardErrorContent\":").append(TestJson.quote(cut(inv.stderr, 8_000))).append(',');
            b.append("\"StandardOutputUrl\":").append(TestJson.quote(inv.stdoutUrl)).append(',');
            b.append("\"StandardErrorUrl\":").append(TestJson.quote(inv.stderrUrl));
            return b.append('}').toString();
        }
    }

    /**
     * As SSM: at most MaxResults (1 to 50, default 50) invocations a page with a NextToken for the rest; with
     * Details, each invocation's plugin with its status, exit code, the first 2,500 characters of output and the
     * output URLs.
     */
    private String listCommandInvocations(Map<String, Object> req) {
        CommandState c = commands.get((String) req.get("CommandId"));
        int max = req.get("MaxResults") instanceof Number n ? n.intValue() : 50;
        if (max < 1 || max > 50) {
            throw new ApiError("ValidationException", "1 validation error detected: Value '" + max + "' at 'maxResults'"
                    + " failed to satisfy constraint: Member must have value less than or equal to 50");
        }
        int from = 0;
        if (req.get("NextToken") instanceof String token) {
            try {
                from = Integer.parseInt(new String(java.util.Base64.getDecoder().decode(token), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ApiError("InvalidNextToken", "The specified token is not valid.");
            }
        }
        boolean details = Boolean.TRUE.equals(req.get("Details"));
        List<String> visible = new ArrayList<>();
        if (c != null) {
            for (String id : c.order) {
                if (c.visible(id) != null) {
                    visible.add(id);
                }
            }
        }
        StringBuilder b = new StringBuilder("{\"CommandInvocations\":[");
        String sep = "";
        int to = Math.min(visible.size(), from + max);
        for (int i = from; i < to; i++) {
            Invocation inv = c.invocations.get(visible.get(i));
            synchronized (inv) {
                b.append(sep).append("{\"CommandId\":").append(TestJson.quote(c.id)).append(",\"InstanceId\":")
                        .append(TestJson.quote(inv.host.instanceId())).append(",\"DocumentName\":\"AWS-RunShellScript\"")
                        .append(",\"Status\":").append(TestJson.quote(inv.status))
                        .append(",\"StatusDetails\":").append(TestJson.quote(inv.details));
                if (details) {
                    String output = inv.stdout + (inv.stderr.isEmpty() ? "" : "\n----------ERROR-------\n" + inv.stderr);
                    b.append(",\"CommandPlugins\":[{\"Name\":\"aws:runShellScript\",\"Status\":").append(TestJson.quote(inv.status))
                            .append(",\"StatusDetails\":").append(TestJson.quote(inv.details))
                            .append(",\"ResponseCode\":").append(inv.responseCode)
                            .append(",\"Output\":").append(TestJson.quote(cut(output, 2_500)))
                            .append(",\"StandardOutputUrl\":").append(TestJson.quote(inv.stdoutUrl))
                            .append(",\"StandardErrorUrl\":").append(TestJson.quote(inv.stderrUrl));
                    if (c.outputBucket != null) {
                        b.append(",\"OutputS3BucketName\":").append(TestJson.quote(c.outputBucket))
                                .append(",\"OutputS3KeyPrefix\":").append(TestJson.quote(c.outputPrefix));
                    }
                    b.append("}]");
                }
                b.append('}');
            }
            sep = ",";
        }
        b.append(']');
        if (to < visible.size()) {
            b.append(",\"NextToken\":").append(TestJson.quote(java.util.Base64.getEncoder()
                    .encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8))));
        }
        return b.append('}').toString();
    }

    private String listCommands(Map<String, Object> req) {
        CommandState c = commands.get((String) req.get("CommandId"));
        if (c == null) {
            throw new ApiError("InvalidCommandId", "Invalid command id");
        }
        return "{\"Commands\":[{\"CommandId\":" + TestJson.quote(c.id) + ",\"Status\":" + TestJson.quote(c.status())
                + ",\"StatusDetails\":" + TestJson.quote(c.status()) + ",\"TargetCount\":" + c.order.size()
                + ",\"CompletedCount\":" + c.completed() + ",\"ErrorCount\":" + c.errors() + "}]}";
    }

    private String cancelCommand(Map<String, Object> req) {
        CommandState c = commands.get((String) req.get("CommandId"));
        if (c == null) {
            throw new ApiError("InvalidCommandId", "Invalid command id");
        }
        c.cancel();
        return "{}";
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static String str(Object o, String dflt) {
        return o == null ? dflt : o.toString();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private final class CommandState {
        final String id;
        final String script;
        final long deliveryTimeout;
        final long executionTimeout;
        final String maxConcurrency;
        final String maxErrors;
        final String outputBucket;
        final String outputPrefix;
        final List<String> order;
        final Map<String, Invocation> invocations = new LinkedHashMap<>();
        final long created = System.currentTimeMillis();
        volatile boolean cancelled;

        CommandState(String id, String script, long deliveryTimeout, long executionTimeout, String maxConcurrency,
                     String maxErrors, String outputBucket, String outputPrefix, List<String> order) {
            this.id = id;
            this.script = script;
            this.deliveryTimeout = deliveryTimeout;
            this.executionTimeout = executionTimeout;
            this.maxConcurrency = maxConcurrency;
            this.maxErrors = maxErrors;
            this.outputBucket = outputBucket;
            this.outputPrefix = outputPrefix;
            this.order = List.copyOf(order);
            for (String h : order) {
                invocations.put(h, new Invocation(hosts.get(h)));
            }
        }

        Invocation visible(String instanceId) {
            return System.currentTimeMillis() - created < invocationDelayMillis ? null : invocations.get(instanceId);
        }

        int limit(String value, int of) {
            if (value.endsWith("%")) {
                return Math.max(1, (int) Math.ceil(of * Integer.parseInt(value.substring(0, value.length() - 1)) / 100.0));
            }
            return Integer.parseInt(value);
        }

        int maxErrorCount(String value, int of) {
            if (value.endsWith("%")) {
                return (int) Math.floor(of * Integer.parseInt(value.substring(0, value.length() - 1)) / 100.0);
            }
            return Integer.parseInt(value);
        }

        /** SSM's own scheduling: at most maxConcurrency at once; stop starting new ones once errors exceed maxErrors. */
        void run() {
            int concurrency = limit(maxConcurrency, order.size());
            int allowedErrors = maxErrorCount(maxErrors, order.size());
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (String instanceId : order) {
                Invocation inv = invocations.get(instanceId);
                while (true) {
                    running.removeIf(java.util.concurrent.Future::isDone);
                    if (running.size() < concurrency) {
                        break;
                    }
                    sleep(20);
                }
                if (cancelled || errors() > allowedErrors) {
                    inv.finish("Cancelled", "Cancelled", -1);
                    continue;
                }
                running.add(executor.submit(() -> inv.execute(this)));
            }
        }

        void cancel() {
            cancelled = true;
            for (Invocation inv : invocations.values()) {
                inv.cancel();
            }
        }

        int completed() {
            return (int) invocations.values().stream().filter(Invocation::terminal).count();
        }

        int errors() {
            return (int) invocations.values().stream()
                    .filter(i -> i.terminal() && !"Success".equals(i.status) && !"Cancelled".equals(i.status)
                            && !"DeliveryTimedOut".equals(i.details))
                    .count();
        }

        String status() {
            if (System.currentTimeMillis() - created < invocationDelayMillis) {
                return "Pending"; // as its invocations, which do not exist yet
            }
            if (invocations.values().stream().anyMatch(i -> !i.terminal())) {
                return invocations.values().stream().allMatch(i -> "Pending".equals(i.status)) ? "Pending" : "InProgress";
            }
            if (cancelled) {
                return "Cancelled";
            }
            if (errors() > maxErrorCount(maxErrors, order.size())) {
                return "Failed";
            }
            boolean allOk = invocations.values().stream().allMatch(i -> "Success".equals(i.status));
            return allOk ? "Success" : "Failed";
        }
    }

    private final class Invocation {
        final FakeHost host;
        volatile String status = "Pending";
        volatile String details = "Pending";
        volatile int responseCode = -1;
        volatile String stdout = "";
        volatile String stderr = "";
        volatile String stdoutUrl = "";
        volatile String stderrUrl = "";
        private volatile Process process;
        volatile long wallMillis = -1;
        private volatile boolean cancelRequested;

        Invocation(FakeHost host) {
            this.host = host;
        }

        boolean terminal() {
            return List.of("Success", "Failed", "TimedOut", "Cancelled").contains(status);
        }

        synchronized void finish(String s, String d, int code) {
            if (!terminal()) {
                status = s;
                details = d;
                responseCode = code;
            }
        }

        void cancel() {
            cancelRequested = true;
            if (!terminal() && process == null) {
                finish("Cancelled", "Cancelled", -1);
            }
            kill();
        }

        void kill() {
            Process p = process;
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }

        void execute(CommandState c) {
            if (host.behaviour() == FakeHost.Behaviour.AGENT_STUCK) {
                synchronized (this) {
                    status = "InProgress";
                    details = "InProgress";
                }
                return;
            }
            if (host.behaviour() == FakeHost.Behaviour.NEVER_PICKS_UP) {
                sleep((long) (c.deliveryTimeout * 1000 / deliveryClockSpeed));
                finish("TimedOut", "DeliveryTimedOut", -1);
                return;
            }
            if (cancelRequested) {
                return;
            }
            Path dir = host.directory().resolve("orchestration").resolve(c.id).resolve("awsrunShellScript")
                    .resolve("0.awsrunShellScript");
            try {
                Files.createDirectories(dir);
                Path script = dir.resolve("_script.sh");
                Files.writeString(script, c.script + "\n");
                Path out = dir.resolve("stdout");
                Path err = dir.resolve("stderr");
                ProcessBuilder pb = new ProcessBuilder("/bin/sh", script.toString()).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                Map<String, String> env = pb.environment();
                env.clear();
                env.put("HOME", host.directory().resolve("root").toString());
                env.put("DBDEPLOY_HOME", hostDirectory(host.instanceId()).toString());
                env.put("PATH", path(host));
                env.put("LANG", "C.UTF-8");
                env.putAll(hostEnvironment);
                env.putAll(host.environment());
                Files.createDirectories(host.directory().resolve("root"));
                synchronized (this) {
                    status = "InProgress";
                    details = "InProgress";
                }
                long started = System.nanoTime();
                Process p = pb.start();
                process = p;
                boolean ended = p.waitFor(c.executionTimeout, TimeUnit.SECONDS);
                if (!ended) {
                    kill();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                wallMillis = (System.nanoTime() - started) / 1_000_000;
                synchronized (this) {
                    stdout = Files.readString(out, StandardCharsets.UTF_8);
                    stderr = Files.readString(err, StandardCharsets.UTF_8);
                }
                if (c.outputBucket != null) {
                    String key = (c.outputPrefix.isEmpty() ? "" : c.outputPrefix + "/") + c.id + "/" + host.instanceId()
                            + "/awsrunShellScript/0.awsrunShellScript/";
                    outputWriter.accept(c.outputBucket + "/" + key, Map.of("stdout", out, "stderr", err));
                    stdoutUrl = "https://s3.us-east-1.amazonaws.com/" + c.outputBucket + "/" + key + "stdout";
                    stderrUrl = "https://s3.us-east-1.amazonaws.com/" + c.outputBucket + "/" + key + "stderr";
                }
                if (cancelRequested) {
                    finish("Cancelled", "Cancelled", -1);
                } else if (!ended) {
                    finish("TimedOut", "ExecutionTimedOut", -1);
                } else {
                    int code = p.exitValue();
                    finish(code == 0 ? "Success" : "Failed", code == 0 ? "Success" : "Failed", code);
                }
            } catch (IOException e) {
                stderr = "fake agent: " + e;
                finish("Failed", "Failed", 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    /** The host's PATH: this JVM's java first; without Java, every tool of /usr/bin but java. */
    private String path(FakeHost host) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        if (host.behaviour() != FakeHost.Behaviour.NO_JAVA) {
            return javaBin + ":/usr/local/bin:/usr/bin:/bin";
        }
        Path bin = host.directory().resolve("usr-bin-without-java");
        if (!Files.isDirectory(bin)) {
            Files.createDirectories(bin);
            try (Stream<Path> tools = Files.list(Path.of("/usr/bin"))) {
                for (Path t : (Iterable<Path>) tools::iterator) {
                    String name = t.getFileName().toString();
                    if (!name.equals("java") && !name.startsWith("java") && !name.equals("jshell")) {
                        Files.createSymbolicLink(bin.resolve(name), t);
                    }
                }
            }
        }
        return bin.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
