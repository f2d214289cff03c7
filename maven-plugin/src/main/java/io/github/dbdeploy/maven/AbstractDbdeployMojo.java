package io.github.dbdeploy.maven;

import java.io.File;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.engine.Progress;
import io.github.dbdeploy.engine.PropertyNames;

/**
 * What every goal shares: skip, environment selection, settings precedence, and the one mapping from engine errors
 * to Maven's (a {@code MojoFailureException} for bad input, a {@code MojoExecutionException} for a failed run).
 * Goals implement {@link #runGoal}.
 *
 * <p>Precedence of a setting: {@code -Ddbdeploy.X} on the command line, then the selected {@code env=NAME}
 * profile, then the project's {@code <properties>} or the plugin's {@code <configuration>}.
 */
abstract class AbstractDbdeployMojo extends AbstractMojo {

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    /** Skips every dbdeploy goal. */
    @Parameter(property = PropertyNames.SKIP, defaultValue = "false")
    private boolean skip;

    /** The environment, when not chosen with {@code -Penv=NAME}: the profile {@code env=NAME} supplies its settings. */
    @Parameter(property = PropertyNames.ENV)
    private String env;

    /**
     * The master changelog, whose includes are resolved relative to its directory; or a directory of migrations in
     * another tool's format (see {@code dbdeploy.format}).
     */
    @Parameter(property = PropertyNames.CHANGELOG, defaultValue = "${project.basedir}/src/main/resources/db/changelog.xml")
    protected String changelog;

    /** Where summary.json, summary.md and the bundle are written. */
    @Parameter(defaultValue = "${project.build.directory}/dbdeploy", readonly = true)
    protected File outputDirectory;

    protected EnvironmentSelector.Environment environment;

    /** Does the goal's work once skip and the environment are settled; throws DbdeployException for errors. */
    protected abstract void runGoal() throws MojoFailureException, MojoExecutionException;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("dbdeploy is skipped (" + PropertyNames.SKIP + "=true)");
            return;
        }
        try {
            environment = EnvironmentSelector.select(session, project, env);
            runGoal();
        } catch (DbdeployException e) {
            // No cause attached: exceptions from drivers and SDKs are summarised in the message already.
            if (e.kind() == DbdeployException.Kind.CONFIGURATION) {
                throw new MojoFailureException(e.getMessage());
            }
            throw new MojoExecutionException(e.getMessage());
        }
    }

    /** A dbdeploy setting after precedence: command line, then the environment profile, then the parameter. */
    protected String setting(String property, String parameterValue) {
        String fromCommandLine = session.getUserProperties().getProperty(property);
        if (fromCommandLine != null) {
            return fromCommandLine;
        }
        String fromEnvironment = environment.inactiveProperties().getProperty(property);
        return fromEnvironment != null ? fromEnvironment : parameterValue;
    }

    protected boolean booleanSetting(String property, boolean parameterValue) {
        String value = setting(property, Boolean.toString(parameterValue));
        if (!"true".equalsIgnoreCase(value) && !"false".equalsIgnoreCase(value)) {
            throw DbdeployException.configuration(property + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    protected Integer integerSetting(String property, String parameterValue) {
        String value = setting(property, parameterValue);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw DbdeployException.configuration(property + " must be a whole number, got '" + value + "'");
        }
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

    /** The master changelog after precedence, as an absolute path. */
    protected Path changelogPath() {
        return resolve(setting(PropertyNames.CHANGELOG, changelog));
    }

    protected static void putAll(java.util.Map<String, String> out, Properties props) {
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(PropertyNames.PREFIX)) {
                out.put(key, props.getProperty(key));
            }
        }
    }

    private Path resolve(String path) {
        if (path == null || path.isBlank()) {
            return null;
        }
        Path p = Path.of(path);
        return p.isAbsolute() ? p : project.getBasedir().toPath().resolve(p);
    }
}
