#!/bin/sh
# The idle colour's main page must work on the migrated database, before it gets traffic.
set -eu
port=$(./scripts/port.sh "$1")
body=$(curl -fsS "http://127.0.0.1:$port/")
echo "$body"
case "$body" in
  "$1 v$(cat app-version):"*) ;;
  *) echo "smoke test: unexpected answer" >&2; exit 1 ;;
esac
