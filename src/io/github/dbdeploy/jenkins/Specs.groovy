package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * The keys of every step, in one place. vars/NAME.txt documents the same keys; StepConventionsTest
 * checks that they agree.
 */
class Specs implements Serializable {

    private static final long serialVersionUID = 1L

    static final String DEFAULT_DEPLOYMENT_ID = '<JOB_BASE_NAME>-<BUILD_NUMBER>'

    // Keys shared by every step that runs Maven. @NonCPS: it runs in the static initializer.
    @NonCPS
    private static List<ConfigKey> mavenKeys() {
        return [
                new ConfigKey(name: 'environment', type: ConfigKey.STRING, required: true),
                new ConfigKey(name: 'credentialsId', type: ConfigKey.STRING),
                new ConfigKey(name: 'mavenCommand', type: ConfigKey.STRING, defaultValue: 'mvn'),
                new ConfigKey(name: 'mavenArgs', type: ConfigKey.STRING, defaultValue: '-B'),
        ]
    }

    static final StepSpec DEPLOY_WITH_MIGRATIONS = new StepSpec('deployWithMigrations', mavenKeys() + [
            new ConfigKey(name: 'liveColour', type: ConfigKey.CLOSURE, requiredUnless: 'router'),
            new ConfigKey(name: 'deploy', type: ConfigKey.CLOSURE, required: true),
            new ConfigKey(name: 'healthCheck', type: ConfigKey.CLOSURE, required: true),
            new ConfigKey(name: 'switchTraffic', type: ConfigKey.CLOSURE, requiredUnless: 'router'),
            new ConfigKey(name: 'smokeTest', type: ConfigKey.CLOSURE),
            new ConfigKey(name: 'verify', type: ConfigKey.CLOSURE),
            new ConfigKey(name: 'retire', type: ConfigKey.CLOSURE),
            new ConfigKey(name: 'router', type: ConfigKey.MAP),
            new ConfigKey(name: 'colours', type: ConfigKey.LIST, defaultValue: ['blue', 'green']),
            new ConfigKey(name: 'deploymentId', type: ConfigKey.STRING, defaultDescription: DEFAULT_DEPLOYMENT_ID),
            new ConfigKey(name: 'timeoutMinutes', type: ConfigKey.INT, defaultValue: 30),
            new ConfigKey(name: 'rollbackOnFailure', type: ConfigKey.BOOLEAN, defaultValue: true),
            new ConfigKey(name: 'rehearse', type: ConfigKey.BOOLEAN, defaultValue: true),
    ])

    /** The nested {@code router:} map of deployWithMigrations (only type 'nginx' is built in). */
    static final StepSpec NGINX_ROUTER = new StepSpec('deployWithMigrations', [
            new ConfigKey(name: 'type', type: ConfigKey.STRING, required: true),
            new ConfigKey(name: 'upstreamFile', type: ConfigKey.STRING, required: true),
            new ConfigKey(name: 'servers', type: ConfigKey.MAP, required: true),
            new ConfigKey(name: 'probeUrl', type: ConfigKey.STRING, required: true),
            new ConfigKey(name: 'upstreamName', type: ConfigKey.STRING, defaultValue: 'dbdeploy_app'),
            new ConfigKey(name: 'nginxCommand', type: ConfigKey.STRING, defaultValue: 'nginx'),
    ], 'router')

    static final StepSpec MIGRATE = new StepSpec('dbdeployMigrate', mavenKeys() + [
            new ConfigKey(name: 'deploymentId', type: ConfigKey.STRING, defaultDescription: DEFAULT_DEPLOYMENT_ID),
    ])

    static final StepSpec ROLLBACK = new StepSpec('dbdeployRollback', mavenKeys() + [
            // No default: without it the goal undoes the most recent deployment.
            new ConfigKey(name: 'deploymentId', type: ConfigKey.STRING),
    ])

    static final StepSpec STATUS = new StepSpec('dbdeployStatus', mavenKeys())

    /** Every public step and its keys; the conventions test iterates over this. */
    @NonCPS
    static Map<String, StepSpec> all() {
        return [
                deployWithMigrations: DEPLOY_WITH_MIGRATIONS,
                dbdeployMigrate     : MIGRATE,
                dbdeployRollback    : ROLLBACK,
                dbdeployStatus      : STATUS,
        ]
    }
}
