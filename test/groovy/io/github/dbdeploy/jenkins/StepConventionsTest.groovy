package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertNotNull
import static org.junit.jupiter.api.Assertions.assertTrue

import org.junit.jupiter.api.Test

/**
 * Every step follows the library's conventions: a spec, the error wrapper, and a .txt help for every key.
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
    void everyStepHasHelpListingEachKeyWithTypeDefaultAndExample() {
        stepNames().each { name ->
            File help = new File(VARS, "${name}.txt")
            assertTrue(help.isFile(), "vars/${name}.txt is missing")
            List<String> lines = help.readLines()
            assertTrue(lines[0].startsWith("${name}(Map config)"), "vars/${name}.txt starts with the signature")
            Specs.all()[name].keys.each { ConfigKey key -> assertDocumented(name, lines, key.name, key.name, key) }
        }
    }

    @Test
    void theNginxRouterKeysAreDocumentedToo() {
        List<String> lines = new File(VARS, 'deployWithMigrations.txt').readLines()
        Specs.NGINX_ROUTER.keys.each { ConfigKey key -> assertDocumented('deployWithMigrations', lines, "router.${key.name}", key.name, key) }
    }

    @Test
    void helpDocumentsNoKeyThatTheStepWouldReject() {
        stepNames().each { name ->
            List<String> documented = new File(VARS, "${name}.txt").readLines()
                    .findAll { it ==~ /^  [a-zA-Z]+ \(.*\)$/ }
                    .collect { it.trim().split(' ')[0] }
            assertEquals(Specs.all()[name].keyNames(), documented.sort(), "keys in vars/${name}.txt")
        }
    }

    private static void assertDocumented(String step, List<String> lines, String shownName, String exampleName, ConfigKey key) {
        String requirement = key.required ? 'required' :
                key.requiredUnless ? "required unless ${key.requiredUnless}" :
                        "default: ${key.helpDefault()}"
        String header = "  ${shownName} (${key.type}, ${requirement})"
        int at = lines.indexOf(header.toString())
        assertTrue(at >= 0, "vars/${step}.txt needs the line <${header}>")
        List<String> block = lines.subList(at + 1, Math.min(lines.size(), at + 4))
        assertNotNull(block.find { it.trim().startsWith("Example: ${exampleName}:") },
                "vars/${step}.txt: ${shownName} needs an 'Example: ${exampleName}: ...' line under its header")
    }
}
