package io.github.dbdeploy.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.github.dbdeploy.engine.formats.MigrationFormat;

/**
 * Everything one run needs, resolved and immutable. Built by the Maven goals from {@code dbdeploy.*}
 * properties and by the remote runner from its manifest; {@link Builder#build()} rejects incomplete input
 * before anything touches the database.
 */
public final class DeploySettings {
    /**
     * Short enough that the queries queued behind a waiting ALTER (every later query on the table, reads included)
     * wait about a second, which request timeouts and health checks survive; long enough that the ALTER gets its lock
     * behind ordinary transactions, which end in milliseconds. pgroll uses 500 ms, squawk suggests 1 s.
     */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_LOCK_RETRIES = 5;

    private final String environment;
    private final String jdbcUrl;
    private final String username;
    private final Secret password;
    private final Path changelog;
    private final MigrationFormat format;
    private final String deploymentId;
    private final Duration lockWait;
    private final boolean rollbackOnFailure;
    private final String contexts;
    private final String labels;
    private final Path outputDirectory;
    private final String deployedBy;
    private final boolean dryRun;
    private final boolean failOnPending;
    private final RollbackTarget rollbackTarget;
    private final String adoptFrom;
    private final String baselineVersion;
    private final Duration lockTimeout;
    private final int lockRetries;
    private final Duration statementTimeout;
    private final Path checks;
    private final TransactionMode transaction;
    private final String rehearseFrom;
    private final Set<RehearsalCheck> rehearseFailOn;
    private final Integer rehearsePostgresVersion;
    private final FrontDoor frontDoor;

    private DeploySettings(Builder b) {
        this.environment = b.environment;
        this.frontDoor = b.frontDoor;
        this.jdbcUrl = b.jdbcUrl;
        this.username = b.username;
        this.password = b.password;
        this.changelog = b.changelog.toAbsolutePath().normalize();
        this.format = b.format;
        this.deploymentId = b.deploymentId;
        this.lockWait = b.lockWait;
        this.rollbackOnFailure = b.rollbackOnFailure;
        this.contexts = b.contexts;
        this.labels = b.labels;
        this.outputDirectory = b.outputDirectory;
        this.deployedBy = b.deployedBy;
        this.dryRun = b.dryRun;
        this.failOnPending = b.failOnPending;
        this.rollbackTarget = b.rollbackTarget;
        this.adoptFrom = b.adoptFrom;
        this.baselineVersion = b.baselineVersion;
        this.lockTimeout = b.lockTimeout;
        this.lockRetries = b.lockRetries;
        this.statementTimeout = b.statementTimeout;
        this.checks = b.checks == null ? null : b.checks.toAbsolutePath().normalize();
        this.transaction = b.transaction;
        this.rehearseFrom = b.rehearseFrom;
        this.rehearseFailOn = b.rehearseFailOn;
        this.rehearsePostgresVersion = b.rehearsePostgresVersion;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How the user started this run: what the commands in its messages look like. */
    public FrontDoor frontDoor() {
        return frontDoor;
    }

    public String environment() {
        return environment;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return username;
    }

    public Secret password() {
        return password;
    }

    /**
     * The master changelog file, whose directory is the root every changelog path is relative to; or a directory of
     * migrations in another tool's format, which is then its own root.
     */
    public Path changelog() {
        return changelog;
    }

    public Path changelogRoot() {
        return isDirectoryChangelog() ? changelog : changelog.getParent();
    }

    /** Whether {@link #changelog()} is a directory of migrations (read in {@link #format()}). */
    public boolean isDirectoryChangelog() {
        return Files.isDirectory(changelog);
    }

    /** The shape of a directory changelog; {@link MigrationFormat#AUTO} unless the user chose one. */
    public MigrationFormat format() {
        return format;
    }

    public String deploymentId() {
        return deploymentId;
    }

    public Duration lockWait() {
        return lockWait;
    }

    public boolean rollbackOnFailure() {
        return rollbackOnFailure;
    }

    public String contexts() {
        return contexts;
    }

    public String labels() {
        return labels;
    }

    public Path outputDirectory() {
        return outputDirectory;
    }

    public String deployedBy() {
        return deployedBy;
    }

    /** {@code migrate} only prints the SQL it would run. */
    public boolean dryRun() {
        return dryRun;
    }

    /** {@code status} fails when changesets are pending (a CI gate). */
    public boolean failOnPending() {
        return failOnPending;
    }

    /** How far {@code rollback} goes. */
    public RollbackTarget rollbackTarget() {
        return rollbackTarget;
    }

    /** {@code adopt}: the tool whose history to read, or null to find it. */
    public String adoptFrom() {
        return adoptFrom;
    }

    /** {@code baseline}: the last migration the database already has, or null. */
    public String baselineVersion() {
        return baselineVersion;
    }

    /**
     * How long one statement of a changeset may wait for a lock before the changeset is retried
     * ({@code dbdeploy.lockTimeout}); {@link Duration#ZERO} turns the lock guard off.
     */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** How often a changeset that ran into the lock timeout is retried ({@code dbdeploy.lockRetries}). */
    public int lockRetries() {
        return lockRetries;
    }

    /** The longest one statement of a changeset may run ({@code dbdeploy.statementTimeout}); ZERO = no limit. */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    /** The SQL file of post-deploy checks ({@code dbdeploy.checks}), or null. */
    public Path checks() {
        return checks;
    }

    /** How {@code migrate} groups changesets into transactions ({@code dbdeploy.transaction}). */
    public TransactionMode transaction() {
        return transaction;
    }

    /**
     * Where {@code rehearse} starts: null (the changesets pending on the target, or all without a target), a
     * changeset id, or {@code all}.
     */
    public String rehearseFrom() {
        return rehearseFrom;
    }

    /** The rehearsal checks that fail the build. */
    public Set<RehearsalCheck> rehearseFailOn() {
        return rehearseFailOn;
    }

    /** The major version of the rehearsal server when the target's cannot be read, or null for the default. */
    public Integer rehearsePostgresVersion() {
        return rehearsePostgresVersion;
    }

    /** The JDBC URL with any {@code password=} parameter masked, for messages. */
    public String displayUrl() {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    public static final class Builder {
        private String environment = "default";
        private String jdbcUrl;
        private String username;
        private Secret password;
        private Path changelog;
        private String formatName;
        private MigrationFormat format = MigrationFormat.AUTO;
        private String deploymentId;
        private Duration lockWait = Duration.ofSeconds(300);
        private boolean rollbackOnFailure = true;
        private String contexts;
        private String labels;
        private Path outputDirectory;
        private String deployedBy = defaultDeployedBy();
        private boolean dryRun;
        private boolean failOnPending;
        private RollbackTarget rollbackTarget = RollbackTarget.lastDeployment();
        private String adoptFrom;
        private String baselineVersion;
        private String lockTimeoutText;
        private Duration lockTimeout;
        private int lockRetries = DEFAULT_LOCK_RETRIES;
        private String statementTimeoutText;
        private Duration statementTimeout;
        private Path checks;
        private String transactionName;
        private TransactionMode transaction = TransactionMode.CHANGESET;
        private String rehearseFrom;
        private String rehearseFailOnList;
        private Set<RehearsalCheck> rehearseFailOn = RehearsalCheck.DEFAULT_FAIL_ON;
        private Integer rehearsePostgresVersion;
        private boolean databaseRequired = true;
        private FrontDoor frontDoor = FrontDoor.MAVEN;

        public Builder frontDoor(FrontDoor v) {
            this.frontDoor = v;
            return this;
        }

        public Builder environment(String v) {
            this.environment = v;
            return this;
        }

        public Builder jdbcUrl(String v) {
            this.jdbcUrl = blankToNull(v);
            return this;
        }

        public Builder username(String v) {
            this.username = blankToNull(v);
            return this;
        }

        public Builder password(Secret v) {
            this.password = v;
            return this;
        }

        public Builder changelog(Path v) {
            this.changelog = v;
            return this;
        }

        /** {@code dbdeploy.format}; null or blank means auto. */
        public Builder format(String v) {
            this.formatName = blankToNull(v);
            return this;
        }

        public Builder deploymentId(String v) {
            this.deploymentId = blankToNull(v);
            return this;
        }

        public Builder lockWait(Duration v) {
            this.lockWait = v;
            return this;
        }

        public Builder rollbackOnFailure(boolean v) {
            this.rollbackOnFailure = v;
            return this;
        }

        public Builder contexts(String v) {
            this.contexts = blankToNull(v);
            return this;
        }

        public Builder labels(String v) {
            this.labels = blankToNull(v);
            return this;
        }

        public Builder outputDirectory(Path v) {
            this.outputDirectory = v;
            return this;
        }

        public Builder deployedBy(String v) {
            if (blankToNull(v) != null) {
                this.deployedBy = v;
            }
            return this;
        }

        public Builder dryRun(boolean v) {
            this.dryRun = v;
            return this;
        }

        public Builder failOnPending(boolean v) {
            this.failOnPending = v;
            return this;
        }

        public Builder rollbackTarget(RollbackTarget v) {
            this.rollbackTarget = Objects.requireNonNull(v, "rollbackTarget");
            return this;
        }

        public Builder adoptFrom(String v) {
            this.adoptFrom = blankToNull(v);
            return this;
        }

        public Builder baselineVersion(String v) {
            this.baselineVersion = blankToNull(v);
            return this;
        }

        /** {@code dbdeploy.lockTimeout} in PostgreSQL's syntax ({@code 500ms}, {@code 2s}); null means the default. */
        public Builder lockTimeout(String v) {
            this.lockTimeoutText = blankToNull(v);
            return this;
        }

        /** {@code dbdeploy.lockRetries}; null means the default. */
        public Builder lockRetries(Integer v) {
            this.lockRetries = v == null ? DEFAULT_LOCK_RETRIES : v;
            return this;
        }

        /** {@code dbdeploy.statementTimeout} in PostgreSQL's syntax; null means no limit. */
        public Builder statementTimeout(String v) {
            this.statementTimeoutText = blankToNull(v);
            return this;
        }

        public Builder checks(Path v) {
            this.checks = v;
            return this;
        }

        /** {@code dbdeploy.transaction}: changeset or deployment; null means changeset. */
        public Builder transaction(String v) {
            this.transactionName = blankToNull(v);
            return this;
        }

        /** {@code dbdeploy.rehearse.from}: null, a changeset id or {@code all}. */
        public Builder rehearseFrom(String v) {
            this.rehearseFrom = blankToNull(v);
            return this;
        }

        /** {@code dbdeploy.rehearse.failOn}: a comma list of {@link RehearsalCheck} names; null for the default. */
        public Builder rehearseFailOn(String v) {
            this.rehearseFailOnList = blankToNull(v);
            return this;
        }

        public Builder rehearsePostgresVersion(Integer v) {
            this.rehearsePostgresVersion = v;
            return this;
        }

        /** False for a command that can run without a target database ({@code rehearse}). */
        public Builder databaseRequired(boolean v) {
            this.databaseRequired = v;
            return this;
        }

        public DeploySettings build() {
            List<String> problems = new ArrayList<>();
            if (jdbcUrl == null && !databaseRequired) {
                // Nothing to check: the command works without a target.
            } else if (jdbcUrl == null) {
                problems.add("no database URL: set dbdeploy.url (for example jdbc:postgresql://localhost:5432/app)"
                        + " in the env=" + environment + " profile or pass -Ddbdeploy.url=...");
            } else if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                problems.add("dbdeploy.url must be a PostgreSQL JDBC URL starting with jdbc:postgresql: (or 'embedded'), got "
                        + jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1****"));
            }
            try {
                format = MigrationFormat.of(formatName);
            } catch (IllegalArgumentException e) {
                problems.add(PropertyNames.FORMAT + ": " + e.getMessage());
            }
            if (changelog == null) {
                problems.add("no changelog: set dbdeploy.changelog to the master changelog file");
            } else if (Files.isRegularFile(changelog) && format != MigrationFormat.AUTO) {
                problems.add(PropertyNames.FORMAT + "=" + format.id() + " applies to a directory of migrations, but"
                        + " dbdeploy.changelog names the file " + changelog + ": point it at the directory, or drop "
                        + PropertyNames.FORMAT + " for a Liquibase changelog");
            } else if (!Files.isRegularFile(changelog) && !Files.isDirectory(changelog)) {
                problems.add("changelog " + changelog + " does not exist: set dbdeploy.changelog to the master"
                        + " changelog file (XML, YAML or formatted SQL) or to a directory of migrations");
            }
            try {
                rehearseFailOn = RehearsalCheck.parseList(rehearseFailOnList);
            } catch (IllegalArgumentException e) {
                problems.add(PropertyNames.REHEARSE_FAIL_ON + ": " + e.getMessage());
            }
            if (rehearsePostgresVersion != null && (rehearsePostgresVersion < 10 || rehearsePostgresVersion > 99)) {
                problems.add(PropertyNames.REHEARSE_POSTGRES_VERSION + " must be a PostgreSQL major version such as 16,"
                        + " got " + rehearsePostgresVersion);
            }
            if (lockWait == null || lockWait.isNegative()) {
                problems.add("dbdeploy.lockWaitSeconds must be zero or more");
            }
            try {
                lockTimeout = lockTimeoutText == null ? DEFAULT_LOCK_TIMEOUT
                        : duration(PropertyNames.LOCK_TIMEOUT, lockTimeoutText);
                statementTimeout = statementTimeoutText == null ? Duration.ZERO
                        : duration(PropertyNames.STATEMENT_TIMEOUT, statementTimeoutText);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            if (lockRetries < 0) {
                problems.add(PropertyNames.LOCK_RETRIES + " must be zero or more, got " + lockRetries);
            }
            if (checks != null && !Files.isRegularFile(checks)) {
                problems.add(PropertyNames.CHECKS + " names " + checks + ", which is not a file: point it at a SQL"
                        + " file of check queries, or leave it unset");
            }
            try {
                transaction = TransactionMode.of(transactionName);
            } catch (IllegalArgumentException e) {
                problems.add(PropertyNames.TRANSACTION + " " + e.getMessage());
            }
            if (deploymentId != null && !deploymentId.matches("[A-Za-z0-9._:@+-]{1,100}")) {
                problems.add("dbdeploy.tag '" + deploymentId + "' may contain only letters, digits and . _ : @ + -"
                        + " (at most 100 characters)");
            }
            if (!problems.isEmpty()) {
                throw DbdeployException.configuration(String.join("\n", problems));
            }
            if (outputDirectory == null) {
                outputDirectory = Path.of("target", "dbdeploy");
            }
            Objects.requireNonNull(environment, "environment");
            return new DeploySettings(this);
        }

        /**
         * A duration in PostgreSQL's syntax for time settings: a whole number with an optional unit ms, s, min, h or
         * d; a bare number is milliseconds, as in PostgreSQL.
         */
        private static Duration duration(String property, String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*(ms|s|min|h|d)?")
                    .matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException(property + " must be a duration such as 500ms, 2s or 1min"
                        + " (0 turns it off), got '" + text + "'");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            return switch (unit) {
                case "s" -> Duration.ofSeconds(n);
                case "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofMillis(n);
            };
        }

        private static String blankToNull(String v) {
            return v == null || v.isBlank() ? null : v.trim();
        }

        /** {@code user@host} of this process, recorded with every deployment. */
        public static String defaultDeployedBy() {
            String user = System.getProperty("user.name", "unknown");
            String host = System.getenv().getOrDefault("HOSTNAME", "");
            if (host.isEmpty()) {
                try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                } catch (java.io.IOException e) {
                    host = "unknown-host";
                }
            }
            return user + "@" + host;
        }
    }
}
