package io.github.dbdeploy.jenkins.e2e

import groovy.transform.CompileStatic

import java.nio.charset.StandardCharsets
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong

/**
 * Sends GET / to a loopback address until stopped, bounded by a request count and a duration so it can
 * never run away. One connection per request ("Connection: close"), as many short-lived clients would.
 * Records every latency, every failure (status other than 200, or an I/O error) and which colour answered.
 */
@CompileStatic
class LoadGenerator {

    final int port
    final int threads
    final int maxRequests
    final long maxMillis
    final long pauseMillis

    private final AtomicInteger issued = new AtomicInteger()
    private final AtomicLong failures = new AtomicLong()
    private final ConcurrentLinkedQueue<Long> latenciesNanos = new ConcurrentLinkedQueue<>()
    private final ConcurrentLinkedQueue<String> failureSamples = new ConcurrentLinkedQueue<>()
    final Map<String, AtomicInteger> answeredBy = new ConcurrentHashMap<>()
    private volatile boolean stopping
    private final List<Thread> workers = []
    private long startedAt
    private long stoppedAt

    LoadGenerator(int port, int threads, int maxRequests, long maxMillis, long pauseMillis) {
        this.port = port
        this.threads = threads
        this.maxRequests = maxRequests
        this.maxMillis = maxMillis
        this.pauseMillis = pauseMillis
    }

    LoadGenerator start() {
        startedAt = System.currentTimeMillis()
        long deadline = startedAt + maxMillis
        threads.times { int n ->
            Thread t = new Thread({
                while (!stopping && System.currentTimeMillis() < deadline && issued.incrementAndGet() <= maxRequests) {
                    requestOnce()
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis)
                    }
                }
            } as Runnable, "load-${n}")
            t.daemon = true
            t.start()
            workers << t
        }
        return this
    }

    LoadGenerator stop() {
        stopping = true
        workers.each { it.join(10_000) }
        stoppedAt = System.currentTimeMillis()
        return this
    }

    private void requestOnce() {
        long begin = System.nanoTime()
        try {
            new Socket().withCloseable { Socket socket ->
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000)
                socket.soTimeout = 10_000
                socket.outputStream.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII))
                socket.outputStream.flush()
                String response = new String(socket.inputStream.bytes, StandardCharsets.UTF_8)
                String statusLine = response.readLines()[0] ?: ''
                String body = response.contains('\r\n\r\n') ? response.substring(response.indexOf('\r\n\r\n') + 4) : ''
                if (!statusLine.startsWith('HTTP/1.1 200')) {
                    fail("${statusLine} ${body.trim()}")
                } else {
                    String colour = body.split(' ')[0]
                    answeredBy.computeIfAbsent(colour) { new AtomicInteger() }.incrementAndGet()
                }
            }
        } catch (IOException e) {
            fail("${e.getClass().simpleName}: ${e.message}")
        } finally {
            latenciesNanos.add(System.nanoTime() - begin)
        }
    }

    private void fail(String what) {
        failures.incrementAndGet()
        if (failureSamples.size() < 10) {
            failureSamples.add(what)
        }
    }

    int getRequests() { latenciesNanos.size() }

    long getFailures() { failures.get() }

    List<String> getFailureSamples() { new ArrayList<String>(failureSamples) }

    double percentileMillis(double p) {
        List<Long> sorted = new ArrayList<Long>(latenciesNanos).sort()
        if (sorted.isEmpty()) {
            return 0
        }
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0d * sorted.size()) - 1)
        return sorted[Math.max(0, index)] / 1_000_000.0d
    }

    String report(String scenario) {
        Map<String, Integer> colours = answeredBy.collectEntries { k, v -> [(k): v.get()] } as Map<String, Integer>
        return String.format('%s: %d requests in %.1f s, %d failed, p50 %.1f ms, p99 %.1f ms, max %.1f ms, answered by %s',
                scenario, getRequests(), (stoppedAt - startedAt) / 1000.0d, getFailures(), percentileMillis(50), percentileMillis(99),
                percentileMillis(100), colours)
    }
}
