def log = new File(basedir, 'build.log').text
assert log.count(' is skipped (dbdeploy.skip=true)') == 3
return true
