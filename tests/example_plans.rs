//! `plans/` holds the generated plan of every example change; this fails when one is stale.
//! Regenerate with `BELLOWS_UPDATE_PLANS=1 cargo test --test example_plans`.

mod common;

use common::examples;

#[test]
fn committed_example_plans_are_current() {
    let update = std::env::var("BELLOWS_UPDATE_PLANS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    let small = examples::changes()
        .into_iter()
        .map(|(stem, path)| (format!("plans/{stem}.toml"), examples::SCHEMA, path));
    let production = examples::production_changes()
        .into_iter()
        .map(|(stem, path)| {
            (
                format!("plans/production/{stem}.toml"),
                examples::PRODUCTION_SCHEMA,
                path,
            )
        });
    for (file, schema, path) in small.chain(production) {
        let fresh = examples::plan_against(schema, &path).to_toml();
        if update {
            std::fs::create_dir_all("plans/production").expect("plans/");
            std::fs::write(&file, &fresh).expect("write plan");
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(old) if old == fresh => {}
            Ok(_) => stale.push(format!(
                "{file} differs from what `bellows plan {path}` generates now"
            )),
            Err(_) => stale.push(format!("{file} is missing")),
        }
        // Committed plans must load (hash, dependencies, phases all valid).
        if let Err(e) = bellows::plan::load_file(&file) {
            stale.push(format!("{file} does not load: {e}"));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nregenerate with: BELLOWS_UPDATE_PLANS=1 cargo test --test example_plans",
        stale.join("\n")
    );
}
