package io.github.dbdeploy.jenkins

import static org.junit.jupiter.api.Assertions.assertEquals

import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource

/**
 * Where the goals write their summaries, read from the Maven command line as Maven itself would choose the project.
 * A plain unit test, not a CPS one: summaryDirectoriesOf is @NonCPS and calls no step, and the pipeline tests
 * (DeployWithMigrationsTest.summariesAreFoundBesideThePomThatMinusFNames) exercise it under CPS.
 */
class SummaryDirectoriesTest {

    @ParameterizedTest(name = '{0}')
    @CsvSource(delimiterString = '|', value = [
            'mvn -B                                   | target/dbdeploy',
            'mvn -B -f db/pom.xml                     | db/target/dbdeploy',
            'mvn -B --file db/pom.xml                 | db/target/dbdeploy',
            'mvn -B --file=services/db/pom.xml        | services/db/target/dbdeploy',
            'mvn -B -f db                             | db/target/dbdeploy',
            'mvn -B -f ./db/                          | db/target/dbdeploy',
            'mvn -B -f pom.xml                        | target/dbdeploy',
            'mvn -B -f ./pom.xml                      | target/dbdeploy',
            'mvn -B -f other.xml -f db/pom.xml        | db/target/dbdeploy',
            'mvn -B -pl db                            | db/target/dbdeploy',
            'mvn -B -pl db,schemas/audit              | db/target/dbdeploy;schemas/audit/target/dbdeploy',
            'mvn -B --projects :shop-db               | shop-db/target/dbdeploy',
            'mvn -B -pl io.example:shop-db            | shop-db/target/dbdeploy',
            'mvn -B -pl !app,db                       | db/target/dbdeploy',
            'mvn -B -pl ?db                           | db/target/dbdeploy',
            'mvn -B -f parent/pom.xml -pl db -am      | parent/db/target/dbdeploy',
            './mvnw -B -ntp -s settings.xml           | target/dbdeploy',
    ])
    void summariesAreLookedForInTheProjectsMavenRuns(String commandLine, String directories) {
        assertEquals(directories.split(';') as List, MavenGoals.summaryDirectoriesOf(commandLine))
    }
}
