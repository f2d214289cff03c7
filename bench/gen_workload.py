#!/usr/bin/env python3
"""Writes the benchmark workload: N plain-SQL migrations that psql, Flyway and Liquibase can all run from the same bytes.

    bench/gen_workload.py N OUTDIR [--seed S]

Each migration is one PostgreSQL statement (a new table with a foreign key also gets its index) in its own file, OUTDIR/migrations/NNNN_<kind>_<object>.sql, carrying
Liquibase formatted-SQL comments (--changeset, --rollback) that psql reads as comments. The mix is drawn from a seeded
random generator, so the same N and seed give the same bytes: tables with primary and foreign keys, added columns,
indexes, seed rows, bulk loads, backfills and views, each with a rollback that undoes exactly it. Also written:

    all.sql                 every migration in order (psql -1 -f all.sql applies the lot in one transaction)
    rollback_all.sql        every rollback in reverse order
    master-includeAll.xml   a Liquibase changelog that includes the migrations directory (one changeset per file)
    master-sqlFile.xml      a Liquibase changelog with one sqlFile changeset per file and its rollback
"""
import argparse
import random
import sys
from pathlib import Path

AUTHOR = "bench"
BULK_ROWS = 2000
SEED_ROWS = 20
# How often each kind is drawn once a table exists; the first migration always creates one.
WEIGHTS = {
    "create_table": 20,
    "add_column": 15,
    "create_index": 15,
    "seed_rows": 20,
    "bulk_load": 10,
    "backfill": 10,
    "create_view": 10,
}


class Table:
    def __init__(self, name):
        self.name = name
        self.next_id = 1
        self.added_columns = []  # integer columns, default 0: what a backfill may fill


class Workload:
    """Draws migrations one at a time, keeping the schema they build so every statement is valid where it runs."""

    def __init__(self, seed):
        self.random = random.Random(seed)
        self.tables = []

    def migration(self, number):
        kinds = list(WEIGHTS)
        kind = "create_table" if not self.tables else self.random.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
        if kind == "backfill" and not any(t.added_columns for t in self.tables):
            kind = "add_column"  # nothing to fill yet
        return kind, getattr(self, kind)(number)

    def pick(self):
        return self.random.choice(self.tables)

    def create_table(self, n):
        table = Table(f"t{n:05d}")
        columns = ["id bigint primary key", "name text not null", "created_at timestamptz not null default now()"]
        index = ""
        if self.tables:
            parent = self.pick()
            columns.insert(1, f"{parent.name}_id bigint references {parent.name} (id)")
            # Indexed as a careful schema would: otherwise every delete from the parent scans this table.
            index = f"\ncreate index {table.name}_{parent.name}_id on {table.name} ({parent.name}_id);"
        self.tables.append(table)
        return table.name, f"create table {table.name} ({', '.join(columns)});{index}", f"drop table {table.name};"

    def add_column(self, n):
        table = self.pick()
        column = f"c{n:05d}"
        table.added_columns.append(column)
        return (table.name, f"alter table {table.name} add column {column} integer not null default 0;",
                f"alter table {table.name} drop column {column};")

    def create_index(self, n):
        table = self.pick()
        index = f"ix{n:05d}"
        column = self.random.choice(["name", "created_at"] + table.added_columns)
        return index, f"create index {index} on {table.name} ({column});", f"drop index {index};"

    def insert_range(self, table, count):
        first = table.next_id
        table.next_id += count
        return first, table.next_id - 1

    def seed_rows(self, n):
        table = self.pick()
        first, last = self.insert_range(table, SEED_ROWS)
        values = ", ".join(f"({i}, 'seed {i}')" for i in range(first, last + 1))
        return (table.name, f"insert into {table.name} (id, name) values {values};",
                f"delete from {table.name} where id between {first} and {last};")

    def bulk_load(self, n):
        table = self.pick()
        first, last = self.insert_range(table, BULK_ROWS)
        return (table.name, f"insert into {table.name} (id, name) select g, 'row ' || g from generate_series({first},"
                            f" {last}) g;", f"delete from {table.name} where id between {first} and {last};")

    def backfill(self, n):
        # Fills an added column (whose default is 0), so setting it back to 0 undoes exactly this.
        table = self.random.choice([t for t in self.tables if t.added_columns])
        column = self.random.choice(table.added_columns)
        return (table.name, f"update {table.name} set {column} = (id % 97) + 1;",
                f"update {table.name} set {column} = 0;")

    def create_view(self, n):
        table = self.pick()
        view = f"v{n:05d}"
        return (view, f"create view {view} as select id, name from {table.name} where id % 2 = 0;",
                f"drop view {view};")


def write(path, text):
    path.write_text(text, encoding="utf-8", newline="\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many migrations")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")

    migrations = args.outdir / "migrations"
    migrations.mkdir(parents=True, exist_ok=True)
    for old in migrations.glob("*.sql"):
        old.unlink()
    workload = Workload(args.seed)
    width = max(4, len(str(args.n)))
    applied, rollbacks, files, kinds = [], [], [], {}
    for n in range(1, args.n + 1):
        kind, (subject, sql, rollback) = workload.migration(n)
        name = f"{n:0{width}d}_{kind}_{subject}.sql"
        changeset = f"{n:0{width}d}-{kind.replace('_', '-')}-{subject}"
        write(migrations / name, f"--liquibase formatted sql\n\n--changeset {AUTHOR}:{changeset}\n{sql}\n"
                                 f"--rollback {rollback}\n")
        applied.append(f"-- {name}\n{sql}\n")
        rollbacks.append(f"-- undo {name}\n{rollback}\n")
        files.append((changeset, name, rollback))
        kinds[kind] = kinds.get(kind, 0) + 1

    write(args.outdir / "all.sql", "".join(applied))
    write(args.outdir / "rollback_all.sql", "".join(reversed(rollbacks)))
    header = ('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"\n'
              '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
              '    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog'
              ' http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.33.xsd">\n')
    write(args.outdir / "master-includeAll.xml",
          header + '  <includeAll path="migrations/" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n')
    changesets = "".join(
        f'  <changeSet id="{changeset}" author="{AUTHOR}">\n'
        f'    <sqlFile path="migrations/{name}" relativeToChangelogFile="true"/>\n'
        f'    <rollback>{rollback}</rollback>\n'
        f'  </changeSet>\n' for changeset, name, rollback in files)
    write(args.outdir / "master-sqlFile.xml", header + changesets + "</databaseChangeLog>\n")
    print(f"{args.n} migrations in {migrations} (seed {args.seed}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    main(sys.argv[1:])
