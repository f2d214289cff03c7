package io.github.dbdeploy.maven;

import java.nio.file.Path;
import java.util.List;

import org.apache.maven.plugins.annotations.Mojo;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.RunSummary;
import io.github.dbdeploy.engine.SummaryWriter;
import io.github.dbdeploy.remote.RemoteExecution;
import io.github.dbdeploy.runner.Bundle;

/**
 * Writes the deployment bundle to {@code target/dbdeploy/dbdeploy-bundle.tar.gz}: every file of the changelog root
 * (the master changelog's directory), the post-deploy checks file ({@code dbdeploy.checks}) when set, and a manifest
 * with each file's SHA-256, the changelog root, the plugin version and the git commit. The same changelog gives the
 * same bytes. {@code dbdeploy.target=ssm} builds it by itself; this goal is for inspecting it or shipping it some
 * other way. Needs no database.
 */
@Mojo(name = "package", requiresProject = true, threadSafe = true)
public class PackageMojo extends AbstractDbdeployMojo {

    @Override
    protected Command command() {
        return Command.PACKAGE;
    }

    @Override
    protected void runGoal() {
        long started = System.nanoTime();
        Path changelog = baseDirectory().resolve(effectiveSettings().get(PropertyNames.CHANGELOG)).normalize();
        String checks = effectiveSettings().get(PropertyNames.CHECKS);
        Bundle bundle = RemoteExecution.bundle(changelog, checks == null || checks.isBlank() ? null
                : baseDirectory().resolve(checks.trim()).normalize(), baseDirectory(),
                Path.of(project.getBuild().getDirectory()));
        getLog().info("dbdeploy package: " + bundle.file() + " (" + bundle.manifest().files().size() + " file(s), "
                + bundle.size() + " bytes)");
        getLog().info("SHA-256 " + bundle.sha256() + (bundle.manifest().gitCommit() == null ? ""
                : ", commit " + bundle.manifest().gitCommit()));
        SummaryWriter.write(new RunSummary(Command.PACKAGE, RunSummary.SUCCESS, environment.name(), null, 0, 0,
                (System.nanoTime() - started) / 1_000_000, List.of(), null, false), outputDirectory.toPath());
    }
}
