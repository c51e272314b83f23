//! Functions in the dump that name a column a change renames or drops: the plan names each
//! function and line, and the contract gate asks the person to confirm they were changed.
//! Read the same from a schema file and from the live database it was loaded into.

mod common;

use bellows::plan::{Plan, StepKind};
use bellows::planner::{Options, plan};
use bellows::sql::QName;

const SCHEMA: &str = "
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);
CREATE FUNCTION users_normalize() RETURNS trigger LANGUAGE plpgsql AS $$
begin
  NEW.email := lower(NEW.email);
  return NEW;
end;
$$;
CREATE TRIGGER users_normalize BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_normalize();
CREATE FUNCTION user_count(domain text) RETURNS bigint LANGUAGE sql
  AS 'SELECT count(*) FROM users WHERE email LIKE ''%@'' || domain';
CREATE FUNCTION nothing_to_do() RETURNS int LANGUAGE sql AS 'SELECT 1';
";

fn gate_text(p: &Plan) -> String {
    p.steps
        .iter()
        .filter(|s| s.kind == StepKind::Gate)
        .filter_map(|s| s.gate.as_ref().map(|g| g.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn functions_naming_a_moved_or_dropped_column_are_named_in_the_gate() {
    let dir = std::env::temp_dir().join(format!("bellows-fn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let file = file.display().to_string();
    let from_file = bellows::catalog::load_file(&file).expect("schema loads");

    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "fns", &[file.as_str()]);
    let live = common::rt()
        .block_on(bellows::catalog::live::introspect_url(&url))
        .expect("introspect");
    let users = QName::public("users");
    assert_eq!(
        from_file.function_mentions(&users, "email"),
        live.function_mentions(&users, "email"),
        "file and server find the same lines"
    );

    for cat in [&from_file, &live] {
        let renamed = plan(
            "c.sql",
            "ALTER TABLE users RENAME COLUMN email TO email_address;",
            cat,
            &Options::default(),
        )
        .expect("plans");
        let text = gate_text(&renamed);
        assert!(
            text.contains("public.users_normalize (body line 3: `NEW.email := lower(NEW.email);`)"),
            "{text}"
        );
        assert!(text.contains("public.user_count (body line 1:"), "{text}");
        assert!(text.contains("to use `email_address`"), "{text}");
        assert!(!text.contains("nothing_to_do"), "{text}");
        assert!(
            renamed
                .warnings
                .iter()
                .any(|w| w.contains("users_normalize")),
            "{:?}",
            renamed.warnings
        );

        let moved = plan(
            "c.sql",
            "ALTER TABLE users RENAME TO accounts;",
            cat,
            &Options::default(),
        )
        .expect("plans");
        let text = gate_text(&moved);
        assert!(text.contains("public.user_count (body line 1:"), "{text}");
        assert!(text.contains("to use `accounts`"), "{text}");
        assert!(
            !text.contains("users_normalize"),
            "its body does not name the table: {text}"
        );

        let dropped = plan(
            "c.sql",
            "ALTER TABLE users DROP COLUMN name;",
            cat,
            &Options::default(),
        )
        .expect("plans");
        assert!(
            !gate_text(&dropped).contains("These functions"),
            "no function names `name`"
        );
    }

    // Replacing the function in the same change file, before the rename, is the way forward:
    // nothing is left to confirm.
    let fixed = plan(
        "c.sql",
        "CREATE OR REPLACE FUNCTION users_normalize() RETURNS trigger LANGUAGE plpgsql AS $$
         begin
           NEW.email_address := lower(NEW.email_address);
           return NEW;
         end;
         $$;
         CREATE OR REPLACE FUNCTION user_count(domain text) RETURNS bigint LANGUAGE sql
           AS 'SELECT count(*) FROM users WHERE email_address LIKE ''%@'' || domain';
         ALTER TABLE users RENAME COLUMN email TO email_address;",
        &from_file,
        &Options::default(),
    );
    let fixed = fixed.expect("plans");
    assert!(
        !gate_text(&fixed).contains("These functions"),
        "{}",
        gate_text(&fixed)
    );
}
