//! A column's default survives a type change: it is converted through the USING expression
//! (`rating text DEFAULT '0'` changed to integer used to get `SET DEFAULT '0'::text` on the
//! integer column, which failed after the gate; an enum default failed on text). Each plan
//! runs all the way on a real server, and a row inserted afterwards gets the default.

mod common;

const SCHEMA: &str = "
CREATE TYPE mood AS ENUM ('calm', 'tense');
CREATE TABLE reviews (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rating text NOT NULL DEFAULT '0',
    feeling mood NOT NULL DEFAULT 'calm',
    weight integer DEFAULT 1
);
INSERT INTO reviews (rating, feeling) SELECT (g % 5)::text, 'tense' FROM generate_series(1, 300) g;
";

#[test]
fn defaults_are_converted_through_the_using_expression() {
    let cluster = common::cluster();
    let dir = std::env::temp_dir().join(format!("bellows-defaults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let file = file.display().to_string();
    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    let changes = [
        (
            "rating",
            "-- bellows:down rating::text\nALTER TABLE reviews ALTER COLUMN rating TYPE integer USING rating::integer;",
        ),
        (
            "feeling",
            "-- bellows:down feeling::mood\nALTER TABLE reviews ALTER COLUMN feeling TYPE text USING feeling::text;",
        ),
    ];
    let rt = common::rt();
    for (i, (name, change)) in changes.iter().enumerate() {
        let plan =
            bellows::planner::plan(&format!("{name}.sql"), change, &cat, &Default::default())
                .expect("plans");
        let db = format!("defaults{i}");
        let url = common::fresh_db(&cluster, &db, &[file.as_str()]);
        rt.block_on(common::run_plan(&url, &plan, None))
            .unwrap_or_else(|e| panic!("{name}: the plan fails on the server: {e}"));
        let got = cluster
            .psql(
                &db,
                &format!(
                    "INSERT INTO reviews DEFAULT VALUES RETURNING {name}, pg_typeof({name})::text"
                ),
            )
            .expect("insert with the default");
        let want = if *name == "rating" {
            "0|integer"
        } else {
            "calm|text"
        };
        assert_eq!(got, want, "{name}");
    }
    // Every step of both plans also rolls back before contract.
    let all: Vec<(String, String)> = changes
        .iter()
        .map(|(n, t)| (format!("defaults/{n}.sql"), t.to_string()))
        .collect();
    let failures = common::exercise(&cluster, "dflt", &[file.as_str()], &cat, &all);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_default_the_using_expression_cannot_convert_is_refused_with_the_statement_to_write() {
    let cat = bellows::catalog::load_str("s.sql", SCHEMA).expect("schema loads");
    let err = bellows::planner::plan(
        "c.sql",
        "-- bellows:down rating::text\nALTER TABLE reviews ALTER COLUMN rating TYPE integer USING rating::integer * weight;",
        &cat,
        &Default::default(),
    )
    .expect_err("a default cannot read weight");
    let text = format!("{err} {}", err.hint().unwrap_or(""));
    assert!(
        text.contains("weight") && text.contains("DROP DEFAULT"),
        "{text}"
    );
}
