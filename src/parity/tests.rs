//! Each kind of difference found on small catalogs, and nothing found on equal ones.

use super::*;
use crate::catalog::{self, Catalog, ConstraintKind, Deferral, ReplicaIdentity};
use crate::sql::QName;

const BASE: &str = "
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE SEQUENCE counter;
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x');
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  account_id bigint REFERENCES accounts (id),
  total numeric CHECK (total > 0),
  note text
);
CREATE INDEX orders_note_idx ON orders (note) WHERE note IS NOT NULL;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON orders USING (account_id = 1);
";

fn base() -> Catalog {
    catalog::load_str("base.sql", BASE).expect("the base schema loads")
}

fn q(n: &str) -> QName {
    QName::public(n)
}

#[test]
fn equal_catalogs_are_identical() {
    let r = compare(&base(), &base());
    assert!(r.is_identical(), "{r:#?}");
    assert_eq!(r.len(), 0);
}

#[test]
fn every_kind_is_found_and_names_its_object() {
    let a = base();
    let mut b = base();
    let orders = b.tables.get_mut(&q("orders")).expect("orders");
    orders.indexes.remove("orders_note_idx");
    orders.row_security = false;
    orders.replica_identity = ReplicaIdentity::Full;
    orders.comment = Some("hi".into());
    orders
        .grants
        .insert("PUBLIC".into(), ["SELECT".to_string()].into());
    orders.triggers.remove("orders_touch");
    orders.policies.get_mut("mine").expect("policy").using = Some("account_id = 2".into());
    let total = orders.column_mut("total").expect("total");
    total.ty = "integer".into();
    total.not_null = true;
    total.collation = Some("\"C\"".into());
    let con = orders
        .constraints
        .get_mut("orders_total_check")
        .expect("check");
    con.kind = ConstraintKind::Check {
        expr: "total > 1".into(),
    };
    con.validated = false;
    let fk = orders
        .constraints
        .get_mut("orders_account_id_fkey")
        .expect("fk");
    if let ConstraintKind::ForeignKey { deferral, .. } = &mut fk.kind {
        *deferral = Deferral::Deferred;
    }
    let accounts = b.tables.get_mut(&q("accounts")).expect("accounts");
    accounts.column_mut("name").expect("name").default = Some("'y'".into());
    accounts
        .indexes
        .get_mut("accounts_pkey")
        .expect("pkey")
        .valid = false;
    b.enums
        .get_mut(&q("mood"))
        .expect("mood")
        .push("happy".into());
    b.sequences.get_mut(&q("counter")).expect("seq").increment = Some(2);
    b.function_bodies
        .insert(q("touch"), vec!["BEGIN END".into()]);
    b.domains.insert(q("posint"), "bigint".into());
    b.extensions.insert("pgcrypto".into(), String::new());
    b.schemas.insert("extra".into());

    let r = compare(&a, &b);
    let expect = [
        ("public.orders.orders_note_idx", Kind::Presence),
        ("public.orders", Kind::RowSecurity),
        ("public.orders", Kind::ReplicaIdentity),
        ("public.orders", Kind::Comment),
        ("public.orders", Kind::Grants),
        ("public.orders.orders_touch", Kind::Presence),
        ("public.orders.mine", Kind::PolicyDefinition),
        ("public.orders.total", Kind::ColumnType),
        ("public.orders.total", Kind::Nullability),
        ("public.orders.total", Kind::Collation),
        (
            "public.orders.orders_total_check",
            Kind::ConstraintDefinition,
        ),
        ("public.orders.orders_total_check", Kind::Validated),
        ("public.orders.orders_account_id_fkey", Kind::Deferrable),
        ("public.accounts.name", Kind::Default),
        ("public.accounts.accounts_pkey", Kind::IndexValid),
        ("public.mood", Kind::EnumLabels),
        ("public.counter", Kind::SequenceIncrement),
        ("public.touch", Kind::FunctionBody),
        ("public.posint", Kind::DomainType),
        ("pgcrypto", Kind::Presence),
        ("extra", Kind::Presence),
    ];
    for (name, kind) in expect {
        assert!(r.has(name, kind), "{name} {kind:?} not reported: {r:#?}");
    }
    assert_eq!(r.len(), expect.len(), "{r:#?}");
    let missing = Object::new(ObjectType::Index, "public.orders.orders_note_idx");
    assert_eq!(r.objects[&missing][0].change, Change::OnlyInA);
}

#[test]
fn a_partial_predicate_and_a_view_query_are_compared() {
    let mut a = base();
    let mut b = base();
    b.tables
        .get_mut(&q("orders"))
        .and_then(|t| t.indexes.get_mut("orders_note_idx"))
        .expect("index")
        .predicate = Some("note <> ''".into());
    // Two servers: the view's query text itself.
    a.server_version = Some(16);
    b.server_version = Some(16);
    b.views.get_mut(&q("big_orders")).expect("view").definition = Some("SELECT 1".into());
    let r = compare(&a, &b);
    assert!(
        r.has("public.orders.orders_note_idx", Kind::IndexPredicate),
        "{r:#?}"
    );
    assert!(r.has("public.big_orders", Kind::ViewDefinition), "{r:#?}");
}

#[test]
fn server_versions_and_extension_versions_are_compared_when_known() {
    let mut a = base();
    let mut b = base();
    a.server_version = Some(16);
    b.server_version = Some(16);
    a.server_version_num = Some(160_002);
    b.server_version_num = Some(160_004);
    a.extensions.insert("citext".into(), "1.6".into());
    b.extensions.insert("citext".into(), "1.5".into());
    // A file does not know the version: names only.
    a.extensions.insert("pgcrypto".into(), String::new());
    b.extensions.insert("pgcrypto".into(), "1.3".into());
    let r = compare(&a, &b);
    assert!(r.has("server", Kind::ServerMinor), "{r:#?}");
    assert!(r.has("citext", Kind::ExtensionVersion), "{r:#?}");
    assert!(!r.has("pgcrypto", Kind::ExtensionVersion), "{r:#?}");
    assert_eq!(r.len(), 2);
}

#[test]
fn spelling_of_a_literal_default_and_outer_parentheses_is_not_a_difference() {
    let a = base();
    let mut b = base();
    let orders = b.tables.get_mut(&q("orders")).expect("orders");
    if let Some(c) = orders.constraints.get_mut("orders_total_check") {
        c.kind = ConstraintKind::Check {
            expr: "((total > 0))".into(),
        };
    }
    let name = b
        .tables
        .get_mut(&q("accounts"))
        .and_then(|t| t.column_mut("name"))
        .expect("name");
    name.default = Some("'x'::text".into());
    let r = compare(&a, &b);
    assert!(r.is_identical(), "{r:#?}");
}

#[test]
fn renderings_list_every_difference_and_json_parses() {
    let a = base();
    let mut b = base();
    b.tables.remove(&q("accounts"));
    b.schemas.insert("extra".into());
    let r = compare(&a, &b);
    let t = render::text(&r, "one", "two");
    assert!(t.contains("table public.accounts\n  only in A"), "{t}");
    assert!(t.contains("schema extra\n  only in B"), "{t}");
    let md = render::markdown(&r, "one", "two");
    assert!(md.contains("| table public.accounts | only in A |"), "{md}");
    let j: serde_json::Value = serde_json::from_str(&render::json(&r, "one", "two")).expect("json");
    assert_eq!(j["identical"], false);
    assert_eq!(j["count"], r.len());
    let first = &j["differences"][0];
    assert_eq!(first["object"]["type"], "schema");
    assert_eq!(first["change"], "only_in_b");
}

#[test]
fn a_files_guess_at_a_builtin_trigger_function_matches_the_servers_name() {
    let a = base();
    let mut b = base();
    b.server_version = Some(16);
    let mut guessed = base();
    for cat in [&mut b, &mut guessed] {
        let t = cat.tables.get_mut(&q("orders")).expect("orders");
        let trg = t.triggers.get_mut("orders_touch").expect("trigger");
        trg.function = if cat.server_version.is_some() {
            QName::new("pg_catalog", "tsvector_update_trigger")
        } else {
            q("tsvector_update_trigger")
        };
    }
    let r = compare(&guessed, &b);
    assert!(
        !r.has("public.orders.orders_touch", Kind::TriggerDefinition),
        "{r:#?}"
    );
    // A function the file defines is not a guess: calling another one is a difference.
    let r = compare(&a, &b);
    assert!(
        r.has("public.orders.orders_touch", Kind::TriggerDefinition),
        "{r:#?}"
    );
}

#[test]
fn a_files_extensions_are_named_without_versions_and_compared_by_name() {
    let file = catalog::load_str(
        "ext.sql",
        "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;\n\
         CREATE EXTENSION citext;\nDROP EXTENSION citext;",
    )
    .expect("loads");
    assert_eq!(
        file.extensions.iter().collect::<Vec<_>>(),
        [(&"pgcrypto".to_string(), &String::new())]
    );
    let mut server = file.clone();
    server.extensions.insert("pgcrypto".into(), "1.3".into());
    assert!(compare(&file, &server).is_identical());
    server.extensions.clear();
    assert!(compare(&file, &server).has("pgcrypto", Kind::Presence));
}
