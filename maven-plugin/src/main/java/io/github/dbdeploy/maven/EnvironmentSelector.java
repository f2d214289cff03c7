package io.github.dbdeploy.maven;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.model.Profile;
import org.apache.maven.project.MavenProject;

import io.github.dbdeploy.engine.PropertyNames;
import io.github.dbdeploy.engine.DbdeployException;

/**
 * Finds the environment the user asked for ({@code -Penv=NAME} or {@code -Ddbdeploy.env=NAME}) among the
 * {@code env=*} profiles of the project, its parents and settings.xml. Maven only warns about an unknown profile;
 * here it is an error, because falling back to defaults could deploy to the wrong database.
 */
final class EnvironmentSelector {

    /**
     * @param name       the environment's name ("default" when none was asked for)
     * @param properties the profile's properties, interpolated against the project; they rank above the plugin's
     *                   {@code <configuration>} and the project's {@code <properties>}. Empty for "default".
     */
    record Environment(String name, Properties properties) {
    }

    private EnvironmentSelector() {
    }

    static Environment select(MavenSession session, MavenProject project, String envProperty) {
        Set<String> requested = new LinkedHashSet<>();
        for (String id : session.getRequest().getActiveProfiles()) {
            if (id.startsWith(PropertyNames.ENV_PROFILE_PREFIX)) {
                requested.add(id.substring(PropertyNames.ENV_PROFILE_PREFIX.length()));
            }
        }
        if (envProperty != null && !envProperty.isBlank()) {
            requested.add(envProperty.trim());
        }
        if (requested.isEmpty()) {
            return new Environment("default", new Properties());
        }
        if (requested.size() > 1) {
            throw DbdeployException.configuration("More than one environment requested: " + requested
                    + ". Choose one, with -Penv=NAME or -Ddbdeploy.env=NAME.");
        }
        String name = requested.iterator().next();
        String profileId = PropertyNames.ENV_PROFILE_PREFIX + name;
        Optional<Properties> declared = declaredProfiles(session, project).stream()
                .filter(p -> profileId.equals(p.getId())).map(Profile::getProperties).findFirst();
        if (declared.isEmpty()) {
            // settings.xml profiles apply to every project; a project's own profile of the same id wins above.
            declared = session.getSettings().getProfiles().stream()
                    .filter(p -> profileId.equals(p.getId()))
                    .map(org.apache.maven.settings.Profile::getProperties).findFirst();
        }
        if (declared.isEmpty()) {
            List<String> known = knownEnvironments(session, project);
            throw DbdeployException.configuration("Environment '" + name + "' is not configured: there is no profile"
                    + " <id>" + profileId + "</id> in this project, its parents or settings.xml."
                    + (known.isEmpty() ? " No environments are configured; add a profile <id>env=NAME</id> that sets"
                        + " dbdeploy.url and friends."
                        : " Configured environments: " + String.join(", ", known) + ".")
                    + " Nothing was changed.");
        }
        return new Environment(name, interpolate(declared.get(), project));
    }

    static List<String> knownEnvironments(MavenSession session, MavenProject project) {
        List<String> names = new ArrayList<>();
        for (Profile p : declaredProfiles(session, project)) {
            if (p.getId() != null && p.getId().startsWith(PropertyNames.ENV_PROFILE_PREFIX)) {
                String n = p.getId().substring(PropertyNames.ENV_PROFILE_PREFIX.length());
                if (!names.contains(n)) {
                    names.add(n);
                }
            }
        }
        for (org.apache.maven.settings.Profile p : session.getSettings().getProfiles()) {
            if (p.getId() != null && p.getId().startsWith(PropertyNames.ENV_PROFILE_PREFIX)) {
                String n = p.getId().substring(PropertyNames.ENV_PROFILE_PREFIX.length());
                if (!names.contains(n)) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    private static List<Profile> declaredProfiles(MavenSession session, MavenProject project) {
        List<Profile> profiles = new ArrayList<>();
        for (MavenProject p = project; p != null; p = p.getParent()) {
            profiles.addAll(p.getModel().getProfiles());
        }
        return profiles;
    }

    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}]+)}");

    /** Profile properties come raw from the model; resolve ${...} against the project as Maven would. */
    private static Properties interpolate(Properties raw, MavenProject project) {
        Properties out = new Properties();
        for (String key : raw.stringPropertyNames()) {
            Matcher m = EXPRESSION.matcher(raw.getProperty(key));
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                String expr = m.group(1);
                String value = switch (expr) {
                    case "project.basedir", "basedir" -> project.getBasedir().getAbsolutePath();
                    case "project.build.directory" -> project.getBuild().getDirectory();
                    case "project.version" -> project.getVersion();
                    default -> project.getProperties().getProperty(expr,
                            System.getProperty(expr, expr.startsWith("env.") ? System.getenv(expr.substring(4)) : null));
                };
                m.appendReplacement(b, Matcher.quoteReplacement(value == null ? m.group() : value));
            }
            m.appendTail(b);
            out.setProperty(key, b.toString());
        }
        return out;
    }
}
