#!/bin/sh
# Puts the build in this workspace on one colour: stops what ran there, starts the app on the colour's port.
set -eu
colour="$1"
port=$(./scripts/port.sh "$colour")
version=$(cat app-version)
mkdir -p run
if [ -f "run/$colour.pid" ]; then
  old=$(cat "run/$colour.pid")
  kill "$old" 2>/dev/null || true
  while kill -0 "$old" 2>/dev/null; do sleep 0.1; done
  rm -f "run/$colour.pid"
fi
nohup java -Xmx64m -XX:TieredStopAtLevel=1 -cp "$E2E_APP_CLASSPATH" io.github.dbdeploy.jenkins.e2e.TinyApp "$colour" "$version" "$port" \
  < /dev/null > "run/$colour.log" 2>&1 &
echo $! > "run/$colour.pid"
echo "started $colour (version $version) on 127.0.0.1:$port as pid $(cat "run/$colour.pid")"
