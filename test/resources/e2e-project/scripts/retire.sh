#!/bin/sh
# Stops the old colour, after a second in which nginx's previous workers finish their requests to it.
set -eu
sleep 1
if [ -f "run/$1.pid" ]; then
  pid=$(cat "run/$1.pid")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "run/$1.pid"
  echo "stopped $1"
fi
