import java.nio.file.Files
import io.github.dbdeploy.maven.it.ItDatabase

// The reference database, where Flyway applies every file.
ItDatabase.createDatabase(pgPort as int, 'adopt_flyway_reference')
// The same migrations with V2 edited after Flyway applied it: adopt must refuse them.
def source = new File(basedir, '../../../../engine/src/test/resources/formats/flyway').canonicalFile
def edited = new File(basedir, 'target/edited')
edited.mkdirs()
source.eachFile { f -> Files.copy(f.toPath(), new File(edited, f.name).toPath()) }
new File(edited, 'V2__seed.sql') << "INSERT INTO note (body) VALUES ('added later');\n"
return true
