package io.github.dbdeploy.maven;

import java.nio.file.Path;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.DbdeployException;
import io.github.dbdeploy.remote.RemoteExecution;
import io.github.dbdeploy.runner.Bundle;

/**
 * Writes the deployment bundle to {@code target/dbdeploy/dbdeploy-bundle.tar.gz}: every file of the changelog root
 * (the master changelog's directory) and a manifest with each file's SHA-256, the changelog root, the plugin version
 * and the git commit. The same changelog gives the same bytes. {@code dbdeploy.target=ssm} builds it by itself; this
 * goal is for inspecting it or shipping it some other way. Needs no database.
 */
@Mojo(name = "package", requiresProject = true, threadSafe = true)
public class PackageMojo extends AbstractMojo {

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    /** Skips every dbdeploy goal. */
    @Parameter(property = PropertyNames.SKIP, defaultValue = "false")
    private boolean skip;

    /** The environment whose {@code dbdeploy.changelog} to bundle, when not chosen with {@code -Penv=NAME}. */
    @Parameter(property = PropertyNames.ENV)
    private String env;

    /** The master changelog; the bundle holds its whole directory. */
    @Parameter(property = PropertyNames.CHANGELOG, defaultValue = "${project.basedir}/src/main/resources/db/changelog.xml")
    private String changelog;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("dbdeploy is skipped (" + PropertyNames.SKIP + "=true)");
            return;
        }
        try {
            EnvironmentSelector.Environment environment = EnvironmentSelector.select(session, project, env);
            String fromCommandLine = session.getUserProperties().getProperty(PropertyNames.CHANGELOG);
            String configured = fromCommandLine != null ? fromCommandLine
                    : environment.inactiveProperties().getProperty(PropertyNames.CHANGELOG, changelog);
            Path base = project.getBasedir().toPath();
            Path master = base.resolve(configured).normalize();
            Bundle bundle = RemoteExecution.bundle(master, base, Path.of(project.getBuild().getDirectory()));
            getLog().info("dbdeploy package: " + bundle.file() + " (" + bundle.manifest().files().size() + " file(s), "
                    + bundle.size() + " bytes)");
            getLog().info("SHA-256 " + bundle.sha256() + (bundle.manifest().gitCommit() == null ? ""
                    : ", commit " + bundle.manifest().gitCommit()));
        } catch (DbdeployException e) {
            if (e.kind() == DbdeployException.Kind.CONFIGURATION) {
                throw new MojoFailureException(e.getMessage());
            }
            throw new MojoExecutionException(e.getMessage());
        }
    }
}
