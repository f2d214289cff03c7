package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * The keys of one step, and the check that turns a user's map into a complete configuration:
 * unknown keys, missing required keys and wrong types are all reported at once, before anything runs.
 */
class StepSpec implements Serializable {

    private static final long serialVersionUID = 1L

    final String stepName
    final List<ConfigKey> keys
    /** What the map configures, for messages: "configuration", or "router" for the nested router map. */
    final String subject

    StepSpec(String stepName, List<ConfigKey> keys, String subject = 'configuration') {
        this.stepName = stepName
        this.keys = keys
        this.subject = subject
    }

    @NonCPS
    List<String> keyNames() {
        return keys.collect { it.name }.sort()
    }

    @NonCPS
    ConfigKey key(String name) {
        return keys.find { it.name == name }
    }

    /**
     * Merges the user's values over the defaults. Precedence: a value the user gives always wins;
     * a key left out takes its default; there is no other source.
     *
     * @throws DbdeployException listing every problem found
     */
    @NonCPS
    Map resolve(Map userConfig) {
        Map given = userConfig ?: [:]
        List<String> problems = []

        List<String> unknown = given.keySet().collect { it.toString() }.findAll { key(it) == null }.sort()
        if (unknown) {
            problems << "unknown key${unknown.size() > 1 ? 's' : ''} ${unknown.collect { "'${it}'" }.join(', ')} (allowed keys: ${keyNames().join(', ')})"
        }

        Map config = [:]
        List<String> missing = []
        keys.each { ConfigKey k ->
            boolean present = given.containsKey(k.name) && given[k.name] != null
            if (!present) {
                if (k.required || (k.requiredUnless && given[k.requiredUnless] == null)) {
                    missing << (k.requiredUnless ? "'${k.name}' (or '${k.requiredUnless}')" : "'${k.name}'")
                }
                config[k.name] = (k.defaultValue instanceof List) ? new ArrayList(k.defaultValue) : k.defaultValue
                return
            }
            Object value = k.coerce(given[k.name])
            if (value == null) {
                // The value itself is never echoed: a misplaced secret must not reach the log.
                problems << "key '${k.name}' must be ${article(k.type)} ${k.type} but was ${article(typeName(given[k.name]))} ${typeName(given[k.name])}"
            } else {
                config[k.name] = value
            }
        }
        if (missing) {
            problems.add(0, "missing required key${missing.size() > 1 ? 's' : ''} ${missing.join(', ')}")
        }
        if (problems) {
            throw new DbdeployException("Invalid ${subject}: ${problems.join('; ')}. " +
                    "Fix the call in your Jenkinsfile; vars/${stepName}.txt lists every key with its type, default and an example.")
        }
        return config
    }

    @NonCPS
    private static String article(String type) {
        return type.toLowerCase() ==~ /^[aeiou].*/ ? 'an' : 'a'
    }

    @NonCPS
    private static String typeName(Object value) {
        if (value instanceof Closure) {
            return 'Closure'
        }
        if (value instanceof CharSequence) {
            return 'String'
        }
        if (value instanceof Map) {
            return 'Map'
        }
        if (value instanceof List) {
            return 'List'
        }
        return value.getClass().simpleName
    }
}
