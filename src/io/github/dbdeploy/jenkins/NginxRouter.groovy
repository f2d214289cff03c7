package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * Switches traffic by rewriting an nginx upstream include file, for example
 * {@code include /etc/nginx/conf.d/shop-upstream.conf;} in the http block, and reloading nginx.
 * The file records its colour in a comment, which is how the live colour is read back.
 * The new file is checked with {@code nginx -t} before the reload; if the check fails the previous
 * file is put back and nginx keeps serving as before. {@code nginx -s reload} only signals the master process,
 * which may still refuse the new configuration, so a switch is done only once a request to {@code probeUrl},
 * through nginx, is answered with the new colour's X-Dbdeploy-Colour header (set from a variable the file defines).
 */
class NginxRouter implements TrafficRouter {

    private static final long serialVersionUID = 1L

    static final String COLOUR_MARKER = '# dbdeploy-colour:'
    static final String COLOUR_HEADER = 'X-Dbdeploy-Colour'
    /**
     * The upstream file, in the library's resources/ (read with libraryResource, as Jenkins serves it): @colour@,
     * @upstreamName@, @server@ and @colourVariable@ stand for the values {@link #render} puts in.
     */
    static final String UPSTREAM_TEMPLATE = 'io/github/dbdeploy/jenkins/nginx-upstream.conf'
    /** How often the probe asks, one second apart, before the switch counts as failed: nginx applies a reload within a second or two. */
    static final int PROBE_ATTEMPTS = 10

    /** host:port, where host is a DNS name, an IPv4 address or a bracketed IPv6 address: nothing that nginx could read as syntax. */
    static final String HOST_PORT = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})/
    /** An http(s) URL without quotes, spaces or shell syntax, since it goes into a curl command line. */
    static final String PROBE_URL = /https?:\/\/[A-Za-z0-9.\[\]:-]+(?:\/[A-Za-z0-9._~\/%?=&+-]*)?/

    private final def steps
    final String upstreamFile
    final String upstreamName
    final String nginxCommand
    final Map<String, String> servers
    final String probeUrl

    NginxRouter(def steps, Map router, List<String> colours) {
        Map config = Specs.NGINX_ROUTER.resolve(router)
        if (config.type != 'nginx') {
            throw new DbdeployException("Invalid router: type '${config.type}' is not built in; the only built-in router is type: 'nginx'. " +
                    "For any other router pass liveColour and switchTraffic closures instead of router.")
        }
        Map<String, String> serverMap = [:]
        config.servers.each { k, v -> serverMap[k.toString()] = v?.toString() }
        List<String> missing = colours.findAll { !serverMap[it] }
        if (missing) {
            throw new DbdeployException("Invalid router: servers has no address for ${missing.join(', ')}. " +
                    "Give one 'host:port' per colour, e.g. servers: [blue: '10.0.0.5:8080', green: '10.0.0.6:8080'].")
        }
        colours.each { checkServer(it, serverMap[it]) }
        checkProbeUrl(config.probeUrl)
        Names.requireSafe('router.upstreamName', config.upstreamName)
        this.steps = steps
        this.probeUrl = config.probeUrl
        this.upstreamFile = config.upstreamFile
        this.upstreamName = config.upstreamName
        this.nginxCommand = config.nginxCommand
        this.servers = serverMap
    }

    @Override
    String liveColour() {
        if (!steps.fileExists(upstreamFile)) {
            throw new DbdeployException("The nginx upstream file ${upstreamFile} does not exist, so the live colour is unknown. " +
                    "Create it once with the content dbdeploy writes (see vars/deployWithMigrations.txt, 'nginx router'), " +
                    "include it in nginx.conf, and run the pipeline again.")
        }
        String colour = colourIn(steps.readFile(upstreamFile))
        if (colour == null) {
            throw new DbdeployException("${upstreamFile} has no '${COLOUR_MARKER} <colour>' line, so it was not written by dbdeploy. " +
                    "Replace it with the content dbdeploy writes (see vars/deployWithMigrations.txt, 'nginx router').")
        }
        return colour
    }

    @Override
    void switchTo(String colour) {
        String previous = steps.fileExists(upstreamFile) ? steps.readFile(upstreamFile) : null
        String template = steps.libraryResource(UPSTREAM_TEMPLATE)
        steps.writeFile(file: upstreamFile, text: render(template, upstreamName, colour, servers[colour]))
        try {
            steps.sh("${nginxCommand} -t")
        } catch (Exception e) {
            if (previous != null) {
                steps.writeFile(file: upstreamFile, text: previous)
            }
            if (Aborts.isAbort(e)) {
                throw e
            }
            throw new DbdeployException("nginx -t rejected the configuration with ${upstreamFile} pointing at ${colour} (${e.message}); " +
                    "the previous file was restored and nginx was not reloaded. Run '${nginxCommand} -t' on the agent to see why.", e)
        }
        steps.sh("${nginxCommand} -s reload")
        probe(colour)
    }

    /** Asks through nginx until the new colour answers; throws when it never does. */
    private void probe(String colour) {
        String last = 'no answer yet'
        for (int attempt = 1; attempt <= PROBE_ATTEMPTS; attempt++) {
            try {
                String headers = steps.sh(script: "curl -sS -o /dev/null -D - --max-time 5 '${probeUrl}'", returnStdout: true)
                String answeredBy = headerIn(headers, COLOUR_HEADER)
                int status = statusIn(headers)
                if (answeredBy == colour && status >= 200 && status < 400) {
                    return
                }
                last = "HTTP ${status}, ${COLOUR_HEADER}: ${answeredBy ?: '(none)'}"
            } catch (Exception e) {
                if (Aborts.isAbort(e)) {
                    throw e
                }
                last = "curl failed: ${e.message}"
            }
            if (attempt < PROBE_ATTEMPTS) {
                steps.sleep(time: 1, unit: 'SECONDS')
            }
        }
        throw new DbdeployException("nginx was reloaded with ${upstreamFile} pointing at ${colour} (${servers[colour]}), but ${probeUrl} " +
                "did not answer from ${colour} through nginx in ${PROBE_ATTEMPTS} attempts (last: ${last}). Check that nginx applied the reload " +
                "(its error log says why not), that ${servers[colour]} is up, and that the server block proxying to ${upstreamName} has " +
                "'add_header ${COLOUR_HEADER} \$${colourVariable(upstreamName)} always;'.")
    }

    @Override
    String describe() {
        return "nginx (upstream file ${upstreamFile})"
    }

    /**
     * The upstream file for one colour, from {@link #UPSTREAM_TEMPLATE}. Public so that the file can be seeded for the
     * first deployment. Besides the upstream it defines $dbdeploy_colour_<upstreamName>, which the server block returns
     * as the X-Dbdeploy-Colour header: that is how the probe knows which file nginx is serving from. The values were
     * checked on the way in (host:port, a safe name), so none of them can add nginx syntax.
     */
    @NonCPS
    static String render(String template, String upstreamName, String colour, String server) {
        return template.replace('@colourVariable@', colourVariable(upstreamName))
                .replace('@upstreamName@', upstreamName)
                .replace('@server@', server)
                .replace('@colour@', colour)
    }

    /** nginx variable names take letters, digits and '_' only, and each upstream needs its own. */
    @NonCPS
    static String colourVariable(String upstreamName) {
        return 'dbdeploy_colour_' + upstreamName.replaceAll(/[^A-Za-z0-9_]/, '_')
    }

    /** Refuses anything but host:port, so that a server value can never add nginx directives to the file. */
    @NonCPS
    static void checkServer(String colour, String server) {
        def match = server =~ ('^' + HOST_PORT + '$')
        int port = match.matches() ? Integer.parseInt(match.group(1)) : 0
        if (port < 1 || port > 65535) {
            // The value is not echoed: it may hold anything, including line breaks.
            throw new DbdeployException("Invalid router: servers.${colour} must be host:port (a DNS name, an IPv4 address or [IPv6], " +
                    "and a port from 1 to 65535), without spaces, ';', braces, quotes or line breaks. " +
                    "Example: servers: [blue: '10.0.0.5:8080', green: '10.0.0.6:8080'].")
        }
    }

    @NonCPS
    static void checkProbeUrl(String url) {
        if (!(url ==~ PROBE_URL)) {
            throw new DbdeployException("Invalid router: probeUrl must be an http:// or https:// URL served through this nginx, without " +
                    "spaces, quotes or shell characters, e.g. probeUrl: 'http://127.0.0.1/health'.")
        }
    }

    /** The value of a response header in curl -D output (case-insensitive name); of the last response when there are several. */
    @NonCPS
    static String headerIn(String headers, String name) {
        String value = null
        (headers ?: '').readLines().each { String line ->
            int colon = line.indexOf(':')
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                value = line.substring(colon + 1).trim()
            }
        }
        return value
    }

    /** The status code of the last HTTP status line in curl -D output, or 0. */
    @NonCPS
    static int statusIn(String headers) {
        int status = 0
        (headers ?: '').readLines().each { String line ->
            def match = line =~ /^HTTP\/[0-9.]+ ([0-9]{3})/
            if (match.find()) {
                status = Integer.parseInt(match.group(1))
            }
        }
        return status
    }

    @NonCPS
    static String colourIn(String text) {
        def line = text?.readLines()?.find { it.trim().startsWith(COLOUR_MARKER) }
        if (line == null) {
            return null
        }
        String colour = line.trim().substring(COLOUR_MARKER.length()).trim()
        return colour ?: null
    }
}
