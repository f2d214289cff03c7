import io.github.dbdeploy.maven.it.ItDatabase
def port = pgPort as int
def dir = new File(basedir, '../../../../engine/src/test/resources/formats/sql').canonicalFile
['001_init.sql', '002-seed.sql', '003_shipped_status.sql'].each {
    ItDatabase.executeAsApp(port, 'baseline', new File(dir, it).text)
}
return true
