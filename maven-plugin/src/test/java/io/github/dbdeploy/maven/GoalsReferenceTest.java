package io.github.dbdeploy.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * docs/goals.md is generated from the plugin descriptor (its HTML form) that Maven builds from the Mojos' javadoc, so the goals
 * reference cannot drift from the code: this test fails when they differ, and rewrites the page with
 * {@code -Ddbdeploy.docs.update=true}.
 */
class GoalsReferenceTest {
    private static final Path DESCRIPTOR = Path.of("target/plugin-enhanced.xml");
    private static final Path PAGE = Path.of("../docs/goals.md");

    @Test
    void theGoalsReferenceMatchesThePluginDescriptor() throws Exception {
        String generated = render(DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(DESCRIPTOR.toFile()));
        if (Boolean.getBoolean("dbdeploy.docs.update")) {
            Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";
        assertEquals(generated, committed, "docs/goals.md is out of date. Regenerate it with: mvn -pl maven-plugin -am"
                + " test -Dtest=GoalsReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Ddbdeploy.docs.update=true");
    }

    static String render(Document descriptor) {
        StringBuilder b = new StringBuilder();
        b.append("# dbdeploy-maven-plugin goals\n\n")
                .append("Generated from the plugin descriptor by `GoalsReferenceTest`; do not edit by hand. ")
                .append("`mvn dbdeploy:help -Ddetail -Dgoal=<goal>` prints the same.\n\n");
        List<Element> mojos = children(first(descriptor.getDocumentElement(), "mojos"), "mojo");
        mojos.sort((a, c) -> text(a, "goal").compareTo(text(c, "goal")));
        for (Element mojo : mojos) {
            String goal = text(mojo, "goal");
            if ("help".equals(goal)) {
                continue;
            }
            b.append("## `dbdeploy:").append(goal).append("`\n\n").append(plain(text(mojo, "description"))).append("\n\n");
            b.append("| parameter | property | default | description |\n|---|---|---|---|\n");
            Element configuration = first(mojo, "configuration");
            List<Element> parameters = children(first(mojo, "parameters"), "parameter");
            parameters.sort((a, c) -> text(a, "name").compareTo(text(c, "name")));
            for (Element p : parameters) {
                String name = text(p, "name");
                Element config = configuration == null ? null : first(configuration, name);
                String expression = config == null ? "" : config.getTextContent().trim();
                if (!"true".equals(text(p, "editable")) || !expression.startsWith("${dbdeploy.")) {
                    continue; // read-only Maven objects
                }
                String property = expression.substring(2, expression.length() - 1);
                String defaultValue = config.getAttribute("default-value");
                b.append("| `<").append(name).append(">` | `").append(property).append("` | ")
                        .append(defaultValue.isEmpty() ? "" : "`" + defaultValue + "`").append(" | ")
                        .append(plain(text(p, "description")).replace("|", "\\|").replace("\n", " ")).append(" |\n");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** Javadoc HTML as Markdown: code spans, no tags, one paragraph. */
    private static String plain(String html) {
        return html.replaceAll("(?s)<code>(.*?)</code>", "`$1`").replaceAll("<[^>]+>", "").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&amp;", "&").replaceAll("\\s+", " ").trim();
    }

    private static Element first(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String tag) {
        Element e = first(parent, tag);
        return e == null ? "" : e.getTextContent().trim();
    }
}
