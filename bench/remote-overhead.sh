#!/usr/bin/env bash
# Benchmark: what remote execution (dbdeploy.target=ssm) costs on top of the engine, through in-process S3 (S3Proxy)
# and SSM (FakeSsm, the tests' endpoint that runs the real host script), with the runner jar dbdeploy ships.
#
#   bench/remote-overhead.sh [RUNS=3]
#
# Needs dbdeploy installed in ~/.m2 (mvn -B install -DskipTests at the root: the remote test-jar carries the
# in-process AWS). Prints a table per deploy and the median overhead of a first and a repeat deploy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mvn -B -q -f "$here/remote-overhead/pom.xml" compile exec:exec -Druns="${1:-3}"
