//! The book stays whole: every SUMMARY link resolves, every page is listed, and every recipe
//! (one file in src/planner/recipes) has its page.

use std::collections::BTreeSet;

fn summary_links() -> Vec<String> {
    let summary = std::fs::read_to_string("book/src/SUMMARY.md").expect("book/src/SUMMARY.md");
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|l| l.split('#').next().unwrap_or(l).to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn every_summary_link_resolves_and_every_page_is_listed() {
    let links: BTreeSet<String> = summary_links().into_iter().collect();
    assert!(
        links.len() >= 10,
        "the book has an introduction, concepts, recipes, plan format, directives"
    );
    for l in &links {
        assert!(
            std::path::Path::new("book/src").join(l).is_file(),
            "SUMMARY.md links to missing {l}"
        );
    }
    let mut pages = Vec::new();
    for dir in [
        "book/src",
        "book/src/recipes",
        "book/src/rules",
        "book/src/operating",
    ] {
        for e in std::fs::read_dir(dir).expect("book dir").flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "md")
                && p.file_name().is_some_and(|f| f != "SUMMARY.md")
            {
                pages.push(
                    p.strip_prefix("book/src")
                        .expect("prefix")
                        .to_string_lossy()
                        .to_string(),
                );
            }
        }
    }
    for p in pages {
        assert!(links.contains(&p), "{p} is not listed in SUMMARY.md");
    }
}

#[test]
fn every_recipe_has_a_book_page() {
    // Recipe file → its page. A new recipe file fails here until it is documented.
    let pages = [
        ("add_column", "recipes/add-column.md"),
        ("alter_type", "recipes/change-type.md"),
        ("annotate", "recipes/catalog-only.md"),
        ("constraint", "recipes/add-foreign-key.md"),
        ("create_table", "recipes/simple-changes.md"),
        ("default", "recipes/simple-changes.md"),
        ("drop", "recipes/drop-column-table.md"),
        ("drop_not_null", "recipes/simple-changes.md"),
        ("enum_value", "recipes/simple-changes.md"),
        ("grant", "recipes/catalog-only.md"),
        ("identity", "recipes/simple-changes.md"),
        ("index", "recipes/create-index.md"),
        ("new_object", "recipes/simple-changes.md"),
        ("policy", "recipes/simple-changes.md"),
        ("raw", "recipes/catalog-only.md"),
        ("rename_column", "recipes/rename-column.md"),
        ("rename_object", "recipes/catalog-only.md"),
        ("rename_table", "recipes/rename-table.md"),
        ("rewrite", "recipes/no-safe-path.md"),
        ("sequence", "recipes/catalog-only.md"),
        ("set_not_null", "recipes/set-not-null.md"),
        ("versioned", "recipes/rename-column.md"),
    ];
    let links: BTreeSet<String> = summary_links().into_iter().collect();
    for e in std::fs::read_dir("src/planner/recipes")
        .expect("recipes")
        .flatten()
    {
        let stem = e
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        // The dispatcher and its tests are not recipes.
        if stem == "mod" || stem == "tests" {
            continue;
        }
        let Some((_, page)) = pages.iter().find(|(r, _)| *r == stem) else {
            panic!("recipe {stem} has no book page: add one and list it here");
        };
        assert!(
            links.contains(*page),
            "{page} (for recipe {stem}) is not in SUMMARY.md"
        );
    }
    for page in [
        "introduction.md",
        "concepts.md",
        "plan-format.md",
        "directives.md",
        "recipes/add-check.md",
        "recipes/add-unique-primary-key.md",
        "recipes/drop-index.md",
        "recipes/reindex.md",
        "recipes/no-safe-path.md",
    ] {
        assert!(links.contains(page), "the book lacks {page}");
    }
}
