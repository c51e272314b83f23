//! Views and materialized views dropped and created again around a moved column: the
//! statements themselves, and one template that keeps what a `CREATE` does not say (owner,
//! grants with their grant options and the roles that made them, column grants, comments,
//! column defaults, triggers, rules, storage options) across the drop. The template reads
//! the old objects into a temporary table in the switch-over's transaction, replays them
//! onto the new ones, and fails the transaction (nothing changes) if any object ends up
//! different in any of those respects or in its indexes.

use crate::sql::{QName, quote_ident as q, quote_literal};

/// The temporary table that holds what is kept, dropped when the transaction ends.
const KEPT: &str = "\"bellows_kept_views\"";

/// What to do when a view cannot come back as it was.
const HINT: &str = "'owner, grants, comments, triggers, rules and indexes must come back the same; grants are made again by the owner or by the role that made them, so a chain of grant options deeper than one role may not come back: revoke those grants and make them again after this change, then run this step again'";

fn with(options: &[String]) -> String {
    if options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", options.join(", "))
    }
}

/// `CREATE VIEW v [WITH (options)] AS query`.
pub fn create_view(view: &QName, options: &[String], query: &str) -> String {
    format!("CREATE VIEW {}{} AS {query}", view.sql(), with(options))
}

/// `DROP VIEW v` (no `IF EXISTS`, no `CASCADE`: anything unexpected fails the transaction).
pub fn drop_view(view: &QName) -> String {
    format!("DROP VIEW {}", view.sql())
}

/// `CREATE MATERIALIZED VIEW m AS query WITH NO DATA` (filled by [`populate_like`]).
pub fn create_matview(view: &QName, query: &str) -> String {
    format!(
        "CREATE MATERIALIZED VIEW {} AS {query} WITH NO DATA",
        view.sql()
    )
}

/// Fill materialized view `view` when `like` holds data (one created `WITH NO DATA` stays
/// without, as it was).
pub fn populate_like(view: &QName, like: &QName) -> String {
    format!(
        "DO $bellows$ BEGIN IF (SELECT c.relispopulated FROM pg_catalog.pg_class c WHERE c.oid = {}::pg_catalog.regclass) THEN REFRESH MATERIALIZED VIEW {}; END IF; END $bellows$",
        quote_literal(&like.sql()),
        view.sql()
    )
}

/// `DROP MATERIALIZED VIEW m` (no `IF EXISTS`, no `CASCADE`).
pub fn drop_matview(view: &QName) -> String {
    format!("DROP MATERIALIZED VIEW {}", view.sql())
}

/// `ALTER MATERIALIZED VIEW m RENAME TO "to"`.
pub fn rename_matview(view: &QName, to: &str) -> String {
    format!("ALTER MATERIALIZED VIEW {} RENAME TO {}", view.sql(), q(to))
}

/// One text that describes everything kept about the relation `c` (a `pg_class` row):
/// compared before and after.
fn shape(c: &str) -> String {
    let grants = format!(
        "(SELECT pg_catalog.string_agg(x, ',' ORDER BY x) FROM (SELECT pg_catalog.format('%s>%s:%s%s', \
         pg_catalog.pg_get_userbyid(a.grantor), CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::pg_catalog.text END, \
         a.privilege_type, CASE WHEN a.is_grantable THEN '*' ELSE '' END) AS x \
         FROM pg_catalog.aclexplode(COALESCE({c}.relacl, pg_catalog.acldefault('r', {c}.relowner))) a) g)"
    );
    let columns = format!(
        "(SELECT pg_catalog.string_agg(pg_catalog.format('%s:%s:%s:%s', at.attname, \
         COALESCE(pg_catalog.col_description({c}.oid, at.attnum), '-'), COALESCE(at.attacl::pg_catalog.text, '-'), \
         COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '-')), ',' ORDER BY at.attnum) \
         FROM pg_catalog.pg_attribute at LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = at.attrelid AND d.adnum = at.attnum \
         WHERE at.attrelid = {c}.oid AND at.attnum > 0 AND NOT at.attisdropped)"
    );
    let triggers = format!(
        "(SELECT pg_catalog.string_agg(pg_catalog.pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::pg_catalog.text, ';' ORDER BY t.tgname) \
         FROM pg_catalog.pg_trigger t WHERE t.tgrelid = {c}.oid AND NOT t.tgisinternal)"
    );
    let rules = format!(
        "(SELECT pg_catalog.string_agg(pg_catalog.pg_get_ruledef(r.oid), ';' ORDER BY r.rulename) \
         FROM pg_catalog.pg_rewrite r WHERE r.ev_class = {c}.oid AND r.rulename <> '_RETURN')"
    );
    let indexes = format!(
        "(SELECT pg_catalog.string_agg(x, ';' ORDER BY x) FROM (SELECT pg_catalog.pg_get_indexdef(i.indexrelid) AS x \
         FROM pg_catalog.pg_index i WHERE i.indrelid = {c}.oid) ix)"
    );
    format!(
        "pg_catalog.concat_ws(E'\\n', 'owner ' || pg_catalog.pg_get_userbyid({c}.relowner), \
         'options ' || COALESCE(pg_catalog.array_to_string({c}.reloptions, ','), ''), \
         'grants ' || COALESCE({grants}, ''), \
         'comment ' || COALESCE(pg_catalog.obj_description({c}.oid, 'pg_class'), '-'), \
         'columns ' || COALESCE({columns}, ''), 'triggers ' || COALESCE({triggers}, ''), \
         'rules ' || COALESCE({rules}, ''), 'indexes ' || COALESCE({indexes}, ''))"
    )
}

/// The statements that give the relation `c` (named `rel`, of kind `kind`) back what it has,
/// in order: owner, options, grants (table, then column; the owner's, then those another role
/// made, made again by that role), comments, column defaults, triggers, rules.
fn restore() -> String {
    let to = "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END";
    let opt = "CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END";
    // A grant another role made is made again by that role (PostgreSQL 15 accepts GRANTED BY
    // only for the current user), then the role is set back.
    let by = |k: u8, grant: &str| {
        format!(
            "CASE WHEN a.grantor = c.relowner THEN {k} ELSE {} END, 0, CASE WHEN a.grantor = c.relowner THEN {grant} \
             ELSE pg_catalog.format('SET LOCAL ROLE %I; %s; SET LOCAL ROLE %I', pg_catalog.pg_get_userbyid(a.grantor), {grant}, current_user) END",
            k + 2
        )
    };
    let table_grant = format!(
        "pg_catalog.format('GRANT %s ON TABLE %s TO %s%s', a.privilege_type, rel, {to}, {opt})"
    );
    let column_grant = format!(
        "pg_catalog.format('GRANT %s (%I) ON TABLE %s TO %s%s', a.privilege_type, at.attname, rel, {to}, {opt})"
    );
    let cols = "pg_catalog.pg_attribute at WHERE at.attrelid = c.oid AND at.attnum > 0 AND NOT at.attisdropped";
    format!(
        "ARRAY(SELECT s FROM (\
         SELECT 1 AS k, 0 AS o, pg_catalog.format('ALTER %s %s OWNER TO %I', kind, rel, pg_catalog.pg_get_userbyid(c.relowner)) AS s \
         UNION ALL SELECT 2, 0, pg_catalog.format('ALTER %s %s SET (%s)', kind, rel, pg_catalog.array_to_string(c.reloptions, ', ')) WHERE c.reloptions IS NOT NULL \
         UNION ALL SELECT {table} FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee <> c.relowner \
         UNION ALL SELECT {column} \
           FROM pg_catalog.pg_attribute at CROSS JOIN LATERAL pg_catalog.aclexplode(at.attacl) a \
           WHERE at.attrelid = c.oid AND at.attnum > 0 AND NOT at.attisdropped \
         UNION ALL SELECT 7, 0, pg_catalog.format('COMMENT ON %s %s IS %L', kind, rel, pg_catalog.obj_description(c.oid, 'pg_class')) \
           WHERE pg_catalog.obj_description(c.oid, 'pg_class') IS NOT NULL \
         UNION ALL SELECT 8, at.attnum, pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', rel, at.attname, pg_catalog.col_description(c.oid, at.attnum)) \
           FROM {cols} AND pg_catalog.col_description(c.oid, at.attnum) IS NOT NULL \
         UNION ALL SELECT 9, d.adnum, pg_catalog.format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', rel, at.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid)) \
           FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_attribute at ON at.attrelid = d.adrelid AND at.attnum = d.adnum WHERE d.adrelid = c.oid \
         UNION ALL SELECT 10, 0, pg_catalog.pg_get_triggerdef(t.oid) FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal \
         UNION ALL SELECT 11, 0, pg_catalog.rtrim(pg_catalog.pg_get_ruledef(r.oid), ';') FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN' \
         ) x ORDER BY k, o, s)",
        table = by(3, &table_grant),
        column = by(4, &column_grant),
    )
}

/// Keep what `views` have beside their query, before they are dropped: the first statement
/// of the transaction that drops them.
pub fn keep(views: &[QName]) -> String {
    let list: Vec<String> = views
        .iter()
        .map(|v| format!("{}::pg_catalog.regclass", quote_literal(&v.sql())))
        .collect();
    format!(
        "CREATE TEMP TABLE {KEPT} ON COMMIT DROP AS SELECT rel, {shape} AS shape, {restore} AS restore \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, \
         LATERAL (SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS rel, \
         CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END AS kind) r \
         WHERE c.oid IN ({})",
        list.join(", "),
        shape = shape("c"),
        restore = restore(),
    )
}

/// Give the re-created views what [`keep`] kept.
pub fn restore_kept() -> String {
    format!(
        "DO $bellows$ DECLARE stmt text; BEGIN FOR stmt IN SELECT pg_catalog.unnest(restore) FROM {KEPT} ORDER BY rel LOOP \
         BEGIN EXECUTE stmt; EXCEPTION WHEN OTHERS THEN \
         RAISE EXCEPTION 'bellows: a re-created view cannot be given back what it had, so nothing was changed: %', SQLERRM \
         USING DETAIL = pg_catalog.format('while running: %s', stmt), HINT = {HINT}; END; \
         END LOOP; END $bellows$"
    )
}

/// Fail the transaction unless every re-created view has everything it had.
pub fn check_kept() -> String {
    format!(
        "DO $bellows$ DECLARE kept record; BEGIN FOR kept IN SELECT k.rel, k.shape AS before, {shape} AS after \
         FROM {KEPT} k JOIN pg_catalog.pg_class c ON c.oid = k.rel::pg_catalog.regclass LOOP \
         IF kept.before IS DISTINCT FROM kept.after THEN RAISE EXCEPTION 'bellows: % would not be re-created as it was, so nothing was changed', kept.rel \
         USING DETAIL = pg_catalog.format(E'before:\\n%s\\nafter:\\n%s', kept.before, kept.after), \
         HINT = {HINT}; \
         END IF; END LOOP; END $bellows$",
        shape = shape("c"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statements_quote_every_name() {
        let v = QName::new("Sales", "by day");
        assert_eq!(
            create_view(&v, &["security_invoker=true".into()], "SELECT 1"),
            r#"CREATE VIEW "Sales"."by day" WITH (security_invoker=true) AS SELECT 1"#
        );
        assert_eq!(drop_view(&v), r#"DROP VIEW "Sales"."by day""#);
        assert_eq!(
            rename_matview(&v, "by day next"),
            r#"ALTER MATERIALIZED VIEW "Sales"."by day" RENAME TO "by day next""#
        );
        assert!(keep(&[v]).contains(r#"'"Sales"."by day"'::pg_catalog.regclass"#));
    }
}
