io.github.dbdeploy.maven.it.ItDatabase.start(pgPort as int, basedir.parentFile)
return true
