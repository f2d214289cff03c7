package io.github.dbdeploy.engine;

import java.util.Locale;

/**
 * How the user started dbdeploy, so that every "run this next" in a message is a command they can paste where they
 * are: a Maven goal ({@code mvn dbdeploy:rollback -Penv=prod -Ddbdeploy.rollbackTag=...}), or the command-line tool in
 * a container ({@code java -jar dbdeploy.jar rollback --rollback-tag=...}). A remote host's runner answers to whoever
 * ran Maven with {@code target=ssm}, so it speaks Maven.
 */
public enum FrontDoor {
    MAVEN, CLI;

    /** The jar name of the command-line tool, as the README's container examples run it. */
    public static final String CLI_JAR = "dbdeploy.jar";

    /**
     * The command line that runs {@code command} against the database of {@code environment}.
     *
     * @param arguments further settings, each {@code dbdeploy.name=value}
     */
    public String commandLine(String environment, Command command, String... arguments) {
        boolean named = environment != null && !environment.isBlank() && !"default".equals(environment);
        StringBuilder b = new StringBuilder();
        if (this == MAVEN) {
            // Without the profile, a copied command would go to the default database.
            b.append("mvn dbdeploy:").append(command.goal());
            if (named) {
                b.append(" -P").append(PropertyNames.ENV_PROFILE_PREFIX).append(environment);
            }
            for (String a : arguments) {
                b.append(" -D").append(a);
            }
            return b.toString();
        }
        // The CLI has no profiles: the database comes from the same --url / DBDEPLOY_URL as the run that printed this.
        b.append("java -jar ").append(CLI_JAR).append(' ').append(command.goal());
        if (named) {
            b.append(' ').append(option(PropertyNames.ENV)).append('=').append(environment);
        }
        for (String a : arguments) {
            int eq = a.indexOf('=');
            b.append(' ').append(eq < 0 ? option(a) : option(a.substring(0, eq)) + a.substring(eq));
        }
        return b.toString();
    }

    /**
     * The CLI's option for a {@code dbdeploy.*} property, by one rule: the property without its prefix in kebab case
     * ({@code dbdeploy.lockWaitSeconds} is {@code --lock-wait-seconds}, {@code dbdeploy.aws.region} is
     * {@code --aws-region}).
     */
    public static String option(String property) {
        return "--" + words(property).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The CLI's environment variable for a property: {@code dbdeploy.aws.region} is {@code DBDEPLOY_AWS_REGION}. */
    public static String environmentVariable(String property) {
        return "DBDEPLOY_" + words(property).toUpperCase(Locale.ROOT);
    }

    /** The property's suffix with its words joined by '_': {@code lockWaitSeconds} gives {@code lock_Wait_Seconds}. */
    private static String words(String property) {
        String suffix = property.startsWith(PropertyNames.PREFIX) ? property.substring(PropertyNames.PREFIX.length())
                : property;
        return suffix.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2");
    }
}
