package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * One key a step accepts. The help test reads these to check that vars/NAME.txt documents
 * every key with the same type and default.
 */
class ConfigKey implements Serializable {

    private static final long serialVersionUID = 1L

    static final String STRING = 'String'
    static final String INT = 'int'
    static final String BOOLEAN = 'boolean'
    static final String CLOSURE = 'Closure'
    static final String MAP = 'Map'
    static final String LIST = 'List<String>'

    final String name
    final String type
    /** Required keys have no default; "required unless" keys name the key that makes them optional. */
    final boolean required
    final String requiredUnless
    final Object defaultValue
    /** How the default reads in the help when it is computed, e.g. "<JOB_BASE_NAME>-<BUILD_NUMBER>". */
    final String defaultDescription

    ConfigKey(Map spec) {
        this.name = spec.name
        this.type = spec.type
        this.required = spec.required ?: false
        this.requiredUnless = spec.requiredUnless
        this.defaultValue = spec.defaultValue
        this.defaultDescription = spec.defaultDescription
    }

    /** The default as the help text must spell it. */
    @NonCPS
    String helpDefault() {
        if (required || requiredUnless) {
            return 'none'
        }
        if (defaultDescription != null) {
            return defaultDescription
        }
        if (defaultValue == null) {
            return 'none'
        }
        if (defaultValue instanceof String) {
            return "'${defaultValue}'"
        }
        if (defaultValue instanceof List) {
            return '[' + defaultValue.collect { "'${it}'" }.join(', ') + ']'
        }
        return String.valueOf(defaultValue)
    }

    /** Returns the value converted to the key's type, or null when it has the wrong type. */
    @NonCPS
    Object coerce(Object value) {
        switch (type) {
            case STRING:
                return (value instanceof CharSequence) ? value.toString() : null
            case INT:
                return (value instanceof Integer || value instanceof Long || value instanceof Short) ? ((Number) value).intValue() : null
            case BOOLEAN:
                return (value instanceof Boolean) ? value : null
            case CLOSURE:
                return (value instanceof Closure) ? value : null
            case MAP:
                return (value instanceof Map) ? value : null
            case LIST:
                if (!(value instanceof List) || value.any { !(it instanceof CharSequence) }) {
                    return null
                }
                return value.collect { it.toString() }
            default:
                throw new IllegalStateException("unknown key type ${type}")
        }
    }
}
