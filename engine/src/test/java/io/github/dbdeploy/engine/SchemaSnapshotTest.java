package io.github.dbdeploy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The schema snapshot sees a change to each kind of object that pg_dump --schema-only prints. */
class SchemaSnapshotTest {

    private static final String[] SCHEMA = {
        "create schema app",
        "create type app.mood as enum ('ok', 'sad')",
        "create domain app.positive as int check (value > 0)",
        "create table app.person (id int generated always as identity primary key, name text not null default 'x',"
            + " mood app.mood, age app.positive, doubled int generated always as (id * 2) stored)",
        "create index person_name_idx on app.person (name)",
        "create view app.names as select name from app.person",
        "create function app.f(x int) returns int language sql as 'select x'",
        "create function app.t() returns trigger language plpgsql as 'begin return new; end'",
        "create trigger person_t before insert on app.person for each row execute function app.t()",
        "create sequence app.counter",
        "create policy person_p on app.person using (true)",
        "comment on table app.person is 'people'",
        "create role snapshot_reader nologin",
    };

    /** Each change, and the object whose line the snapshot must then show as different (gone, new or changed). */
    private static final List<List<String>> CHANGES = List.of(
            List.of("alter type app.mood add value 'glad'", "type app.mood"),
            List.of("alter domain app.positive add constraint small check (value < 100)", "type app.positive"),
            List.of("alter table app.person alter column name drop default", "column app.person.name"),
            List.of("alter table app.person alter column mood set not null", "column app.person.mood"),
            List.of("alter table app.person add constraint name_len check (length(name) > 0)",
                    "constraint app.person.name_len"),
            List.of("drop index app.person_name_idx", "index app.person_name_idx"),
            List.of("create or replace view app.names as select name || '' as name from app.person", "relation app.names"),
            List.of("create or replace function app.f(x int) returns int language sql as 'select x + 1'",
                    "function app.f(x integer)"),
            List.of("alter table app.person disable trigger person_t", "trigger app.person.person_t"),
            List.of("alter sequence app.counter increment by 5", "relation app.counter"),
            List.of("alter policy person_p on app.person using (false)", "policy app.person.person_p"),
            List.of("comment on table app.person is 'persons'", "comment table app.person"),
            List.of("grant select on app.person to snapshot_reader", "relation app.person"),
            List.of("grant usage on schema app to snapshot_reader", "schema app"),
            List.of("alter default privileges in schema app grant select on tables to snapshot_reader",
                    "default privileges"));

    @Test
    void everyKindOfObjectIsInTheSnapshotAndEachChangeShowsInTheDiff() throws Exception {
        String url = TestDatabases.newDatabase("snapshot");
        String reader = url.substring(url.lastIndexOf('/') + 1).split("\\?")[0] + "_reader"; // roles are per server
        try (Connection c = DriverManager.getConnection(url)) {
            try (var st = c.createStatement()) {
                for (String sql : SCHEMA) {
                    st.execute(sql.replace("snapshot_reader", reader));
                }
            }
            SchemaSnapshot before = SchemaSnapshot.take(c);
            assertEquals(List.of(), before.diff(SchemaSnapshot.take(c)));
            SchemaSnapshot.Reader incremental = new SchemaSnapshot.Reader(c);
            incremental.take();
            SchemaSnapshot.Reader tracked = SchemaSnapshot.Reader.tracking(c);
            tracked.take();
            for (List<String> change : CHANGES) {
                SchemaSnapshot previous = SchemaSnapshot.take(c);
                try (var st = c.createStatement()) {
                    st.execute(change.get(0).replace("snapshot_reader", reader));
                }
                SchemaSnapshot now = SchemaSnapshot.take(c);
                List<String> diff = previous.diff(now);
                assertTrue(diff.stream().anyMatch(line -> line.substring(2).startsWith(change.get(1))),
                        change.get(0) + " -> " + diff);
                // Describing afresh only what changed since the last snapshot gives the same lines.
                assertEquals(List.of(), now.diff(incremental.take()), change.get(0));
                // Reading only what the recorded DDL touched gives them too.
                assertEquals(List.of(), now.diff(tracked.take()), change.get(0));
            }
        }
    }

    /**
     * Changes that reach objects the command does not name: cascades from a dropped function or table, a rename,
     * a GRANT (which names no object to the event trigger), a TRUNCATE and a rollback. After each, a snapshot that
     * reads only what the database recorded as touched has exactly the lines of one that reads everything.
     */
    @Test
    void aTrackedSnapshotSeesChangesToObjectsTheCommandDidNotName() throws Exception {
        String url = TestDatabases.newDatabase("tracked");
        String reader = url.substring(url.lastIndexOf('/') + 1).split("\\?")[0] + "_reader";
        try (Connection c = DriverManager.getConnection(url); var st = c.createStatement()) {
            st.execute("create role " + reader + " nologin");
            st.execute("create function next_code() returns int language sql as 'select 1'");
            st.execute("create function audit() returns trigger language plpgsql as 'begin return new; end'");
            st.execute("create table parent (id int primary key)");
            st.execute("create table child (id int primary key, parent_id int references parent,"
                    + " code int default next_code())");
            st.execute("create trigger child_audit before insert on child for each row execute function audit()");
            st.execute("create index child_parent_idx on child (parent_id)");
            st.execute("create table filled (id int)");
            st.execute("insert into filled select generate_series(1, 100)");
            SchemaSnapshot.Reader tracked = SchemaSnapshot.Reader.tracking(c);
            tracked.take();
            List<List<String>> changes = List.of(
                    // the default on child goes with the function: only next_code is named
                    List.of("drop function next_code() cascade", "column public.child.code"),
                    // the trigger on child goes with the function
                    List.of("drop function audit() cascade", "trigger public.child.child_audit"),
                    // the foreign key on child goes with parent
                    List.of("drop table parent cascade", "constraint public.child.child_parent_id_fkey"),
                    List.of("alter index child_parent_idx rename to child_parent", "index public.child_parent"),
                    List.of("grant select on child to " + reader, "relation public.child"),
                    List.of("grant update (code) on child to " + reader, "column public.child.code"),
                    List.of("comment on column child.code is 'the code'", "comment table column"));
            for (List<String> change : changes) {
                SchemaSnapshot previous = SchemaSnapshot.take(c);
                st.execute(change.get(0));
                SchemaSnapshot now = SchemaSnapshot.take(c);
                assertTrue(previous.diff(now).stream().anyMatch(line -> line.substring(2).startsWith(change.get(1))),
                        change.get(0) + " -> " + previous.diff(now));
                assertEquals(List.of(), now.diff(tracked.take()), change.get(0));
            }
            // A rolled-back change leaves nothing behind, and nothing recorded.
            c.setAutoCommit(false);
            st.execute("alter table child add column gone int");
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(List.of(), SchemaSnapshot.take(c).diff(tracked.take()));
            // TRUNCATE is no DDL to the event trigger: the new file shows in the table's pg_class row.
            SchemaSnapshot before = tracked.withCurrentSizes(tracked.take());
            st.execute("truncate filled");
            SchemaSnapshot.Changes truncated = before.changesTo(tracked.take());
            assertEquals(List.of("public.filled"), truncated.rewrites());
            assertTrue(truncated.dataLoss());
        }
    }
}
