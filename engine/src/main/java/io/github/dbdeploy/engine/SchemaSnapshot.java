package io.github.dbdeploy.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The user's schema as the catalog describes it, one line per object: schemas, tables and their columns in order
 * (type, NOT NULL, default, identity, collation), constraints, indexes, views, functions, triggers, rules, policies,
 * sequences, enums, domains and other types, extensions, comments, owners and grants (ACLs, default privileges).
 * That is what {@code pg_dump --schema-only} prints, read from the catalog because the embedded server ships
 * without pg_dump. Two snapshots have the same lines exactly when the schema is the same.
 *
 * <p>Each object also keeps its identity (oid, or table oid and column number), which tells a rename from a drop,
 * and each table its storage file and size, which tell a rewrite and a truncation. Liquibase's and dbdeploy's own
 * tables are left out.
 */
final class SchemaSnapshot {
    /** Schemas of the system, not of the user. */
    private static final String USER_SCHEMA = "n.nspname not in ('pg_catalog', 'information_schema', '"
            + Tracking.SCHEMA + "') and n.nspname !~ '^pg_(toast|temp)'";
    /** Objects an extension created: pg_dump prints only CREATE EXTENSION for them. */
    private static final String NOT_FROM_EXTENSION = " and not exists (select 1 from pg_depend x where x.classid = %s"
            + " and x.objid = %s and x.deptype = 'e')";

    /**
     * One query, one round trip: rows of (kind, key, identity, definition, type, not null, default, relkind, fresh,
     * column number, owning relation, default's oid) for every object of the schema.
     */
    private static final String QUERY = query(false);
    /**
     * Its parts, for a tracked snapshot, which reads only what changed: the tables, views and sequences of an oid
     * array with their columns, constraints, indexes, triggers, rules, policies and storage (parameters: 0, the
     * array); the objects that belong to no relation (schemas, functions, types, extensions, default privileges);
     * the comments. Separate statements, so that a snapshot runs only the parts a change calls for; each keeps its
     * generic plan (the rehearsal's connection keeps prepared statements across DDL, see Rehearsal).
     */
    private static final String DESCRIBE_RELATIONS = part(true, "relation", "column", "constraint", "index",
            "trigger", "rule", "policy", "storage");
    private static final String DESCRIBE_GLOBALS = part(false, "schema", "function", "type", "extension",
            "default privileges");
    private static final String DESCRIBE_COMMENTS = part(false, "comment");

    /** The branches of the query for these kinds, with the relations' common table expression when asked. */
    private static String part(boolean relations, String... kinds) {
        String all = query(relations);
        int select = all.indexOf(" select 'schema' as kind");
        List<String> branches = new ArrayList<>();
        for (String kind : kinds) {
            for (String branch : all.substring(select + 1).split(" union all ")) {
                if (branch.startsWith("select '" + kind + "'")) {
                    branches.add(branch);
                }
            }
        }
        if (branches.size() != kinds.length) {
            throw new IllegalStateException("snapshot query has no branch for one of " + List.of(kinds));
        }
        return (relations ? all.substring(0, select + 1) : "") + String.join(" union all ", branches);
    }

    private static String query(boolean someRelations) {
        return "with h as (select ?::bigint as since), rel as ("
            + " select c.oid, c.relkind, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name"
            + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            + " where " + USER_SCHEMA + " and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c')"
            + " and c.relname !~ '^(databasechangelog|dbdeploy_)'"
            + (someRelations ? " and c.oid = any(?::oid[])" : "")
            + String.format(NOT_FROM_EXTENSION, "'pg_class'::regclass", "c.oid") + ")"
            // schemas
            + " select 'schema' as kind, quote_ident(n.nspname) as key, n.oid::text as ident,"
            + " concat_ws(' ', 'owner', pg_get_userbyid(n.nspowner), 'acl ' || n.nspacl::text) as def,"
            + " null::text as type, null::boolean as notnull, null::text as dflt, null::text as relkind,"
            + " true as fresh, null::bigint as position, null::bigint as owner, null::bigint as attrdef"
            + " from pg_namespace n where " + USER_SCHEMA
            + String.format(NOT_FROM_EXTENSION, "'pg_namespace'::regclass", "n.oid")
            // tables, views, materialized views, sequences, foreign tables, composite types
            + " union all select 'relation', r.name, r.oid::text, case when f.fresh then"
            + " concat_ws(' ', r.relkind, c.relpersistence,"
            + " 'owner', pg_get_userbyid(c.relowner), 'acl ' || c.relacl::text, 'options ' || c.reloptions::text,"
            + " case when c.relrowsecurity then 'row security' end,"
            + " case when c.relforcerowsecurity then 'forced row security' end,"
            + " case when c.relispartition then 'partition of ' || (select i.inhparent::regclass::text"
            + " from pg_inherits i where i.inhrelid = c.oid limit 1) || ' ' || pg_get_expr(c.relpartbound, c.oid) end,"
            + " case when r.relkind = 'p' then 'partition by ' || pg_get_partkeydef(c.oid) end,"
            + " case when r.relkind in ('v', 'm') then 'as ' || pg_get_viewdef(c.oid) end,"
            + " case when r.relkind = 'S' then (select concat_ws(' ', format_type(s.seqtypid, null), 'start',"
            + " s.seqstart, 'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax, 'cache', s.seqcache,"
            + " case when s.seqcycle then 'cycle' end) from pg_sequence s where s.seqrelid = c.oid) end,"
            + " (select 'owned by ' || d.refobjid::regclass::text || '.' || quote_ident(a.attname) from pg_depend d"
            + " join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid"
            + " where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass"
            + " and d.deptype in ('a', 'i') and d.refobjsubid > 0 and r.relkind = 'S' limit 1)) end,"
            + " null, null, null, r.relkind::text, f.fresh, null, r.oid::bigint, null"
            + " from rel r join pg_class c on c.oid = r.oid cross join h"
            + " left join pg_rewrite rw on rw.ev_class = c.oid and rw.rulename = '_RETURN'"
            + " left join pg_sequence sq on sq.seqrelid = c.oid"
            // A view's query is in pg_rewrite, a sequence's settings in pg_sequence and its owner in pg_depend.
            + " cross join lateral (select c.xmin::text::bigint >= h.since"
            + " or coalesce(rw.xmin::text::bigint, 0) >= h.since or coalesce(sq.xmin::text::bigint, 0) >= h.since"
            + " or (r.relkind = 'S' and exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass"
            + " and d.objid = c.oid and d.xmin::text::bigint >= h.since)) as fresh) f"
            // columns, with their number (their position among the columns that are not dropped is what pg_dump
            // prints, and is worked out here from the numbers, which is cheaper than a window over every column)
            + " union all select 'column', r.name || '.' || quote_ident(a.attname), a.attrelid || ':' || a.attnum,"
            + " case when f.fresh then concat_ws(' ',"
            + " format_type(a.atttypid, a.atttypmod), case when a.attnotnull then 'not null' end,"
            + " 'default ' || pg_get_expr(ad.adbin, ad.adrelid), 'identity ' || nullif(a.attidentity::text, ''),"
            + " 'generated ' || nullif(a.attgenerated::text, ''),"
            + " case when a.attcollation <> t.typcollation then 'collate '"
            + " || (select quote_ident(collname) from pg_collation where oid = a.attcollation) end,"
            + " case when a.attstattarget > 0 then 'statistics ' || a.attstattarget end,"
            + " case when a.attstorage <> t.typstorage then 'storage ' || a.attstorage::text end,"
            + " 'acl ' || a.attacl::text) end,"
            + " case when f.fresh then format_type(a.atttypid, a.atttypmod) end, a.attnotnull,"
            + " case when f.fresh then coalesce(pg_get_expr(ad.adbin, ad.adrelid), nullif(a.attidentity::text, ''),"
            + " nullif(a.attgenerated::text, '')) end,"
            + " r.relkind::text, f.fresh, a.attnum::bigint, r.oid::bigint, ad.oid::bigint"
            + " from rel r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped"
            + " and r.relkind <> 'S'"
            + " join pg_type t on t.oid = a.atttypid"
            + " left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum cross join h"
            + " cross join lateral (select a.xmin::text::bigint >= h.since"
            + " or coalesce(ad.xmin::text::bigint, 0) >= h.since as fresh) f"
            // table constraints
            + " union all select 'constraint', r.name || '.' || quote_ident(co.conname), co.oid::text,"
            + " case when co.xmin::text::bigint >= h.since then pg_get_constraintdef(co.oid) end, null, null, null,"
            + " null, co.xmin::text::bigint >= h.since, null, r.oid::bigint, null"
            + " from rel r join pg_constraint co on co.conrelid = r.oid cross join h"
            // indexes
            + " union all select 'index', quote_ident(n.nspname) || '.' || quote_ident(ci.relname), ci.oid::text,"
            + " case when f.fresh then concat_ws(' ', pg_get_indexdef(ci.oid), 'options ' || ci.reloptions::text,"
            + " case when i.indisclustered then 'clustered' end, case when not i.indisvalid then 'invalid' end) end,"
            + " null, null, null, null, f.fresh, null, r.oid::bigint, null"
            + " from rel r join pg_index i on i.indrelid = r.oid join pg_class ci on ci.oid = i.indexrelid"
            + " join pg_namespace n on n.oid = ci.relnamespace cross join h"
            + " cross join lateral (select ci.xmin::text::bigint >= h.since or i.xmin::text::bigint >= h.since as fresh) f"
            // triggers
            + " union all select 'trigger', r.name || '.' || quote_ident(tg.tgname), tg.oid::text,"
            + " pg_get_triggerdef(tg.oid) || ' enabled ' || tg.tgenabled::text, null, null, null, null, true, null,"
            + " r.oid::bigint, null"
            + " from rel r join pg_trigger tg on tg.tgrelid = r.oid and not tg.tgisinternal"
            // rules other than a view's own
            + " union all select 'rule', r.name || '.' || quote_ident(rw.rulename), rw.oid::text,"
            + " pg_get_ruledef(rw.oid), null, null, null, null, true, null, r.oid::bigint, null"
            + " from rel r join pg_rewrite rw on rw.ev_class = r.oid and rw.rulename <> '_RETURN'"
            // row-level security policies
            + " union all select 'policy', r.name || '.' || quote_ident(p.polname), p.oid::text,"
            + " concat_ws(' ', p.polcmd, case when p.polpermissive then 'permissive' else 'restrictive' end,"
            + " p.polroles::text, 'using ' || pg_get_expr(p.polqual, p.polrelid),"
            + " 'check ' || pg_get_expr(p.polwithcheck, p.polrelid)), null, null, null, null, true, null,"
            + " r.oid::bigint, null"
            + " from rel r join pg_policy p on p.polrelid = r.oid"
            // functions, procedures, aggregates
            + " union all select 'function', quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('"
            + " || pg_get_function_identity_arguments(p.oid) || ')', p.oid::text,"
            + " concat_ws(' ', case when p.prokind = 'a' then 'aggregate returns ' || pg_get_function_result(p.oid)"
            + " else pg_get_functiondef(p.oid) end, 'owner', pg_get_userbyid(p.proowner), 'acl ' || p.proacl::text),"
            + " null, null, null, null, true, null, null, null"
            + " from pg_proc p join pg_namespace n on n.oid = p.pronamespace where " + USER_SCHEMA
            + String.format(NOT_FROM_EXTENSION, "'pg_proc'::regclass", "p.oid")
            // enums, domains, ranges, base types (composite types are relations above, array types follow their element)
            + " union all select 'type', quote_ident(n.nspname) || '.' || quote_ident(t.typname), t.oid::text,"
            + " concat_ws(' ', t.typtype, case t.typtype"
            + " when 'e' then (select string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)"
            + " from pg_enum e where e.enumtypid = t.oid)"
            + " when 'd' then format_type(t.typbasetype, t.typtypmod)"
            + " || case when t.typnotnull then ' not null' else '' end || coalesce(' default ' || t.typdefault, '')"
            + " || coalesce(' ' || (select string_agg(quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid),"
            + " ', ' order by co.conname) from pg_constraint co where co.contypid = t.oid), '')"
            + " when 'r' then (select format_type(rg.rngsubtype, null) from pg_range rg where rg.rngtypid = t.oid)"
            + " end, 'owner', pg_get_userbyid(t.typowner), 'acl ' || t.typacl::text), null, null, null, null, true, null,"
            + " null, null"
            + " from pg_type t join pg_namespace n on n.oid = t.typnamespace where " + USER_SCHEMA
            + " and t.typtype in ('e', 'd', 'r', 'b') and not (t.typcategory = 'A' and t.typelem <> 0)"
            + String.format(NOT_FROM_EXTENSION, "'pg_type'::regclass", "t.oid")
            // extensions
            + " union all select 'extension', quote_ident(e.extname), e.oid::text,"
            + " e.extversion || ' schema ' || e.extnamespace::regnamespace::text, null, null, null, null, true,"
            + " null, null, null"
            + " from pg_extension e"
            // comments on objects made after initdb
            + " union all select 'comment', o.type || ' ' || o.identity, d.objoid || ':' || d.objsubid, d.description,"
            + " null, null, null, null, true, null, null, null from pg_description d, lateral pg_identify_object(d.classoid, d.objoid,"
            + " d.objsubid) o where d.objoid >= 16384 and coalesce(o.schema, '') !~ '^(pg_catalog|information_schema)$'"
            + " and o.identity !~ '(^|\\.)(databasechangelog|dbdeploy_)'"
            // default privileges
            + " union all select 'default privileges', pg_get_userbyid(da.defaclrole) || ' '"
            + " || coalesce(da.defaclnamespace::regnamespace::text, '') || ' ' || da.defaclobjtype::text, da.oid::text,"
            + " da.defaclacl::text, null, null, null, null, true, null, null, null from pg_default_acl da"
            // storage, not part of the schema: a new file means a rewrite, an empty new file a truncation
            + " union all select 'storage', r.name, r.oid::text, pg_relation_filenode(r.oid)::text,"
            + " pg_relation_size(r.oid)::text, null, null, r.relkind::text, true, null, r.oid::bigint, null"
            + " from rel r where r.relkind in ('r', 'm')";
    }

    /**
     * One object. {@code type}, {@code notNull} and {@code defaultValue} are set for columns only; a column's
     * {@code definition} starts with its position, {@code described} is the rest. {@code owner} is the oid of the
     * relation a relation, column, constraint, index, trigger, rule or policy belongs to (0 for other objects),
     * {@code defaultOid} a column default's own oid (0 without one).
     */
    record Item(String kind, String key, String identity, String definition, String described, String type,
                boolean notNull, String defaultValue, String relkind, long owner, long defaultOid) {
        String line() {
            return kind + " " + key + ": " + definition;
        }
    }

    /** A table's storage: its file (relfilenode) and size in bytes. */
    record Storage(String relation, String fileNode, long bytes) {
    }

    private final Map<String, Item> items;
    private final Map<String, Item> byIdentity;
    /** The owning relation of each column default, by the default's oid: what a dropped default belonged to. */
    private final Map<Long, Long> defaultOwners;
    private final Map<String, Storage> storage;
    /** Every catalog row written after this snapshot was read has an xmin at least this. */
    private final long horizon;

    private SchemaSnapshot(Map<String, Item> items, Map<String, Storage> storage, long horizon) {
        this.items = items;
        this.storage = storage;
        this.horizon = horizon;
        this.byIdentity = new HashMap<>(items.size() * 2);
        this.defaultOwners = new HashMap<>();
        for (Item i : items.values()) {
            byIdentity.put(i.kind() + "#" + i.identity(), i);
            if (i.defaultOid() != 0) {
                defaultOwners.put(i.defaultOid(), i.owner());
            }
        }
    }

    /** A snapshot described wholly afresh. */
    static SchemaSnapshot take(Connection c) throws SQLException {
        try (Reader reader = new Reader(c, false)) {
            return reader.take();
        }
    }

    /**
     * Takes snapshots on one connection, each describing afresh only what changed since the one before. It keeps its
     * statements, so the driver prepares them on the server once and the large query is planned once, not for every
     * snapshot.
     *
     * <p>Without tracking, what changed is found by the xmin of every catalog row (see
     * {@link #take(PreparedStatement, PreparedStatement, SchemaSnapshot)}): that reads the whole catalog each time,
     * which for a rehearsal of N changesets on a schema growing to N tables is O(N^2). With {@link #tracking}, the
     * database itself lists what changed (see {@link Tracking}) and only those relations are read.
     */
    static final class Reader implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement horizon;
        private final PreparedStatement query;
        private final PreparedStatement trackedHorizon;
        private final PreparedStatement changed;
        private final PreparedStatement describeRelations;
        private final PreparedStatement describeGlobals;
        private final PreparedStatement describeComments;
        private final PreparedStatement sizes;
        private SchemaSnapshot last;

        Reader(Connection c) throws SQLException {
            this(c, false);
        }

        private Reader(Connection c, boolean tracking) throws SQLException {
            connection = c;
            // The first transaction id not yet begun: rows written from now on have an xmin of at least this. A
            // transaction of our own that already wrote would write more under its older id, so it counts as begun.
            horizon = c.prepareStatement("select least(txid_snapshot_xmax(txid_current_snapshot()),"
                    + " txid_current_if_assigned())");
            query = c.prepareStatement(QUERY);
            // The same, and for the rest of the transaction the plan made once for all parameters: the server would
            // otherwise plan afresh for each oid array, which takes longer than running the plan.
            trackedHorizon = tracking ? c.prepareStatement("select least(txid_snapshot_xmax(txid_current_snapshot()),"
                    + " txid_current_if_assigned()), set_config('plan_cache_mode', 'force_generic_plan', true)") : null;
            changed = tracking ? c.prepareStatement(Tracking.CHANGED) : null;
            describeRelations = tracking ? c.prepareStatement(DESCRIBE_RELATIONS) : null;
            describeGlobals = tracking ? c.prepareStatement(DESCRIBE_GLOBALS) : null;
            describeComments = tracking ? c.prepareStatement(DESCRIBE_COMMENTS) : null;
            sizes = tracking ? c.prepareStatement(SIZES) : null;
        }

        /**
         * A reader that has the database record every DDL command's objects from now on ({@link Tracking}): only for
         * a throwaway database, as it adds event triggers (which needs a superuser) and a schema of its own.
         */
        static Reader tracking(Connection c) throws SQLException {
            Tracking.install(c);
            return new Reader(c, true);
        }

        SchemaSnapshot take() throws SQLException {
            if (changed == null || last == null) {
                last = SchemaSnapshot.take(query, horizon, last);
                return last;
            }
            SchemaSnapshot previous = last;
            last = null; // what changed is consumed below: if reading fails, the next snapshot starts afresh
            // One transaction, committed: a later rollback (Liquibase rolls back after checking preconditions)
            // must not bring back records already read. Snapshots are taken between changesets, when Liquibase
            // has nothing pending on the connection.
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try {
                last = takeTracked(previous);
                connection.commit();
            } finally {
                if (autoCommit) {
                    connection.setAutoCommit(true);
                }
            }
            return last;
        }

        /**
         * {@code snapshot} with the size of every table read now. A tracked snapshot reads the sizes of the tables it
         * describes afresh only (a new file is always among them); rewrites are told from a snapshot taken just
         * before a changeset, whose sizes must all be current for "an empty new file" to mean a truncation.
         */
        SchemaSnapshot withCurrentSizes(SchemaSnapshot snapshot) throws SQLException {
            if (sizes == null) {
                return snapshot;
            }
            Map<String, Storage> storage = new HashMap<>(snapshot.storage.size() * 2);
            sizes.setArray(1, connection.createArrayOf("bigint",
                    snapshot.storage.keySet().stream().map(Long::valueOf).toArray()));
            try (ResultSet rs = sizes.executeQuery()) {
                while (rs.next()) {
                    Storage known = snapshot.storage.get(rs.getString(1));
                    if (known != null && known.fileNode().equals(rs.getString(2))) {
                        storage.put(rs.getString(1), new Storage(known.relation(), known.fileNode(), rs.getLong(3)));
                    }
                }
            }
            if (storage.size() != snapshot.storage.size()) {
                // A table changed since the snapshot, which only its caller could have done: read everything.
                last = SchemaSnapshot.take(query, horizon, null);
                return last;
            }
            return snapshot == last ? (last = snapshot.withStorage(storage)) : snapshot.withStorage(storage);
        }

        private SchemaSnapshot takeTracked(SchemaSnapshot previous) throws SQLException {
            long newHorizon = readHorizon(trackedHorizon);
            Set<Long> dirty = new HashSet<>();
            boolean everything = false;
            boolean globals = false;
            boolean anyRecord = false;
            changed.setLong(1, previous.horizon);
            try (ResultSet rs = changed.executeQuery()) {
                while (rs.next()) {
                    String catalog = rs.getString(1);
                    long object = rs.getLong(2);
                    boolean dropped = rs.getBoolean(3);
                    boolean recorded = rs.getBoolean(4);
                    long relation = rs.getLong(5);
                    boolean mapped = !rs.wasNull();
                    anyRecord |= recorded;
                    if (catalog.equals(Tracking.GUARD)) {
                        everything |= object != Tracking.TRIGGERS; // disabled or dropped: nothing is recorded
                    } else if (catalog.isEmpty() || catalog.equals("pg_namespace") || catalog.equals("pg_extension")) {
                        // GRANT, REVOKE and ALTER DEFAULT PRIVILEGES name no object; a renamed schema renames
                        // everything in it; an extension takes objects in or lets them go.
                        everything = true;
                    } else if (mapped) {
                        dirty.add(relation);
                    } else if (dropped) {
                        // Gone from the catalog: what it belonged to is in the snapshot before. A part of a relation
                        // not there was made since, and its making named its relation.
                        Long owner = previous.ownerOf(catalog, object);
                        if (owner != null) {
                            dirty.add(owner);
                        } else if (catalog.equals("pg_type") || catalog.equals("pg_proc")) {
                            // A table's row type goes with the table; a type or function of the user's is described.
                            globals |= previous.byIdentity.containsKey((catalog.equals("pg_type") ? "type#"
                                    : "function#") + object);
                        } else {
                            globals |= !RELATION_PARTS.contains(catalog);
                        }
                    } else {
                        // Still there and part of no relation (a function, a type, a domain's constraint...), or
                        // a part of a relation made and dropped again since.
                        globals |= !RELATION_PARTS.contains(catalog) || catalog.equals("pg_constraint");
                    }
                }
            }
            if (everything) {
                return SchemaSnapshot.take(query, horizon, previous);
            }
            Map<String, Item> items = new HashMap<>(previous.items.size() * 2);
            for (Map.Entry<String, Item> e : previous.items.entrySet()) {
                Item i = e.getValue();
                boolean keep = i.owner() != 0 ? !dirty.contains(i.owner())
                        : i.kind().equals("comment") ? !anyRecord : !globals;
                if (keep) {
                    items.put(e.getKey(), i);
                }
            }
            Map<String, Storage> storage = new HashMap<>(previous.storage.size() * 2);
            previous.storage.forEach((oid, s) -> {
                if (!dirty.contains(Long.parseLong(oid))) {
                    storage.put(oid, s);
                }
            });
            if (!dirty.isEmpty()) {
                describeRelations.setLong(1, 0); // everything it reads is described afresh
                describeRelations.setArray(2, connection.createArrayOf("bigint", dirty.toArray()));
                try (ResultSet rs = describeRelations.executeQuery()) {
                    read(rs, null, items, storage);
                }
            }
            if (globals) {
                try (ResultSet rs = describeGlobals.executeQuery()) {
                    read(rs, null, items, storage);
                }
            }
            if (anyRecord) {
                try (ResultSet rs = describeComments.executeQuery()) {
                    read(rs, null, items, storage);
                }
            }
            return new SchemaSnapshot(items, storage, newHorizon);
        }

        @Override
        public void close() throws SQLException {
            horizon.close();
            query.close();
            for (PreparedStatement st : new PreparedStatement[] {trackedHorizon, changed, describeRelations,
                    describeGlobals, describeComments, sizes}) {
                if (st != null) {
                    st.close();
                }
            }
        }
    }

    /**
     * The file and size of the given tables (the user's tables of a snapshot), by oid: a table dropped since is
     * missing from the result, a table made since is not asked about.
     */
    private static final String SIZES = "select c.oid::text, pg_relation_filenode(c.oid)::text, pg_relation_size(c.oid)"
            + " from pg_class c where c.oid = any(?::bigint[]::oid[])";

    /**
     * What a DDL command changed, recorded by the database as it runs: event triggers on {@code ddl_command_end}
     * (the objects each command created or altered) and {@code sql_drop} (every object dropped, cascades included)
     * write them to a table, in the command's own transaction, so a rolled-back changeset leaves no record and a
     * changeset that commits statement by statement leaves one per statement. Commands that change a relation's
     * storage without being DDL of the event-trigger kind (TRUNCATE, CLUSTER, VACUUM FULL, REINDEX) write its
     * pg_class row, which {@link #CHANGED} finds by xmin. Commands on shared objects (roles, tablespaces) fire no
     * event trigger; a role's new name in an ACL stays as last read, as it does without tracking.
     */
    static final class Tracking {
        static final String SCHEMA = "dbdeploy_rehearsal";
        static final String GUARD = "guard";
        static final int TRIGGERS = 2;

        /**
         * Rows of (catalog, object, dropped, recorded, relation): each recorded object with the relation it belongs to (while
         * it still exists; null after a drop), every relation whose pg_class row changed since the horizon given,
         * and a guard row counting the two triggers still enabled. Reading the records deletes them.
         */
        static final String CHANGED = "with t as (delete from " + SCHEMA + ".touched returning classid, objid, dropped)"
                + " select coalesce(t.classid::regclass::text, ''), coalesce(t.objid, 0)::bigint, t.dropped, true,"
                + " case when not t.dropped then case t.classid"
                + " when 'pg_class'::regclass then coalesce((select i.indrelid from pg_index i"
                + " where i.indexrelid = t.objid), (select c.oid from pg_class c where c.oid = t.objid))"
                + " when 'pg_constraint'::regclass then (select nullif(co.conrelid, 0) from pg_constraint co"
                + " where co.oid = t.objid)"
                + " when 'pg_trigger'::regclass then (select tg.tgrelid from pg_trigger tg where tg.oid = t.objid)"
                + " when 'pg_rewrite'::regclass then (select rw.ev_class from pg_rewrite rw where rw.oid = t.objid)"
                + " when 'pg_policy'::regclass then (select p.polrelid from pg_policy p where p.oid = t.objid)"
                + " when 'pg_attrdef'::regclass then (select ad.adrelid from pg_attrdef ad where ad.oid = t.objid)"
                + " when 'pg_type'::regclass then (select nullif(ty.typrelid, 0) from pg_type ty where ty.oid = t.objid)"
                + " end end::bigint from t"
                + " union all select 'pg_class', c.oid::bigint, false, false, coalesce(i.indrelid, c.oid)::bigint"
                + " from pg_class c left join pg_index i on i.indexrelid = c.oid where c.xmin::text::bigint >= ?"
                + " union all select '" + GUARD + "', count(*), false, false, null from pg_event_trigger"
                + " where evtname in ('" + SCHEMA + "_ddl', '" + SCHEMA + "_drop') and evtenabled = 'A'";

        private Tracking() {
        }

        static void install(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("create schema if not exists " + SCHEMA);
                st.execute("create table if not exists " + SCHEMA + ".touched (classid oid, objid oid,"
                        + " dropped boolean not null)");
                // Security definer: a changeset that SET ROLEs to a role of the target's still records its DDL.
                for (String[] t : new String[][] {{"ddl", "ddl_command_end", "false", "pg_event_trigger_ddl_commands"},
                        {"drop", "sql_drop", "true", "pg_event_trigger_dropped_objects"}}) {
                    st.execute("create or replace function " + SCHEMA + "." + t[0] + "() returns event_trigger"
                            + " language plpgsql security definer set search_path = pg_catalog as $$ begin insert into "
                            + SCHEMA + ".touched select classid, objid, " + t[2] + " from " + t[3] + "(); end $$");
                    st.execute("drop event trigger if exists " + SCHEMA + "_" + t[0]);
                    st.execute("create event trigger " + SCHEMA + "_" + t[0] + " on " + t[1] + " execute function "
                            + SCHEMA + "." + t[0] + "()");
                    // Always: also under session_replication_role = replica, which a changeset may set.
                    st.execute("alter event trigger " + SCHEMA + "_" + t[0] + " enable always");
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    /** The catalogs of the parts of a relation, which a tracked snapshot reads with the relation. */
    private static final Set<String> RELATION_PARTS = Set.of("pg_class", "pg_constraint", "pg_trigger", "pg_rewrite",
            "pg_policy", "pg_attrdef");

    /** The relation an object of the user's belonged to, by its catalog and oid; null when it was none of ours. */
    private Long ownerOf(String catalog, long oid) {
        Item i = switch (catalog) {
            case "pg_class" -> byIdentity.getOrDefault("relation#" + oid, byIdentity.get("index#" + oid));
            case "pg_constraint" -> byIdentity.get("constraint#" + oid);
            case "pg_trigger" -> byIdentity.get("trigger#" + oid);
            case "pg_rewrite" -> byIdentity.get("rule#" + oid);
            case "pg_policy" -> byIdentity.get("policy#" + oid);
            case "pg_attrdef" -> null;
            default -> null;
        };
        return i != null ? Long.valueOf(i.owner()) : catalog.equals("pg_attrdef") ? defaultOwners.get(oid) : null;
    }

    private SchemaSnapshot withStorage(Map<String, Storage> sized) {
        return new SchemaSnapshot(items, sized, horizon);
    }

    private static long readHorizon(PreparedStatement horizonQuery) throws SQLException {
        try (ResultSet rs = horizonQuery.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A snapshot describing afresh only the tables, views, columns, constraints and indexes whose
     * catalog rows changed since {@code previous} (their xmin is newer), and taking the others' text from it. The
     * expensive part of a snapshot is that text (pg_get_viewdef, pg_get_indexdef, format_type...); a changeset
     * touches a few objects of a schema of thousands. Text that mentions another object's name (a view reading a
     * renamed column) may stay as it was, but the renamed object's own line changes, so two snapshots still differ
     * exactly when the schemas do.
     */
    private static SchemaSnapshot take(PreparedStatement query, PreparedStatement horizonQuery,
                                       SchemaSnapshot previous) throws SQLException {
        long horizon = readHorizon(horizonQuery);
        // Hash maps: a snapshot of a large schema has thousands of items, and only the few differing lines need order.
        Map<String, Item> items = new HashMap<>(previous == null ? 1024 : previous.items.size() * 2);
        Map<String, Storage> storage = new HashMap<>();
        query.setLong(1, previous == null ? 0 : previous.horizon);
        try (ResultSet rs = query.executeQuery()) {
            if (!read(rs, previous, items, storage)) {
                // not seen before although unchanged since: describe everything again
                return take(query, horizonQuery, null);
            }
        }
        return new SchemaSnapshot(items, storage, horizon);
    }

    /**
     * Adds the rows of a snapshot query to {@code items} and {@code storage}, with the text of rows unchanged since
     * {@code previous} taken from it; false when such a row is not in it.
     */
    private static boolean read(ResultSet rs, SchemaSnapshot previous, Map<String, Item> items,
                                Map<String, Storage> storage) throws SQLException {
        Map<String, TreeMap<Long, Item>> columnsByTable = new HashMap<>();
        while (rs.next()) {
            String kind = rs.getString(1);
            if (kind.equals("storage")) {
                storage.put(rs.getString(3), new Storage(rs.getString(2), rs.getString(4),
                        Long.parseLong(rs.getString(5))));
                continue;
            }
            String identity = rs.getString(3);
            String described = Objects.toString(rs.getString(4), "");
            String type = rs.getString(5);
            String defaultValue = rs.getString(7);
            if (!rs.getBoolean(9)) {
                Item known = previous.byIdentity.get(kind + "#" + identity);
                if (known == null) {
                    return false;
                }
                described = known.described();
                type = known.type();
                defaultValue = known.defaultValue();
            }
            long number = rs.getLong(10);
            boolean column = !rs.wasNull();
            Item i = new Item(kind, rs.getString(2), identity, described, described, type, rs.getBoolean(6),
                    defaultValue, rs.getString(8), rs.getLong(11), rs.getLong(12));
            if (column) {
                columnsByTable.computeIfAbsent(identity.substring(0, identity.indexOf(':')),
                        t -> new TreeMap<>()).put(number, i);
            } else {
                items.put(kind + " " + i.key(), i);
            }
        }
        for (TreeMap<Long, Item> columns : columnsByTable.values()) {
            int position = 0;
            for (Item i : columns.values()) {
                position++;
                String definition = "#" + position + (i.described().isEmpty() ? "" : " " + i.described());
                items.put(i.kind() + " " + i.key(), new Item(i.kind(), i.key(), i.identity(), definition, i.described(),
                        i.type(), i.notNull(), i.defaultValue(), i.relkind(), i.owner(), i.defaultOid()));
            }
        }
        return true;
    }

    /** The lines that differ from {@code other}, in key order: {@code - line} only here, {@code + line} only there. */
    List<String> diff(SchemaSnapshot other) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Item> e : new TreeMap<>(items).entrySet()) {
            Item there = other.items.get(e.getKey());
            if (there == null || !there.definition().equals(e.getValue().definition())) {
                out.add("- " + e.getValue().line());
            }
            if (there != null && !there.definition().equals(e.getValue().definition())) {
                out.add("+ " + there.line());
            }
        }
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, Item> e : other.items.entrySet()) {
            if (!items.containsKey(e.getKey())) {
                added.add("+ " + e.getValue().line());
            }
        }
        added.sort(null);
        out.addAll(added);
        return out;
    }

    /** The name of the relation with this oid, or null when it is not one of the user's. */
    String relationName(long oid) {
        Item i = byIdentity.get("relation#" + oid);
        return i == null ? null : i.key();
    }

    /** What a still-serving application would trip over, and whether stored data is gone, going to {@code after}. */
    Changes changesTo(SchemaSnapshot after) {
        List<ChangesetRehearsal.Breaking> breaking = new ArrayList<>();
        boolean dataLoss = false;
        List<String> rewrites = new ArrayList<>();
        for (Item before : new TreeMap<>(items).values()) {
            Item now = after.items.get(before.kind() + " " + before.key());
            Item sameObject = after.byIdentity.get(before.kind() + "#" + before.identity());
            switch (before.kind()) {
                case "relation" -> {
                    if (now == null && isReadByApplications(before.relkind())) {
                        String what = relkindName(before.relkind());
                        breaking.add(new ChangesetRehearsal.Breaking(before.key(), sameObject != null
                                ? what + " renamed to " + sameObject.key() : what + " dropped"));
                        dataLoss |= sameObject == null && isTable(before.relkind());
                    }
                }
                case "column" -> {
                    String table = before.key().substring(0, before.key().lastIndexOf('.'));
                    if (!after.items.containsKey("relation " + table) && after.byIdentity.get("relation#"
                            + before.identity().substring(0, before.identity().indexOf(':'))) == null) {
                        continue; // the whole relation went: reported once, above
                    }
                    if (now == null) {
                        if (sameObject != null) {
                            breaking.add(new ChangesetRehearsal.Breaking(before.key(), "column renamed to "
                                    + sameObject.key().substring(sameObject.key().lastIndexOf('.') + 1)));
                            now = sameObject;
                        } else {
                            breaking.add(new ChangesetRehearsal.Breaking(before.key(), "column dropped"));
                            dataLoss |= isTable(before.relkind());
                            continue;
                        }
                    }
                    if (!Objects.equals(before.type(), now.type())) {
                        breaking.add(new ChangesetRehearsal.Breaking(before.key(), "type changed from "
                                + before.type() + " to " + now.type()));
                        dataLoss |= isTable(before.relkind()) && !TypeWidening.isWidening(before.type(), now.type());
                    }
                    if (!before.notNull() && now.notNull()) {
                        breaking.add(new ChangesetRehearsal.Breaking(before.key(), "NOT NULL added"));
                    }
                    if (before.defaultValue() != null && now.defaultValue() == null) {
                        breaking.add(new ChangesetRehearsal.Breaking(before.key(), "default dropped"));
                    }
                }
                case "function" -> {
                    if (now == null) {
                        breaking.add(new ChangesetRehearsal.Breaking(before.key(), sameObject != null
                                ? "function renamed to " + sameObject.key() : "function dropped"));
                    }
                }
                default -> {
                    // Indexes, constraints, triggers and the rest change what the database allows or how fast,
                    // not what a serving application's queries can name.
                }
            }
        }
        for (Item now : after.items.values()) {
            if (now.kind().equals("column") && !items.containsKey("column " + now.key()) && isTable(now.relkind())
                    && now.notNull() && now.defaultValue() == null
                    && byIdentity.containsKey("relation#" + now.identity().substring(0, now.identity().indexOf(':')))
                    && byIdentity.get("column#" + now.identity()) == null) {
                breaking.add(new ChangesetRehearsal.Breaking(now.key(), "new NOT NULL column without default"));
            }
        }
        for (Map.Entry<String, Storage> e : storage.entrySet()) {
            Storage now = after.storage.get(e.getKey());
            if (now != null && !now.fileNode().equals(e.getValue().fileNode())) {
                rewrites.add(e.getValue().relation());
                // A table that had pages and now has an empty new file was truncated (or emptied by a rewrite).
                dataLoss |= e.getValue().bytes() > 0 && now.bytes() == 0;
            }
        }
        rewrites.sort(null);
        return new Changes(breaking, dataLoss, rewrites);
    }

    record Changes(List<ChangesetRehearsal.Breaking> breaking, boolean dataLoss, List<String> rewrites) {
    }

    private static boolean isReadByApplications(String relkind) {
        return isTable(relkind) || "v".equals(relkind) || "m".equals(relkind) || "f".equals(relkind);
    }

    private static boolean isTable(String relkind) {
        return "r".equals(relkind) || "p".equals(relkind);
    }

    private static String relkindName(String relkind) {
        return switch (relkind) {
            case "v" -> "view";
            case "m" -> "materialized view";
            case "f" -> "foreign table";
            default -> "table";
        };
    }

    int size() {
        return items.size();
    }
}
