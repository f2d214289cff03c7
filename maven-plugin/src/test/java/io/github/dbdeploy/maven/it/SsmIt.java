package io.github.dbdeploy.maven.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.github.dbdeploy.remote.testing.FakeAws;

/**
 * The in-process AWS of the {@code ssm-*} ITs, shared by them for the life of the invoker's JVM: S3 (S3Proxy) and an
 * SSM endpoint that executes the commands it receives on fake hosts against the ITs' PostgreSQL. A prebuild hook
 * calls {@link #prepare}, which points the IT's Maven build at it through {@code .mvn/maven.config}.
 */
public final class SsmIt {
    public static final String INSTANCE = "i-0123456789abcdef0";
    /** A host whose agent runs commands but which has no Java. */
    public static final String INSTANCE_WITHOUT_JAVA = "i-0000000000000java";
    public static final String PASSWORD_PARAMETER = "/it/prod/db-password";
    private static FakeAws aws;

    private SsmIt() {
    }

    public static synchronized FakeAws aws() throws IOException {
        if (aws == null) {
            aws = new FakeAws(Files.createTempDirectory("dbdeploy-ssm-it"));
            aws.ssm().addHost(INSTANCE);
            aws.ssm().addHost(INSTANCE_WITHOUT_JAVA).behaviour(io.github.dbdeploy.remote.testing.FakeHost.Behaviour.NO_JAVA);
            aws.ssm().putParameter(PASSWORD_PARAMETER, ItDatabase.APP_PASSWORD);
            Runtime.getRuntime().addShutdownHook(new Thread(aws::close));
        }
        return aws;
    }

    /** Writes the endpoints of the in-process AWS into the IT project's .mvn/maven.config. */
    public static void prepare(File basedir) throws IOException {
        FakeAws a = aws();
        Path mvn = basedir.toPath().resolve(".mvn");
        Files.createDirectories(mvn);
        Files.writeString(mvn.resolve("maven.config"), String.join("\n", List.of(
                "-Ddbdeploy.s3.endpoint=" + a.s3().endpoint(),
                "-Ddbdeploy.ssm.endpoint=" + a.ssm().endpoint())) + "\n");
    }

    /** Every SSM command script received so far, for checks that no secret was in one. */
    public static List<String> sentScripts() throws IOException {
        return aws().ssm().sentScripts();
    }
}
