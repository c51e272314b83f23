//! The catalog queries: one per object family, each over every user relation at once
//! (the relation oids go in as one `oid[]` bind parameter), so introspection costs the
//! same dozen round trips for ten tables or ten thousand.
//!
//! Every name is schema-qualified with `pg_catalog` and the session runs with an empty
//! `search_path`, so `format_type()` and `pg_get_expr()` qualify user names like pg_dump.
//! The few fragments that vary are chosen by server version; none carries user data.

/// Columns that depend on the server version.
#[derive(Debug, Clone, Copy)]
pub(super) struct Version(pub u32);

/// A schema that is not a system one (`pg_catalog`, `pg_toast`, `pg_temp_N`,
/// `pg_toast_temp_N`, `information_schema`) nor bellows' own (`bellows`: run state, and the
/// rows a data fix-up saved). Names starting `pg_` are reserved.
pub(super) const USER_SCHEMA: &str =
    "n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'bellows')";

/// Not a member of an extension: `{class}` is a catalog, `{oid}` the object's oid.
pub(super) fn not_extension(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
         WHERE e.classid = 'pg_catalog.{class}'::pg_catalog.regclass \
         AND e.objid = {oid} AND e.deptype = 'e')"
    )
}

/// Makes `search_path` empty for the session, as pg_dump does.
pub(super) const CLEAR_SEARCH_PATH: &str = "SELECT pg_catalog.set_config('search_path', '', false)";

/// The server version as a number (e.g. 150018).
pub(super) const SERVER_VERSION: &str =
    "SELECT pg_catalog.current_setting('server_version_num')::pg_catalog.int4 AS v";

/// Starts the read-only snapshot all queries share (when the caller has no transaction open).
pub(super) const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

impl Version {
    /// User schemas (including `public`).
    pub(super) fn schemas(self) -> String {
        format!(
            "SELECT n.nspname::pg_catalog.text AS name FROM pg_catalog.pg_namespace n \
             WHERE {USER_SCHEMA} AND {}",
            not_extension("pg_namespace", "n.oid")
        )
    }

    /// Tables, views, materialized views and sequences in user schemas.
    pub(super) fn relations(self) -> String {
        format!(
            "SELECT c.oid AS oid, n.nspname::pg_catalog.text AS schema, \
                    c.relname::pg_catalog.text AS name, c.relkind::pg_catalog.text AS kind, \
                    c.reltuples::pg_catalog.float8 AS reltuples, \
                    c.relrowsecurity AS row_security, \
                    CASE WHEN c.relkind IN ('v', 'm') \
                         THEN pg_catalog.pg_get_viewdef(c.oid, false) END AS definition, \
                    c.reloptions::pg_catalog.text[] AS options, \
                    pg_catalog.obj_description(c.oid, 'pg_class') AS comment, \
                    c.relreplident::pg_catalog.text AS replident, \
                    (SELECT ri.relname::pg_catalog.text FROM pg_catalog.pg_index i \
                     JOIN pg_catalog.pg_class ri ON ri.oid = i.indexrelid \
                     WHERE i.indrelid = c.oid AND i.indisreplident) AS replident_index, \
                    (SELECT NULLIF(s.seqincrement, 1) FROM pg_catalog.pg_sequence s \
                     WHERE s.seqrelid = c.oid) AS seq_increment, \
                    (SELECT NULLIF(pg_catalog.format_type(s.seqtypid, NULL), 'bigint') \
                     FROM pg_catalog.pg_sequence s WHERE s.seqrelid = c.oid) AS seq_type \
             FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND {USER_SCHEMA} AND {}",
            not_extension("pg_class", "c.oid")
        )
    }

    /// Table privileges of the tables in `$1` granted to roles other than the owner
    /// (`grantee` NULL: PUBLIC).
    pub(super) fn grants(self) -> String {
        "SELECT c.oid AS rel, r.rolname::pg_catalog.text AS grantee, \
                a.privilege_type::pg_catalog.text AS privilege \
         FROM pg_catalog.pg_class c \
         CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a \
         LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee \
         WHERE c.oid = ANY($1) AND a.grantee <> c.relowner"
            .to_string()
    }

    /// Columns of the tables in `$1`.
    pub(super) fn columns(self) -> String {
        let generated = if self.0 >= 12 {
            "a.attgenerated::pg_catalog.text"
        } else {
            "''::pg_catalog.text"
        };
        format!(
            "SELECT a.attrelid AS rel, a.attname::pg_catalog.text AS name, \
                    pg_catalog.format_type(a.atttypid, a.atttypmod) AS ty, \
                    a.attnotnull AS not_null, \
                    pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, \
                    a.attidentity::pg_catalog.text AS identity, \
                    {generated} AS generated, \
                    CASE WHEN a.attcollation <> ty.typcollation THEN {collation} END AS collation, \
                    pg_catalog.col_description(a.attrelid, a.attnum) AS comment, \
                    {stats} AS statistics, \
                    CASE WHEN a.attstorage <> ty.typstorage THEN a.attstorage::pg_catalog.text END AS storage, \
                    {compression} AS compression \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid \
             LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
             WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attrelid, a.attnum",
            collation = collation_name("a.attcollation"),
            stats = stattarget("a"),
            compression = if self.0 >= 14 {
                "NULLIF(a.attcompression::pg_catalog.text, '')"
            } else {
                "NULL::pg_catalog.text"
            },
        )
    }

    /// PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY and EXCLUDE constraints of the tables in `$1`.
    pub(super) fn constraints(self) -> String {
        let nulls_not_distinct = if self.0 >= 15 {
            "COALESCE(i.indnullsnotdistinct, false)"
        } else {
            "false"
        };
        format!(
            "SELECT c.conrelid AS rel, c.conname::pg_catalog.text AS name, \
                    c.contype::pg_catalog.text AS kind, c.convalidated AS validated, \
                    {cols} AS columns, \
                    rn.nspname::pg_catalog.text AS ref_schema, r.relname::pg_catalog.text AS ref_name, \
                    {ref_cols} AS ref_columns, \
                    c.confdeltype::pg_catalog.text AS on_delete, \
                    c.confupdtype::pg_catalog.text AS on_update, \
                    pg_catalog.pg_get_constraintdef(c.oid) AS definition, \
                    {nulls_not_distinct} AS nulls_not_distinct, \
                    c.condeferrable AS deferrable, c.condeferred AS deferred, \
                    c.confmatchtype::pg_catalog.text AS match_type, \
                    {set_cols} AS delete_set_columns, \
                    ARRAY(SELECT a.attname::pg_catalog.text \
                          FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(num, ord) \
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num \
                          WHERE k.ord > {nkey} ORDER BY k.ord) AS include, \
                    COALESCE(ic.reloptions, '{{}}')::pg_catalog.text[] AS with_options, \
                    pg_catalog.obj_description(c.oid, 'pg_constraint') AS comment \
             FROM pg_catalog.pg_constraint c \
             LEFT JOIN pg_catalog.pg_class r ON r.oid = c.confrelid \
             LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace \
             LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.conindid AND c.contype IN ('p', 'u') \
             LEFT JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
             WHERE c.conrelid = ANY($1) AND c.contype IN ('p', 'u', 'c', 'f', 'x') \
               AND NOT (c.conparentid <> 0 AND c.conrelid = \
                        (SELECT p.conrelid FROM pg_catalog.pg_constraint p WHERE p.oid = c.conparentid)) \
             ORDER BY c.conrelid, c.conname",
            cols = attnames("c.conkey", "c.conrelid"),
            ref_cols = attnames("c.confkey", "c.confrelid"),
            set_cols = if self.0 >= 15 {
                attnames("c.confdelsetcols", "c.conrelid")
            } else {
                "'{}'::pg_catalog.text[]".to_string()
            },
            nkey = self.key_columns(),
        )
    }

    /// `pg_index`'s number of key columns (INCLUDE columns follow them).
    fn key_columns(self) -> &'static str {
        if self.0 >= 11 {
            "i.indnkeyatts"
        } else {
            "i.indnatts"
        }
    }

    /// Indexes of the tables in `$1`, except those that back EXCLUDE constraints.
    pub(super) fn indexes(self) -> String {
        let nkey = self.key_columns();
        let nulls_not_distinct = if self.0 >= 15 {
            "i.indnullsnotdistinct"
        } else {
            "false"
        };
        format!(
            "SELECT i.indrelid AS rel, i.indexrelid AS idx, c.relname::pg_catalog.text AS name, \
                    i.indisunique AS is_unique, am.amname::pg_catalog.text AS method, \
                    i.indisvalid AS valid, {nkey}::pg_catalog.int4 AS nkey, \
                    pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate, \
                    {nulls_not_distinct} AS nulls_not_distinct, \
                    COALESCE(c.reloptions, '{{}}')::pg_catalog.text[] AS with_options, \
                    (SELECT con.conname::pg_catalog.text FROM pg_catalog.pg_constraint con \
                      WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
                        AND con.contype IN ('p', 'u') \
                      ORDER BY con.conname LIMIT 1) AS constraint_name, \
                    pg_catalog.obj_description(i.indexrelid, 'pg_class') AS comment \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
             JOIN pg_catalog.pg_am am ON am.oid = c.relam \
             WHERE i.indrelid = ANY($1) \
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint x \
                               WHERE x.conrelid = i.indrelid AND x.conindid = i.indexrelid \
                                 AND x.contype = 'x') \
             ORDER BY i.indrelid, c.relname"
        )
    }

    /// Every column of every index of the tables in `$1` (keys first, then INCLUDE columns),
    /// one row each. Expression keys are deparsed like pg_dump (not pretty-printed).
    pub(super) fn index_columns(self) -> String {
        format!(
            "SELECT i.indexrelid AS idx, k.ord::pg_catalog.int4 AS position, \
                k.attnum::pg_catalog.int4 AS attnum, a.attname::pg_catalog.text AS column_name, \
                CASE WHEN k.attnum = 0 \
                     THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::pg_catalog.int4, false) \
                END AS expr, \
                opc.opcname::pg_catalog.text AS opclass, opc.opcdefault AS opclass_default, \
                COALESCE(k.opt, 0)::pg_catalog.int4 AS options, \
                CASE WHEN k.coll <> 0 AND k.coll <> COALESCE(a.attcollation, ity.typcollation) \
                     THEN {collation} END AS collation, \
                {stats} AS statistics \
         FROM pg_catalog.pg_index i \
         CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(i.indkey::pg_catalog.int2[]), \
                                       pg_catalog.unnest(i.indclass::pg_catalog.oid[]), \
                                       pg_catalog.unnest(i.indoption::pg_catalog.int2[]), \
                                       pg_catalog.unnest(i.indcollation::pg_catalog.oid[])) \
                    WITH ORDINALITY AS k(attnum, opclass, opt, coll, ord) \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
         JOIN pg_catalog.pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.ord \
         JOIN pg_catalog.pg_type ity ON ity.oid = ia.atttypid \
         LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = k.opclass \
         WHERE i.indrelid = ANY($1) \
         ORDER BY i.indexrelid, k.ord",
            collation = collation_name("k.coll"),
            stats = stattarget("ia"),
        )
    }

    /// User-defined (not internal) triggers of the tables in `$1`.
    pub(super) fn triggers(self) -> String {
        format!(
            "SELECT t.tgrelid AS rel, t.tgname::pg_catalog.text AS name, \
                    pn.nspname::pg_catalog.text AS fn_schema, p.proname::pg_catalog.text AS fn_name, \
                    {cols} AS update_columns, t.tgenabled::pg_catalog.text AS enabled \
             FROM pg_catalog.pg_trigger t \
             JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid \
             JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
             WHERE t.tgrelid = ANY($1) AND NOT t.tgisinternal \
             ORDER BY t.tgrelid, t.tgname",
            cols = attnames("t.tgattr::pg_catalog.int2[]", "t.tgrelid"),
        )
    }

    /// What the rewrite rules of the views in `$1` depend on in `pg_class`: a relation
    /// (`attnum` 0) or one of its columns.
    pub(super) fn view_dependencies(self) -> String {
        "SELECT DISTINCT rw.ev_class AS view, d.refobjid AS rel, \
                a.attname::pg_catalog.text AS column_name \
         FROM pg_catalog.pg_rewrite rw \
         JOIN pg_catalog.pg_depend d \
           ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = rw.oid \
         LEFT JOIN pg_catalog.pg_attribute a \
           ON d.refobjsubid > 0 AND a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
         WHERE rw.ev_class = ANY($1) \
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
           AND d.refobjid <> rw.ev_class"
            .to_string()
    }

    /// Row-level-security policies of the tables in `$1`; `roles` leaves out PUBLIC (oid 0)
    /// and is sorted.
    pub(super) fn policies(self) -> String {
        "SELECT p.polrelid AS rel, p.polname::pg_catalog.text AS name, \
                p.polpermissive AS permissive, p.polcmd::pg_catalog.text AS command, \
                ARRAY(SELECT pg_catalog.pg_get_userbyid(r)::pg_catalog.text \
                      FROM pg_catalog.unnest(p.polroles) AS r WHERE r <> 0 ORDER BY 1) AS roles, \
                pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr, \
                pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr \
         FROM pg_catalog.pg_policy p \
         WHERE p.polrelid = ANY($1) \
         ORDER BY p.polrelid, p.polname"
            .to_string()
    }

    /// The table column that owns each sequence in `$1` (serial: `a`, identity: `i`).
    pub(super) fn sequence_owners(self) -> String {
        "SELECT d.objid AS seq, n.nspname::pg_catalog.text AS schema, \
                c.relname::pg_catalog.text AS name, a.attname::pg_catalog.text AS column_name \
         FROM pg_catalog.pg_depend d \
         JOIN pg_catalog.pg_class c ON c.oid = d.refobjid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
         WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = ANY($1) \
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
           AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') \
         ORDER BY d.objid"
            .to_string()
    }

    /// Enum types and their labels in sort order.
    pub(super) fn enums(self) -> String {
        format!(
            "SELECT n.nspname::pg_catalog.text AS schema, t.typname::pg_catalog.text AS name, \
                    ARRAY(SELECT e.enumlabel::pg_catalog.text FROM pg_catalog.pg_enum e \
                          WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels \
             FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'e' AND {USER_SCHEMA} AND {}",
            not_extension("pg_type", "t.oid")
        )
    }

    /// Domains and their base types.
    pub(super) fn domains(self) -> String {
        format!(
            "SELECT n.nspname::pg_catalog.text AS schema, t.typname::pg_catalog.text AS name, \
                    pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base \
             FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'd' AND {USER_SCHEMA} AND {}",
            not_extension("pg_type", "t.oid")
        )
    }

    /// Functions and procedures (not aggregates or window functions).
    pub(super) fn functions(self) -> String {
        let kind = if self.0 >= 11 {
            "p.prokind IN ('f', 'p')"
        } else {
            "NOT p.proisagg AND NOT p.proiswindow"
        };
        format!(
            "SELECT DISTINCT n.nspname::pg_catalog.text AS schema, p.proname::pg_catalog.text AS name \
             FROM pg_catalog.pg_proc p \
             JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             WHERE {kind} AND {USER_SCHEMA} AND {}",
            not_extension("pg_proc", "p.oid")
        )
    }
}

/// The collation with oid `oid` as the file loader spells it: quoted where needed,
/// schema-qualified unless it is in `pg_catalog`.
fn collation_name(oid: &str) -> String {
    format!(
        "(SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN pg_catalog.quote_ident(co.collname) \
                 ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END \
          FROM pg_catalog.pg_collation co \
          JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = {oid})"
    )
}

/// The statistics target of `pg_attribute` row `a`, NULL when it is the default (-1 before
/// PostgreSQL 17, NULL since).
fn stattarget(a: &str) -> String {
    format!("NULLIF({a}.attstattarget::pg_catalog.int4, -1)")
}

/// `ARRAY` of the names of the columns numbered in `array` (an `int2[]`) of relation `rel`,
/// in array order.
fn attnames(array: &str, rel: &str) -> String {
    format!(
        "ARRAY(SELECT a.attname::pg_catalog.text \
               FROM pg_catalog.unnest({array}) WITH ORDINALITY AS k(num, ord) \
               JOIN pg_catalog.pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num \
               ORDER BY k.ord)"
    )
}
