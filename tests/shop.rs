//! A real `pg_dump --schema-only` (examples/schema/shop.sql) plans realistic changes, and
//! those plans run up and roll back on a server loaded from the same dump.

mod common;

const FILES: &[&str] = &[
    "examples/schema/setup-roles.sql",
    "examples/schema/shop.sql",
    "tests/fixtures/shop-seed.sql",
];

#[test]
fn changes_against_a_real_dump_plan_and_run() {
    let catalog = bellows::catalog::load_file("examples/schema/shop.sql").expect("shop.sql loads");
    assert!(catalog.tables.len() >= 16 && catalog.views.len() >= 3 && catalog.enums.len() == 1);
    let changes: Vec<(String, String)> = [
        ("rename-sku", "ALTER TABLE products RENAME COLUMN sku TO stock_code;"),
        ("widen-serial-pk", "ALTER TABLE addresses ALTER COLUMN id TYPE bigint;"),
        ("widen-identity-pk", "ALTER TABLE categories ALTER COLUMN id TYPE bigint;"),
        ("add-tier", "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';"),
        ("index-placed-at", "CREATE INDEX orders_placed_at_idx ON orders (placed_at);"),
        ("check-title", "ALTER TABLE reviews ADD CONSTRAINT reviews_title_length CHECK (length(title) > 3);"),
        ("rename-table", "ALTER TABLE billing.payments RENAME TO receipts;"),
        ("fk-and-index", "ALTER TABLE audit_log ADD COLUMN order_id bigint;\nALTER TABLE audit_log ADD CONSTRAINT audit_log_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id);"),
        ("enum-label", "ALTER TYPE order_status ADD VALUE 'on_hold' BEFORE 'paid';"),
        ("rename-composite-key-column", "ALTER TABLE order_items RENAME COLUMN line_no TO line_number;"),
        ("rename-referenced-primary-key", "ALTER TABLE warehouses RENAME COLUMN id TO warehouse_id;"),
        ("rename-around-views", "DROP VIEW public.order_summaries;\nDROP VIEW public.active_users;\nALTER TABLE users RENAME COLUMN email TO email_address;"),
        ("status-not-null", "-- bellows:fill 'pending'\nALTER TABLE orders ALTER COLUMN notes SET NOT NULL;"),
        // What the refusal for a column a view reads tells users to write: the views are
        // recreated only once the old ones are gone and the column has moved.
        ("recreate-views-around-a-rename", "DROP VIEW public.order_summaries;\nDROP VIEW public.active_users;\nALTER TABLE users RENAME COLUMN email TO email_address;\nCREATE VIEW public.active_users AS SELECT users.id, users.email_address, users.full_name, users.created_at FROM public.users WHERE users.is_active;"),
        ("recreate-a-view-around-a-type-change", "DROP VIEW public.order_summaries;\nDROP VIEW public.active_users;\nALTER TABLE users ALTER COLUMN full_name TYPE varchar(200);\nCREATE VIEW public.active_users AS SELECT users.id, users.email, users.full_name, users.created_at FROM public.users WHERE users.is_active;"),
    ]
    .iter()
    .map(|(n, t)| (format!("shop/{n}.sql"), t.to_string()))
    .collect();
    let cluster = common::cluster();
    let failures = common::exercise(&cluster, "shop", FILES, &catalog, &changes);
    assert!(
        failures.is_empty(),
        "{} change(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
