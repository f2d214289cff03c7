#!/bin/sh
# Waits up to 20 s for the colour's /health (the JVM needs a moment to start).
set -eu
port=$(./scripts/port.sh "$1")
i=0
until curl -fsS "http://127.0.0.1:$port/health"; do
  i=$((i + 1))
  if [ "$i" -ge 100 ]; then echo "$1 is not healthy" >&2; exit 1; fi
  sleep 0.2
done
