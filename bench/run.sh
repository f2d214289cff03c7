#!/usr/bin/env bash
# Benchmark: dbdeploy:migrate against liquibase-maven-plugin and psql, side by side in one run, on the same
# generated plain-SQL migrations (bench/gen_workload.py) and the same PostgreSQL server.
#
#   bench/run.sh [N=1000] [RUNS=3]
#
# Needs the Debian PostgreSQL server binaries (apt-get install postgresql) and dbdeploy installed in ~/.m2
# (mvn -B install -DskipTests). Prints medians and the ratios that matter; the machine is noisy, so compare
# ratios from one run rather than absolute seconds across runs.
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
  echo "run $run/$RUNS done" >&2
done

m() { median ${t[$1]}; }
ratio() { echo "scale=2; $1 / $2" | bc; }
printf '\nN = %s migrations, median of %s runs, PostgreSQL %s on loopback\n\n' "$N" "$RUNS" "$("$pgbin/postgres" --version | awk '{print $3}')"
printf '| case | seconds | ratio |\n|---|---|---|\n'
printf '| psql -1 -f all.sql (one transaction) | %.2f | 1.00 (apply baseline) |\n' "$(m psql)"
printf '| dbdeploy:migrate | %.2f | %s x psql |\n' "$(m dd)" "$(ratio "$(m dd)" "$(m psql)")"
printf '| liquibase:update | %.2f | %s x psql |\n' "$(m lb)" "$(ratio "$(m lb)" "$(m psql)")"
printf '| mvn validate | %.2f | 1.00 (no-op baseline) |\n' "$(m validate)"
printf '| dbdeploy:migrate, nothing pending | %.2f | %s x validate |\n' "$(m dd_noop)" "$(ratio "$(m dd_noop)" "$(m validate)")"
printf '| liquibase:update, nothing pending | %.2f | %s x validate |\n' "$(m lb_noop)" "$(ratio "$(m lb_noop)" "$(m validate)")"
printf '| dbdeploy:migrate, directory changelog (format sql) | %.2f | %s x psql (goal: <= 1.3) |\n' "$(m dir)" "$(ratio "$(m dir)" "$(m psql)")"
printf '| dbdeploy:migrate, directory changelog, nothing pending | %.2f | %s x validate (goal: <= 1.2) |\n' "$(m dir_noop)" "$(ratio "$(m dir_noop)" "$(m validate)")"
printf '| dbdeploy:adopt, %s psql-loop history rows | %.2f | +%.2f s over validate (goal: <= 2) |\n' "$N" "$(m adopt)" "$(echo "$(m adopt) - $(m validate)" | bc)"
printf '| dbdeploy:rollback (all %s) | %.2f | |\n' "$N" "$(m dd_rollback)"
printf '| dbdeploy:rehearse (all %s: apply, roll back, apply) | %.2f | %s x migrate (goal: <= 4) |\n' "$N" "$(m dd_rehearse)" "$(ratio "$(m dd_rehearse)" "$(m dd)")"
