#!/usr/bin/env bash
# Benchmark: dbdeploy:migrate against liquibase-maven-plugin and psql, side by side in one run, on the same
# generated plain-SQL migrations (bench/gen_workload.py) and the same PostgreSQL server.
#
#   bench/run.sh [N=1000] [RUNS=3]
#
# Needs the Debian PostgreSQL server binaries (apt-get install postgresql) and dbdeploy installed in ~/.m2
# (mvn -B install -DskipTests). Prints the median and the minimum of the runs and the ratios that matter; the
# machine is noisy, so compare ratios from one run rather than absolute seconds across runs.
set -euo pipefail
N=${1:-1000}
RUNS=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
gen=${DBDEPLOY_BENCH_GENERATOR:-$here/gen_workload.py}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "PostgreSQL server binaries not found: apt-get install -y postgresql" >&2; exit 1; }
[ -f "$gen" ] || { echo "workload generator not found at $gen (set DBDEPLOY_BENCH_GENERATOR)" >&2; exit 1; }

work=$(mktemp -d /tmp/dbdeploy-bench.XXXXXX)
chmod 755 "$work"
port=$((20000 + RANDOM % 20000))
cleanup() { runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

python3 "$gen" "$N" "$work/gen" >/dev/null
mkdir "$work/pg" && chown postgres "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" -w start >/dev/null
psql_() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -h 127.0.0.1 -p "$port" -U postgres "$@"; }
url() { echo "jdbc:postgresql://127.0.0.1:$port/$1?user=postgres"; }
fresh() { psql_ -d postgres -c "drop database if exists $1" -c "create database $1"; }

mvn_=(mvn -B -o -q -f "$here/pom.xml" -Dliquibase.analytics.enabled=false)
seconds() { local s e; s=$(date +%s.%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Resolve both plugins once, online, so the timed runs below can stay offline.
mvn -B -q -f "$here/pom.xml" dependency:resolve-plugins >/dev/null
# The JDBC floor: a fresh JVM's first connection and query (bench/JdbcFloor.java), with the driver both plugins use.
mkdir "$work/floor"
mvn -B -q -f "$here/pom.xml" dependency:copy -Dartifact=org.postgresql:postgresql:42.7.13 -DoutputDirectory="$work/floor" >/dev/null
javac -d "$work/floor" "$here/JdbcFloor.java"

declare -A t
for run in $(seq "$RUNS"); do
  fresh b_psql;      t[psql]+=" $(seconds psql_ -d b_psql -1 -f "$work/gen/all.sql")"
  fresh b_lb;        t[lb]+=" $(seconds "${mvn_[@]}" liquibase:update -Dliquibase.url="$(url b_lb)" -Dliquibase.searchPath="$work/gen" -Dliquibase.changeLogFile=master-includeAll.xml)"
                     t[lb_noop]+=" $(seconds "${mvn_[@]}" liquibase:update -Dliquibase.url="$(url b_lb)" -Dliquibase.searchPath="$work/gen" -Dliquibase.changeLogFile=master-includeAll.xml)"
  fresh b_dd;        t[dd]+=" $(seconds "${mvn_[@]}" dbdeploy:migrate -Ddbdeploy.url="$(url b_dd)" -Ddbdeploy.changelog="$work/gen/master-includeAll.xml")"
                     t[dd_noop]+=" $(seconds "${mvn_[@]}" dbdeploy:migrate -Ddbdeploy.url="$(url b_dd)" -Ddbdeploy.changelog="$work/gen/master-includeAll.xml")"
                     # Rehearse every changeset (the database is up to date, so nothing is pending): forward, back and
                     # forward again on an embedded PostgreSQL of the server's major version; b_dd is only read.
                     t[dd_rehearse]+=" $(seconds "${mvn_[@]}" dbdeploy:rehearse -Ddbdeploy.url="$(url b_dd)" -Ddbdeploy.changelog="$work/gen/master-includeAll.xml" -Ddbdeploy.rehearse.from=all)"
                     t[dd_rollback]+=" $(seconds "${mvn_[@]}" dbdeploy:rollback -Ddbdeploy.url="$(url b_dd)" -Ddbdeploy.changelog="$work/gen/master-includeAll.xml")"
  # The same files as a directory changelog (the psql-loop shape, format sql): no Liquibase changelog at all.
  fresh b_dir;       t[dir]+=" $(seconds "${mvn_[@]}" dbdeploy:migrate -Ddbdeploy.url="$(url b_dir)" -Ddbdeploy.changelog="$work/gen/migrations" -Ddbdeploy.format=sql)"
                     t[dir_noop]+=" $(seconds "${mvn_[@]}" dbdeploy:migrate -Ddbdeploy.url="$(url b_dir)" -Ddbdeploy.changelog="$work/gen/migrations" -Ddbdeploy.format=sql)"
  # A database a psql loop built (all.sql above) with its schema_migrations table: adopt records the N rows.
  psql_ -d b_psql -c "create table schema_migrations (version text primary key, applied_at timestamptz not null default now())" \
        -c "insert into schema_migrations (version) select lpad(g::text, 4, '0') from generate_series(1, $N) g"
                     t[adopt]+=" $(seconds "${mvn_[@]}" dbdeploy:adopt -Ddbdeploy.url="$(url b_psql)" -Ddbdeploy.changelog="$work/gen/migrations" -Ddbdeploy.format=sql -Ddbdeploy.adoptFrom=sql)"
  t[validate]+=" $(seconds "${mvn_[@]}" validate)"
  t[floor]+=" $(java -cp "$work/floor:$work/floor/postgresql-42.7.13.jar" JdbcFloor "$(url b_dir)")"
  echo "run $run/$RUNS done" >&2
done

m() { median ${t[$1]}; }
lo() { printf '%s\n' ${t[$1]} | sort -g | head -n 1; }
ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }
# One row: the case, its median and minimum, and both ratios to a baseline case (or a note).
row() { # label key [baseline-key unit goal]
  local label=$1 key=$2 base=${3:-} unit=${4:-} goal=${5:-}
  if [ -z "$base" ]; then
    printf '| %s | %.2f | %.2f | %s |\n' "$label" "$(m "$key")" "$(lo "$key")" "$unit"
  else
    printf '| %s | %.2f | %.2f | %s x %s (min %s x)%s |\n' "$label" "$(m "$key")" "$(lo "$key")" \
      "$(ratio "$(m "$key")" "$(m "$base")")" "$unit" "$(ratio "$(lo "$key")" "$(lo "$base")")" "${goal:+ (goal: <= $goal)}"
  fi
}
printf '\nN = %s migrations, %s runs, PostgreSQL %s on loopback\n\n' "$N" "$RUNS" "$("$pgbin/postgres" --version | awk '{print $3}')"
printf '| case | median s | min s | ratio (medians; minimums) |\n|---|---|---|---|\n'
row 'psql -1 -f all.sql (one transaction)' psql '' 'apply baseline'
row 'dbdeploy:migrate' dd psql psql
row 'liquibase:update' lb psql psql
row 'mvn validate' validate '' 'no-op baseline'
row 'dbdeploy:migrate, nothing pending' dd_noop validate validate
row 'liquibase:update, nothing pending' lb_noop validate validate
row 'dbdeploy:migrate, directory changelog (format sql)' dir psql psql 1.3
row 'dbdeploy:migrate, directory changelog, nothing pending' dir_noop validate validate 1.2
# What a no-op cannot go below: its budget over mvn validate beside a fresh JVM's first JDBC connection and query.
printf '| fresh JVM: load the driver, connect, one query (time inside the JVM) | %.3f | %.3f | the no-op budget at 1.2 x validate is +%.3f s (min +%.3f s) |\n' \
  "$(m floor)" "$(lo floor)" "$(echo "$(m validate) * 0.2" | bc)" "$(echo "$(lo validate) * 0.2" | bc)"
printf '| dbdeploy:adopt, %s psql-loop history rows | %.2f | %.2f | +%.2f s over validate (min +%.2f s) (goal: <= 2) |\n' "$N" \
  "$(m adopt)" "$(lo adopt)" "$(echo "$(m adopt) - $(m validate)" | bc)" "$(echo "$(lo adopt) - $(lo validate)" | bc)"
row "dbdeploy:rollback (all $N)" dd_rollback
row "dbdeploy:rehearse (all $N: apply, roll back, apply)" dd_rehearse dd migrate 4
