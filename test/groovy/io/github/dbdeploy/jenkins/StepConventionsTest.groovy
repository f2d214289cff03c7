package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertNotNull
import static org.junit.jupiter.api.Assertions.assertTrue

import javax.xml.parsers.DocumentBuilder
import javax.xml.parsers.DocumentBuilderFactory

import org.junit.jupiter.api.Test
import org.w3c.dom.Element
import org.w3c.dom.Node
import org.xml.sax.InputSource
import org.xml.sax.SAXParseException

/**
 * Every step follows the library's conventions: a spec, the error wrapper, and a vars/NAME.txt help page in the HTML
 * subset that Jenkins renders on the Pipeline Syntax page, listing every key with type, default and example; and what
 * the steps load with libraryResource lives in resources/.
 * A plain unit test: it reads source files and the @NonCPS specs, and runs no pipeline.
 */
class StepConventionsTest {

    static final File VARS = new File(LibraryTestBase.ROOT, 'vars')

    static List<String> stepNames() {
        return VARS.listFiles().findAll { it.name.endsWith('.groovy') }.collect { it.name - '.groovy' }.sort()
    }

    @Test
    void theLibraryHasTheStepsOfTheDesign() {
        assertEquals(['dbdeployMigrate', 'dbdeployRollback', 'dbdeployStatus', 'deployWithMigrations'], stepNames())
        assertEquals(stepNames(), Specs.all().keySet().sort())
    }

    @Test
    void everyStepValidatesItsMapAndReportsErrorsThroughTheWrapper() {
        stepNames().each { name ->
            String source = new File(VARS, "${name}.groovy").text
            StepSpec spec = Specs.all()[name]
            assertEquals(name, spec.stepName)
            assertTrue(source.contains('def call(Map userConfig = [:])'), "${name} takes one map")
            assertTrue((source =~ /new DbdeployStep\(this, Specs\.\w+\)\.run\(userConfig\)/).find(), "${name} runs inside DbdeployStep")
        }
    }

    @Test
    void everyStepHasHelpInTheHtmlJenkinsRenders() {
        stepNames().each { String name ->
            Element help = help(name)
            List<Element> blocks = children(help)
            assertTrue(blocks && blocks[0].tagName == 'p' && text(blocks[0]).startsWith("${name}(Map config)"),
                    "vars/${name}.txt starts with <p><code>${name}(Map config)</code></p>")
            help.childNodes.each { Node n ->
                assertTrue(n.nodeType != Node.TEXT_NODE || !n.textContent.trim(),
                        "vars/${name}.txt: text outside a <p>, <ul>, <dl> or <pre> is not rendered as a paragraph: '${n.textContent.trim().take(60)}'")
            }
            eachElement(help) { Element e ->
                assertTrue(e.tagName in HELP_ELEMENTS, "vars/${name}.txt uses <${e.tagName}>; Jenkins' help takes ${HELP_ELEMENTS.join(', ')}")
                assertEquals(0, e.attributes.length, "vars/${name}.txt: <${e.tagName}> needs no attributes")
                if (e.tagName != 'pre') {
                    e.childNodes.findAll { it.nodeType == Node.TEXT_NODE }.each { Node t ->
                        assertFalse(t.textContent.contains('`') || t.textContent.contains('**'),
                                "vars/${name}.txt: Markdown is shown as typed; use <code> instead: '${t.textContent.trim().take(60)}'")
                    }
                }
                if (e.tagName == 'dl') {
                    List<String> tags = children(e)*.tagName
                    assertEquals(['dt', 'dd'] * (tags.size() / 2 as int), tags, "vars/${name}.txt: a <dl> holds <dt><dd> pairs")
                }
            }
        }
    }

    @Test
    void everyStepHasHelpListingEachKeyWithTypeDefaultAndExample() {
        stepNames().each { String name ->
            Specs.all()[name].keys.each { ConfigKey key -> assertDocumented(name, key.name, key.name, key) }
        }
    }

    @Test
    void theNginxRouterKeysAreDocumentedToo() {
        Specs.NGINX_ROUTER.keys.each { ConfigKey key -> assertDocumented('deployWithMigrations', "router.${key.name}", key.name, key) }
    }

    @Test
    void helpDocumentsNoKeyThatTheStepWouldReject() {
        stepNames().each { String name ->
            List<String> documented = keyTerms(help(name)).keySet().collect { it.split(' ')[0] }
            assertEquals(Specs.all()[name].keyNames(), documented.findAll { !it.startsWith('router.') }.sort(), "keys in vars/${name}.txt")
            List<String> routerKeys = documented.findAll { it.startsWith('router.') }.collect { it - 'router.' }.sort()
            assertEquals(name == 'deployWithMigrations' ? Specs.NGINX_ROUTER.keyNames() : [], routerKeys, "router keys in vars/${name}.txt")
        }
    }

    @Test
    void everyLibraryResourceIsUsedAndEveryOneUsedExists() {
        File resources = new File(LibraryTestBase.ROOT, 'resources')
        List<String> files = []
        resources.eachFileRecurse { File f -> if (f.isFile()) files << resources.toPath().relativize(f.toPath()).toString() }
        String code = ['src', 'vars'].collect { new File(LibraryTestBase.ROOT, it) }.collectMany { File dir ->
            List<File> sources = []
            dir.eachFileRecurse { File f -> if (f.name.endsWith('.groovy')) sources << f }
            sources*.text
        }.join('\n')
        List<String> named = (code =~ /'(io\/github\/dbdeploy\/[^']+\.[a-z]+)'/).collect { it[1] }
        assertTrue(named.contains(NginxRouter.UPSTREAM_TEMPLATE), 'the nginx upstream file is a library resource')
        assertEquals(files.sort(), named.unique().sort(), 'each file in resources/ is loaded by the library, and each one it loads is there')
    }

    /** What Jenkins' markup formatter keeps and what these pages need: no headings, links, tables or styling. */
    static final List<String> HELP_ELEMENTS = ['p', 'ul', 'li', 'code', 'dl', 'dt', 'dd', 'pre']

    /** vars/NAME.txt parsed as well-formed HTML (an unescaped '<' or '&', or an unclosed element, fails here). */
    static Element help(String name) {
        File file = new File(VARS, "${name}.txt")
        assertTrue(file.isFile(), "vars/${name}.txt is missing")
        DocumentBuilder parser = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        try {
            return parser.parse(new InputSource(new StringReader("<help>${file.getText('UTF-8')}</help>"))).documentElement
        } catch (SAXParseException e) {
            throw new AssertionError("vars/${name}.txt is not well-formed HTML at line ${e.lineNumber}: ${e.message} " +
                    "(close every element, write < as &lt; and & as &amp;)", e)
        }
    }

    /** Each <dt> of the page's lists, as text, with the text of the <dd> that follows it. */
    static Map<String, Element> keyTerms(Element help) {
        Map<String, Element> terms = [:]
        eachElement(help) { Element e ->
            if (e.tagName == 'dt') {
                Node next = e.nextSibling
                while (next != null && next.nodeType != Node.ELEMENT_NODE) {
                    next = next.nextSibling
                }
                terms[text(e)] = (Element) next
            }
        }
        return terms
    }

    private static void assertDocumented(String step, String shownName, String exampleName, ConfigKey key) {
        String requirement = key.required ? 'required' :
                key.requiredUnless ? "required unless ${key.requiredUnless}" :
                        "default: ${key.helpDefault()}"
        String header = "${shownName} (${key.type}, ${requirement})"
        Element description = keyTerms(help(step))[header]
        assertNotNull(description, "vars/${step}.txt needs <dt><code>${shownName}</code> (${key.type}, ${requirement})</dt>")
        List<Element> examples = []
        eachElement(description) { Element e -> if (e.tagName == 'code' && text(e).startsWith("${exampleName}:")) examples << e }
        assertTrue(text(description).contains("Example: ${exampleName}:") && examples,
                "vars/${step}.txt: the <dd> of ${shownName} needs 'Example: <code>${exampleName}: ...</code>'")
    }

    private static List<Element> children(Element parent) {
        return parent.childNodes.findAll { it.nodeType == Node.ELEMENT_NODE } as List<Element>
    }

    private static void eachElement(Element parent, Closure visit) {
        children(parent).each { Element e ->
            visit(e)
            eachElement(e, visit)
        }
    }

    private static String text(Element e) {
        return e.textContent.replaceAll(/\s+/, ' ').trim()
    }
}
