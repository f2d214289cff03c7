package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class CredentialsTest {
    private final Function<String, String> env = Map.of("DBDEPLOY_PASSWORD", "from-env", "APP_DB_PW", "from-named",
            "DBDEPLOY_USERNAME", "deployer")::get;

    @Test
    void passwordComesFromTheConfiguredValueThenTheEnvironment() {
        assertEquals("literal", Credentials.password("literal", env, AwsSettings.DEFAULTS).reveal());
        assertEquals("from-env", Credentials.password(null, env, AwsSettings.DEFAULTS).reveal());
        assertEquals("from-named", Credentials.password("env:APP_DB_PW", env, AwsSettings.DEFAULTS).reveal());
        assertNull(Credentials.password(null, name -> null, AwsSettings.DEFAULTS));
    }

    @Test
    void missingEnvironmentVariableIsAConfigurationErrorNamingIt() {
        DbdeployException e = assertThrows(DbdeployException.class,
                () -> Credentials.password("env:NOPE", env, AwsSettings.DEFAULTS));
        assertEquals(DbdeployException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("environment variable NOPE, which is not set"), e.getMessage());
    }

    @Test
    void usernameFallsBackToTheEnvironment() {
        assertEquals("app", Credentials.username("app", env));
        assertEquals("deployer", Credentials.username(null, env));
    }

    @Test
    void referencesAreRecognisedAndSecretsAreMasked() {
        assertTrue(Credentials.isReference("ssm:/shop/prod/db-password"));
        assertTrue(Credentials.isReference("env:X"));
        assertFalse(Credentials.isReference("hunter2"));
        Secret s = Secret.of("hunter2");
        assertEquals("****", s.toString());
        assertEquals("login failed for **** at host", s.scrub("login failed for hunter2 at host"));
    }

    @Test
    void passwordInTheUrlIsMaskedInMessages() {
        DeploySettings settings = DeploySettings.builder().jdbcUrl("jdbc:postgresql://h/db?user=a&password=hunter2&ssl=true")
                .changelog(java.nio.file.Path.of("pom.xml")).build();
        assertEquals("jdbc:postgresql://h/db?user=a&password=****&ssl=true", settings.displayUrl());
    }
}
