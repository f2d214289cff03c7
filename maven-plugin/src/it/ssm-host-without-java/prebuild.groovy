io.github.dbdeploy.maven.it.SsmIt.prepare(basedir)
return true
