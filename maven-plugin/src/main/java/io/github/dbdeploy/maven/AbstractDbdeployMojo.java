package io.github.dbdeploy.maven;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.SettingsMapping;
import io.github.dbdeploy.engine.SummaryWriter;

/**
 * What every goal shares: skip, environment selection, settings precedence, the summary files, and the one mapping
 * from engine errors to Maven's (a {@code MojoFailureException} for bad input, a {@code MojoExecutionException} for a
 * failed run). Goals declare their settings as {@code @Parameter(property = "dbdeploy.X")} fields and implement
 * {@link #runGoal}.
 *
 * <p>Precedence of a setting, wherever it is written: {@code -Ddbdeploy.X} on the command line, then the selected
 * {@code env=NAME} profile (in the POM, a parent POM or settings.xml), then the plugin's {@code <configuration>},
 * then the project's {@code <properties>}.
 */
abstract class AbstractDbdeployMojo extends AbstractMojo {

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    protected MojoExecution mojoExecution;

    /**
     * Skips every dbdeploy goal; {@code dbdeploy.<goal>.skip} skips one (e.g. {@code dbdeploy.migrate.skip}).
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.SKIP, defaultValue = "false")
    private boolean skip;

    /**
     * The environment, when not chosen with {@code -Penv=NAME}: the profile {@code env=NAME} supplies its settings.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.ENV)
    private String env;

    /**
     * The master changelog (XML, YAML or formatted SQL); files it includes are resolved relative to its directory.
     * A relative path is relative to the project directory.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.CHANGELOG, defaultValue = "${project.basedir}/src/main/resources/db/changelog.xml")
    private String changelog;

    /** Where summary.json, summary.md and the bundle are written. */
    @Parameter(defaultValue = "${project.build.directory}/dbdeploy", readonly = true)
    protected File outputDirectory;

    protected EnvironmentSelector.Environment environment;

    /** The goal this Mojo runs. */
    protected abstract Command command();

    /** Does the goal's work once skip and the environment are settled; throws DbdeployException for errors. */
    protected abstract void runGoal() throws MojoFailureException, MojoExecutionException;

    /** Removes a password from text bound for the log; goals that hold one override it. */
    protected String scrub(String text) {
        return text;
    }

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        String goalSkip = PropertyNames.skipOf(command());
        if (skip || Boolean.parseBoolean(lookup(goalSkip))) {
            getLog().info("dbdeploy " + command() + " is skipped (" + (skip ? PropertyNames.SKIP : goalSkip) + "=true)");
            return;
        }
        Path summary = outputDirectory.toPath().resolve(SummaryWriter.JSON);
        try {
            // A summary left by an earlier run must never describe this one, even if this one ends early.
            Files.deleteIfExists(summary);
            Files.deleteIfExists(outputDirectory.toPath().resolve(SummaryWriter.MARKDOWN));
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot remove the previous run's summary in " + outputDirectory + ": "
                    + e.getMessage() + ". Check the directory's permissions.");
        }
        try {
            environment = EnvironmentSelector.select(session, project, env);
            SettingsMapping.unknownPropertyWarnings(dbdeployKeysInSight()).forEach(getLog()::warn);
            runGoal();
        } catch (DbdeployException e) {
            String message = scrub(e.getMessage());
            logCauses(e);
            if (!Files.exists(summary)) {
                SummaryWriter.write(RunSummary.error(command(), environment == null ? null : environment.name(),
                        null, message), outputDirectory.toPath());
            }
            // No cause attached: drivers and SDKs can put connection details in theirs; logCauses shows them scrubbed.
            if (e.kind() == DbdeployException.Kind.CONFIGURATION) {
                throw new MojoFailureException(message);
            }
            throw new MojoExecutionException(message);
        }
    }

    /**
     * Every {@code dbdeploy.*} setting of this goal in force for the selected environment, after precedence: the
     * goal's parameters as Maven injected them (from {@code <configuration>} or the project's properties), then the
     * environment profile's properties, then the command line.
     */
    protected Map<String, String> effectiveSettings() {
        Map<String, String> out = new TreeMap<>();
        for (org.apache.maven.plugin.descriptor.Parameter p : mojoExecution.getMojoDescriptor().getParameters()) {
            String property = propertyOf(p.getExpression());
            if (property != null && property.startsWith(PropertyNames.PREFIX)) {
                Object value = parameterValue(p.getName());
                if (value != null && !value.toString().isBlank()) {
                    out.put(property, value.toString());
                }
            }
        }
        putDbdeployKeys(out, environment.properties());
        putDbdeployKeys(out, session.getUserProperties());
        out.put(PropertyNames.ENV, environment.name());
        return out;
    }

    protected Progress progress() {
        return new Progress() {
            @Override
            public void info(String line) {
                getLog().info(line);
            }

            @Override
            public void warn(String line) {
                getLog().warn(line);
            }
        };
    }

    /** The project's directory: what relative paths in settings are relative to. */
    protected Path baseDirectory() {
        return project.getBasedir().toPath();
    }

    /** A setting read before the environment is known (skip): command line, then project properties. */
    private String lookup(String property) {
        String value = session.getUserProperties().getProperty(property);
        return value != null ? value : project.getProperties().getProperty(property);
    }

    private List<String> dbdeployKeysInSight() {
        List<String> keys = new ArrayList<>();
        keys.addAll(project.getProperties().stringPropertyNames());
        keys.addAll(environment.properties().stringPropertyNames());
        keys.addAll(session.getUserProperties().stringPropertyNames());
        return keys;
    }

    /** The scrubbed cause chain, for {@code mvn -e} and {@code mvn -X}: what a bug report needs, never a secret. */
    private void logCauses(Throwable e) {
        boolean showErrors = session.getRequest() != null && session.getRequest().isShowErrors();
        if (!showErrors && !getLog().isDebugEnabled()) {
            return;
        }
        StringBuilder b = new StringBuilder("dbdeploy error details (secrets removed):");
        int depth = 0;
        for (Throwable t = e; t != null && depth < 10; t = t.getCause() == t ? null : t.getCause(), depth++) {
            b.append("\n").append(depth == 0 ? "" : "Caused by: ").append(t.getClass().getName()).append(": ")
                    .append(scrub(String.valueOf(t.getMessage())));
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, 8); i++) {
                b.append("\n    at ").append(frames[i]);
            }
        }
        if (showErrors) {
            getLog().error(b.toString());
        } else {
            getLog().debug(b.toString());
        }
    }

    private Object parameterValue(String fieldName) {
        for (Class<?> c = getClass(); c != null && c != AbstractMojo.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(fieldName);
                f.setAccessible(true);
                return f.get(this);
            } catch (NoSuchFieldException e) {
                // declared further up
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("Cannot read parameter " + fieldName, e);
            }
        }
        return null;
    }

    /** {@code ${dbdeploy.url}} gives {@code dbdeploy.url}; anything else (readonly expressions) gives null. */
    private static String propertyOf(String expression) {
        if (expression == null || !expression.startsWith("${") || !expression.endsWith("}")) {
            return null;
        }
        return expression.substring(2, expression.length() - 1);
    }

    private static void putDbdeployKeys(Map<String, String> out, Properties props) {
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(PropertyNames.PREFIX)) {
                out.put(key, props.getProperty(key));
            }
        }
    }
}
