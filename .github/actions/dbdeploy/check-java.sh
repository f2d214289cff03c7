#!/usr/bin/env bash
# The dbdeploy GitHub Action's first step (action.yml): decides whether Java must be set up. Only when `java` is
# missing or older than the java-version input; a runner that has a suitable Java keeps it (and saves a download).
# Writes missing=true|false to $GITHUB_OUTPUT.
set -euo pipefail

want=${INPUT_JAVA_VERSION:-17}
want_major=${want%%.*}
have=""
if command -v java >/dev/null 2>&1; then
  # `java -version` prints e.g. openjdk version "17.0.15" 2025-04-15, or "1.8.0_402" for Java 8.
  have=$(java -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
fi
major=${have%%.*}
if [ "$major" = 1 ]; then
  major=$(echo "$have" | cut -d. -f2)
fi

if [ -n "$have" ] && [ "$major" -ge "$want_major" ] 2>/dev/null; then
  echo "dbdeploy: Java $have is on the runner; Java $want is not set up."
  echo "missing=false" >> "$GITHUB_OUTPUT"
else
  if [ -n "$have" ]; then
    echo "dbdeploy: Java $have is older than $want; setting up Java $want."
  else
    echo "dbdeploy: no Java on the runner; setting up Java $want."
  fi
  echo "missing=true" >> "$GITHUB_OUTPUT"
fi
