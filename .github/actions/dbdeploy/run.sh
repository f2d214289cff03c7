#!/usr/bin/env bash
# The dbdeploy GitHub Action's run step (action.yml): runs one dbdeploy goal with Maven in the working directory and
# then, whatever happened, sets the outputs from target/dbdeploy/summary.json, appends summary.md to the step summary
# and exits with Maven's exit code. Inputs arrive as INPUT_* variables. The database password reaches Maven only as
# DBDEPLOY_PASSWORD (from a secret) or as a reference (ssm:/name, env:NAME); this script never prints it.
set -uo pipefail

goal=${INPUT_GOAL:-migrate}
environment=${INPUT_ENVIRONMENT:-}
workdir=${INPUT_WORKING_DIRECTORY:-.}
outputs=${GITHUB_OUTPUT:-/dev/null}
step_summary=${GITHUB_STEP_SUMMARY:-/dev/null}
summary_dir=target/dbdeploy

write_outputs() { # status deployment-id applied
  {
    echo "status=$1"
    echo "deployment-id=$2"
    echo "applied=$3"
  } >> "$outputs"
}

# Stops before Maven runs: the outputs and the step summary still say what happened.
refuse() {
  echo "::error title=dbdeploy $goal::$1"
  write_outputs error "" 0
  printf '### dbdeploy %s: ERROR\n\n%s\n' "$goal" "$1" >> "$step_summary"
  exit 2
}

# A top-level field of summary.json. jq where the runner has it; otherwise the first occurrence of the key, which is
# the top-level one: RunSummary's property order puts status, deploymentId and applied before every nested object,
# and JSON escapes the quotes inside strings, so no value can pass for a key.
field() { # name file
  if command -v jq >/dev/null 2>&1; then
    jq -r --arg k "$1" '.[$k] // empty' "$2"
  else
    grep -o "\"$1\" *: *[^,}]*" "$2" | head -n 1 | sed 's/^[^:]*: *//; s/^"//; s/"$//; s/^null$//'
  fi
}

case "$goal" in
  migrate|rollback|status|history|rehearse|adopt|baseline) ;;
  *) refuse "goal '$goal' is not a dbdeploy goal: use migrate, rollback, status, history, rehearse, adopt or baseline." ;;
esac
cd "$workdir" 2>/dev/null || refuse "working-directory '$workdir' does not exist in $(pwd)."

# maven-args: one argument per line, or all on one line separated by spaces (no shell quoting, nothing is evaluated).
extra=()
if [[ "${INPUT_MAVEN_ARGS:-}" == *$'\n'* ]]; then
  while IFS= read -r line; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && extra+=("$line")
  done <<< "$INPUT_MAVEN_ARGS"
else
  read -r -a extra <<< "${INPUT_MAVEN_ARGS:-}"
fi
deployed_by_given=false
for arg in ${extra[@]+"${extra[@]}"}; do
  case "$arg" in
    *dbdeploy.password=ssm:*|*dbdeploy.password=env:*) ;;
    *dbdeploy.password=*) refuse "maven-args must not carry a password: the workflow file and the log would show it. Pass it as DBDEPLOY_PASSWORD from a secret, or as -Ddbdeploy.password=ssm:/name (Parameter Store)." ;;
    *dbdeploy.deployedBy=*) deployed_by_given=true ;;
  esac
done

if [ -x ./mvnw ]; then
  mvn=./mvnw
elif command -v mvn >/dev/null 2>&1; then
  mvn=mvn
else
  refuse "neither ./mvnw in $(pwd) nor mvn on the PATH: add the Maven wrapper (mvn wrapper:wrapper) or install Maven."
fi

args=(-B --no-transfer-progress "dbdeploy:$goal")
if [ -n "$environment" ]; then
  args+=("-Penv=$environment")
fi
if [ "$deployed_by_given" = false ] && [ -n "${GITHUB_ACTOR:-}" ]; then
  # The journal then says which workflow run deployed, not runner@<ephemeral host>.
  args+=("-Ddbdeploy.deployedBy=${GITHUB_ACTOR}@github-actions/${GITHUB_REPOSITORY:-}#${GITHUB_RUN_ID:-}")
fi

# An earlier step's summary must never be reported as this one's.
rm -f "$summary_dir/summary.json" "$summary_dir/summary.md"
echo "dbdeploy: $mvn ${args[*]} ${extra[*]+${extra[*]}}"
"$mvn" "${args[@]}" ${extra[@]+"${extra[@]}"}
rc=$?

if [ -f "$summary_dir/summary.json" ]; then
  status=$(field status "$summary_dir/summary.json")
  write_outputs "$status" "$(field deploymentId "$summary_dir/summary.json")" \
    "$(field applied "$summary_dir/summary.json")"
  cat "$summary_dir/summary.md" >> "$step_summary"
  echo "DBDEPLOY_SUMMARY_DIR=$(pwd)/$summary_dir" >> "${GITHUB_ENV:-/dev/null}"
else
  status=error
  write_outputs error "" 0
  printf '### dbdeploy %s: ERROR\n\nMaven stopped (exit code %s) before dbdeploy wrote a summary; the log says why.\n' \
    "$goal" "$rc" >> "$step_summary"
fi
if [ "$rc" -ne 0 ]; then
  echo "::error title=dbdeploy $goal::dbdeploy $goal ended with status $status (Maven exit code $rc); see the step summary."
fi
exit "$rc"
