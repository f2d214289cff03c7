package io.github.dbdeploy.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.FrontDoor;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.SettingsMapping;

/**
 * The CLI's names for the {@code dbdeploy.*} properties, by the one rule of {@link FrontDoor#option} and
 * {@link FrontDoor#environmentVariable} (which the engine's "run this next" hints use too): the property without its
 * prefix, in kebab case, is the option ({@code dbdeploy.lockWaitSeconds} is {@code --lock-wait-seconds}); in upper
 * snake case after {@code DBDEPLOY_} it is the environment variable ({@code DBDEPLOY_LOCK_WAIT_SECONDS}). The options
 * are derived from {@link SettingsMapping#knownProperties()}, so a setting added to the engine is an option here
 * without a change; only what cannot mean anything outside Maven or on this machine is left out.
 */
final class CliOptions {
    /** A property the CLI accepts, with its option and environment variable. */
    record Setting(String property, String option, String envVar, boolean flag, String description) {
    }

    /**
     * Settings that only Maven or remote execution understand: settings.xml servers, the per-goal skips (there is one
     * goal per run here), the target (the CLI always runs here) and the S3/SSM transport. The password is its own
     * option (a reference only), see {@link DbdeployCli}.
     */
    private static final Set<String> NOT_OPTIONS = Set.of(PropertyNames.SERVER_ID, PropertyNames.TARGET,
            PropertyNames.PASSWORD);

    /** Booleans: {@code --dry-run} alone means true; {@code --rollback-on-failure=false} turns a default off. */
    private static final Set<String> FLAGS = Set.of(PropertyNames.SKIP, PropertyNames.DRY_RUN,
            PropertyNames.ROLLBACK_ON_FAILURE, PropertyNames.FAIL_ON_PENDING);

    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry(PropertyNames.URL, "JDBC URL of the database, e.g. jdbc:postgresql://db:5432/app"),
            Map.entry(PropertyNames.USERNAME, "Database user"),
            Map.entry(PropertyNames.CHANGELOG, "Master changelog (XML, YAML or formatted SQL), or a directory of"
                    + " migrations in another tool's format; relative to the working directory"),
            Map.entry(PropertyNames.FORMAT, "Shape of a directory changelog: auto (default), flyway, golang-migrate,"
                    + " dbmate, diesel, drizzle or sql"),
            Map.entry(PropertyNames.ENV, "Environment name, recorded with the deployment and in the summary"
                    + " (default: default)"),
            Map.entry(PropertyNames.TAG, "Deployment id (default: deploy-<UTC time>)"),
            Map.entry(PropertyNames.LOCK_WAIT_SECONDS, "Seconds to wait for another deployment's lock (default 300)"),
            Map.entry(PropertyNames.ROLLBACK_ON_FAILURE, "migrate: when a changeset fails, roll back what this run"
                    + " applied (default true)"),
            Map.entry(PropertyNames.DRY_RUN, "migrate: print the SQL it would run and change nothing"),
            Map.entry(PropertyNames.CONTEXTS, "Liquibase contexts: only changesets matching them run"),
            Map.entry(PropertyNames.LABELS, "Liquibase label expression: only changesets matching it run"),
            Map.entry(PropertyNames.ROLLBACK_TAG, "rollback: back to the state before this deployment id"
                    + " (default: the last deployment that changed the database)"),
            Map.entry(PropertyNames.ROLLBACK_COUNT, "rollback: undo this many changesets instead"),
            Map.entry(PropertyNames.FAIL_ON_PENDING, "status: exit 4 when changesets are pending"),
            Map.entry(PropertyNames.DEPLOYED_BY, "Who is recorded as having deployed (default: user@host)"),
            Map.entry(PropertyNames.SKIP, "Do nothing and exit 0 (say DBDEPLOY_SKIP=true where a container must not"
                    + " migrate)"),
            Map.entry(PropertyNames.AWS_REGION, "AWS region for ssm:/ password references"),
            Map.entry(PropertyNames.AWS_PROFILE, "AWS profile for ssm:/ password references"),
            Map.entry(PropertyNames.SSM_ENDPOINT, "Endpoint override for Parameter Store (ssm:/ references)"));

    private static final Pattern PROPERTY_MENTION = Pattern.compile("dbdeploy\\.[A-Za-z][A-Za-z.]*[A-Za-z]");

    private CliOptions() {
    }

    /** Every setting the CLI accepts, in property order. */
    static List<Setting> all() {
        List<Setting> out = new ArrayList<>();
        for (String property : new java.util.TreeSet<>(SettingsMapping.knownProperties())) {
            if (accepts(property)) {
                out.add(new Setting(property, FrontDoor.option(property), FrontDoor.environmentVariable(property),
                        FLAGS.contains(property), DESCRIPTIONS.getOrDefault(property,
                        "Sets " + property + " (see the README)")));
            }
        }
        return out;
    }

    private static boolean accepts(String property) {
        if (NOT_OPTIONS.contains(property) || property.startsWith("dbdeploy.s3.")) {
            return false;
        }
        if (property.startsWith("dbdeploy.ssm.")) {
            return property.equals(PropertyNames.SSM_ENDPOINT); // Parameter Store; the rest is Run Command
        }
        for (Command c : Command.values()) {
            if (property.equals(PropertyNames.skipOf(c))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The engine's messages name properties ({@code set dbdeploy.url ...}); this names their CLI spellings, e.g.
     * {@code dbdeploy.url is --url or DBDEPLOY_URL}, or returns null when the text names none.
     */
    static String translate(String message, Function<String, Setting> byProperty) {
        if (message == null) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        Matcher m = PROPERTY_MENTION.matcher(message);
        while (m.find()) {
            Setting s = byProperty.apply(m.group());
            String part = s == null ? null : s.property() + " is " + s.option() + " or " + s.envVar();
            if (part != null && !parts.contains(part)) {
                parts.add(part);
            }
        }
        return parts.isEmpty() ? null : "On the command line, " + String.join("; ", parts) + ".";
    }
}
