package io.github.dbdeploy.maven;

import javax.inject.Inject;

import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.resolution.ArtifactRequest;

import io.github.dbdeploy.engine.Command;
import io.github.dbdeploy.engine.PostgresBinaries;
import io.github.dbdeploy.engine.PropertyNames;

/**
 * Runs changesets on a throwaway embedded PostgreSQL, each applied, rolled back and applied again, and reports
 * whether the rollback restores the schema exactly, the locks taken on existing tables, table rewrites, changes
 * that break the application version still serving, and data loss. Never changes the target: it is only read, in
 * a read-only session without the deployment lock. The server's binaries are fetched like any dependency.
 */
@Mojo(name = "rehearse", requiresProject = true, threadSafe = true)
public class RehearseMojo extends AbstractDatabaseMojo {

    /**
     * Which changesets to rehearse: unset, the changesets pending on the target (every changeset without
     * {@code dbdeploy.url}); a changeset id, that changeset and all after it; {@code all}, every changeset. Those
     * before the first rehearsed one are applied to the rehearsal server first.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.REHEARSE_FROM)
    private String rehearseFrom;

    /**
     * Comma list of what fails the build: {@code rollback} (failed or not restoring the schema exactly),
     * {@code reapply}, {@code breaking}, {@code locks} (ShareLock or stronger on an existing table),
     * {@code rewrites}, {@code dataLoss}; or {@code none}. A changeset waives a check with a
     * {@code -- dbdeploy:allow CHECK} comment. A changeset that cannot be applied always fails it.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.REHEARSE_FAIL_ON, defaultValue = "rollback,reapply")
    private String rehearseFailOn;

    /**
     * PostgreSQL major version of the rehearsal server when the target's cannot be read (no {@code dbdeploy.url}),
     * e.g. {@code 16}; default 17.
     *
     * @since 0.1.0
     */
    @Parameter(property = PropertyNames.REHEARSE_POSTGRES_VERSION)
    private String rehearsePostgresVersion;

    private final RepositorySystem repositorySystem;

    @Inject
    public RehearseMojo(SettingsDecrypter settingsDecrypter, RepositorySystem repositorySystem) {
        super(settingsDecrypter);
        this.repositorySystem = repositorySystem;
    }

    @Override
    protected Command command() {
        return Command.REHEARSE;
    }

    /** zonky's binaries jar of the wanted version, through Maven's resolver: mirrors, proxies, the local repository. */
    @Override
    protected PostgresBinaries postgresBinaries() {
        return PostgresBinaries.resolvedBy((groupId, artifactId, version) -> repositorySystem.resolveArtifact(
                session.getRepositorySession(), new ArtifactRequest(new DefaultArtifact(groupId, artifactId, "jar",
                        version), project.getRemotePluginRepositories(), null)).getArtifact().getFile().toPath());
    }
}
