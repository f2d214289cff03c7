package io.github.dbdeploy.jenkins

import com.lesfurets.jenkins.unit.global.lib.SourceRetriever

/** Serves the library from this repository's root, where Jenkins itself finds vars/, src/ and resources/. */
class ProjectRootRetriever implements SourceRetriever {

    final File root

    ProjectRootRetriever(File root) {
        this.root = root
    }

    @Override
    List<URL> retrieve(String repository, String branch, String targetPath) {
        return [root.toURI().toURL()]
    }
}
