package io.github.dbdeploy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

import io.github.dbdeploy.engine.PostgresBinaries;

/**
 * Fetches an artifact for the CLI as Maven would, without Maven: from the local repository when it is there (Maven's
 * own {@code ~/.m2/repository} by default, so the two share what they downloaded), else from a remote repository
 * (Maven Central, or a mirror), checked against the SHA-1 the repository publishes beside it before it is kept. The
 * CLI's rehearsal gets its embedded PostgreSQL binaries this way.
 */
final class RepositoryDownload implements PostgresBinaries.ArtifactResolver {
    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI remote;
    private final Path localRepository;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    RepositoryDownload(String remote, Path localRepository) {
        this.remote = URI.create(remote.endsWith("/") ? remote : remote + "/");
        String scheme = String.valueOf(this.remote.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("must be an http(s) URL of a Maven repository, got '" + remote + "'");
        }
        this.localRepository = localRepository;
    }

    @Override
    public Path resolve(String groupId, String artifactId, String version) throws IOException, InterruptedException {
        String path = groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version
                + ".jar";
        Path local = localRepository.resolve(path);
        if (Files.isRegularFile(local)) {
            return local; // as Maven treats its local repository: checked when it arrived
        }
        URI jar = remote.resolve(path);
        Files.createDirectories(local.getParent());
        Path partial = Files.createTempFile(local.getParent(), artifactId, ".part");
        try {
            String actual = download(jar, partial);
            String published = publishedSha1(remote.resolve(path + ".sha1"));
            if (!actual.equals(published)) {
                throw new IOException(jar + " has SHA-1 " + actual + ", but the repository publishes " + published
                        + "; nothing was kept. Check the repository (" + DbdeployCli.MAVEN_REPOSITORY + ")");
            }
            Files.writeString(local.resolveSibling(local.getFileName() + ".sha1"), actual);
            readableByAll(partial); // a temporary file is the owner's alone; Maven's repository files are not
            Files.move(partial, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return local;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file inherits its directory's access rules
        }
    }

    /** Writes {@code uri}'s body to {@code file}; returns its SHA-1 in hex. */
    private String download(URI uri, Path file) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = send(uri, HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha1 = sha1();
        try (InputStream in = response.body()) {
            requireOk(uri, response.statusCode());
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha1)) {
                in.transferTo(out);
            }
        }
        return HexFormat.of().formatHex(sha1.digest());
    }

    /** The first word of a {@code .sha1} file (some repositories add the file name after it). */
    private String publishedSha1(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = send(uri, HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
        requireOk(uri, response.statusCode());
        String[] words = response.body().trim().split("\\s+");
        return words[0].toLowerCase(Locale.ROOT);
    }

    private <T> HttpResponse<T> send(URI uri, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build(), body);
        } catch (IOException e) {
            // The JDK's client often says nothing itself (a refused connection is a ConnectException with no message).
            String why = e instanceof java.net.http.HttpTimeoutException ? "timed out"
                    : e instanceof java.net.ConnectException ? "cannot connect (refused or unreachable)" : null;
            for (Throwable t = e; t != null && why == null; t = t.getCause()) {
                why = t.getMessage();
            }
            throw new IOException("GET " + uri + " failed: " + (why != null ? why : e.getClass().getSimpleName()), e);
        }
    }

    private static void requireOk(URI uri, int status) throws IOException {
        if (status != 200) {
            throw new IOException("GET " + uri + " answered HTTP " + status);
        }
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
