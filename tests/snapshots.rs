//! Snapshot of every recipe's plan (TOML) and review document (Markdown).

mod common;

use bellows::plan::render::{self, Format};
use common::examples;

#[test]
fn every_example_plan_matches_its_snapshot() {
    for (stem, path) in examples::changes() {
        let plan = examples::plan(&path);
        insta::assert_snapshot!(format!("{stem}.toml"), plan.to_toml());
        insta::assert_snapshot!(
            format!("{stem}.md"),
            render::render(&plan, Format::Markdown)
        );
    }
}
