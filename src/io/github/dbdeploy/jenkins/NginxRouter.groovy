package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * Switches traffic by rewriting an nginx upstream include file, for example
 * {@code include /etc/nginx/conf.d/shop-upstream.conf;} in the http block, and reloading nginx.
 * The file records its colour in a comment, which is how the live colour is read back.
 * The new file is checked with {@code nginx -t} before the reload; if the check fails the previous
 * file is put back and nginx keeps serving as before.
 */
class NginxRouter implements TrafficRouter {

    private static final long serialVersionUID = 1L

    static final String COLOUR_MARKER = '# dbdeploy-colour:'

    private final def steps
    final String upstreamFile
    final String upstreamName
    final String nginxCommand
    final Map<String, String> servers

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
        Names.requireSafe('router.upstreamName', config.upstreamName)
        this.steps = steps
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
        steps.writeFile(file: upstreamFile, text: render(upstreamName, colour, servers[colour]))
        try {
            steps.sh("${nginxCommand} -t")
        } catch (Exception e) {
            if (previous != null) {
                steps.writeFile(file: upstreamFile, text: previous)
            }
            throw new DbdeployException("nginx -t rejected the configuration with ${upstreamFile} pointing at ${colour} (${e.message}); " +
                    "the previous file was restored and nginx was not reloaded. Run '${nginxCommand} -t' on the agent to see why.", e)
        }
        steps.sh("${nginxCommand} -s reload")
    }

    @Override
    String describe() {
        return "nginx (upstream file ${upstreamFile})"
    }

    /** The upstream file for one colour. Public so that the file can be seeded for the first deployment. */
    @NonCPS
    static String render(String upstreamName, String colour, String server) {
        return """# Written by dbdeploy (deployWithMigrations); it is rewritten on every deployment.
${COLOUR_MARKER} ${colour}
upstream ${upstreamName} {
    server ${server};
}
"""
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
