//! What the guard derives from the example plans: which steps it guards and with which facts.

use super::*;

fn plan(file: &str) -> Plan {
    crate::plan::load_file(&format!("plans/{file}")).expect("example plan")
}

fn users() -> QName {
    QName::new("public", "users")
}

#[test]
fn a_rename_guards_its_gate_switch_over_and_drop() {
    let g = guards(&plan("01-rename-column.toml"));
    assert_eq!(
        g.keys().collect::<Vec<_>>(),
        ["1.drop-old-column", "1.gate", "1.switch-over"]
    );
    let sw = &g["1.switch-over"];
    assert_eq!(
        sw.facts[0],
        Fact::Column {
            table: users(),
            name: "email_address".into(),
            ty: "text".into(),
            not_null: true
        }
    );
    assert!(sw.facts.contains(&Fact::Trigger {
        table: users(),
        name: "bellows_sync_email_upd".into(),
        function: QName::new("public", "bellows_sync_users_email_fn"),
    }));
    assert!(sw.facts.contains(&Fact::Index {
        index: QName::new("public", "users_lower_email_address_idx")
    }));
    assert!(sw.facts.contains(&Fact::Constraint {
        table: users(),
        name: "users_email_address_key".into(),
        validated: true
    }));
    assert!(
        !sw.facts
            .iter()
            .any(|f| matches!(f, Fact::Constraint { name, .. } if name.ends_with("_not_null"))),
        "the temporary NOT NULL check is gone by then"
    );
    assert!(
        matches!(sw.facts.last(), Some(Fact::NoDependants { column: Some(c), .. }) if c == "email")
    );
    assert!(
        sw.data
            .as_ref()
            .is_some_and(|v| v.violation.contains("email_address"))
    );
    assert_eq!(
        sw.facts.len(),
        7,
        "copy, 2 triggers, 2 indexes, 1 constraint, dependants"
    );
    assert_eq!(g["1.gate"].facts, sw.facts);
    assert!(g["1.gate"].data.is_none(), "the gate reads no rows");
    let drop = &g["1.drop-old-column"];
    assert!(matches!(&drop.facts[0], Fact::Column { name, .. } if name == "email_address"));
    assert!(
        matches!(&drop.facts[1], Fact::NoDependants { column: Some(c), known, .. } if c == "email" && known.is_empty())
    );
}

#[test]
fn a_type_change_follows_the_swap_renames() {
    let g = guards(&plan("02-change-type-primary-key.toml"));
    let sw = &g["1.swap"];
    assert!(
        matches!(&sw.facts[0], Fact::Column { name, ty, .. } if name == "id_bellows_new" && ty == "bigint")
    );
    let Some(Fact::NoDependants { column, known, .. }) = sw.facts.last() else {
        panic!("{sw:?}")
    };
    assert_eq!(column.as_deref(), Some("id"));
    assert!(known.contains(&Known::Constraint {
        table: QName::new("public", "order_items"),
        name: "order_items_product_id_fkey".into()
    }));
    assert!(known.contains(&Known::Sequence(QName::new("public", "products_id_seq"))));
    let drop = &g["1.drop-old-column"];
    assert!(matches!(&drop.facts[0], Fact::Column { name, .. } if name == "id"));
    assert!(
        matches!(&drop.facts[1], Fact::NoDependants { column: Some(c), .. } if c == "id_bellows_old")
    );
    assert!(
        !g.contains_key("1.restore-names"),
        "reversible steps need no guard"
    );
}

#[test]
fn plain_drops_look_for_dependants_only() {
    let g = guards(&plan("19-drop-column.toml"));
    assert_eq!(g["1.drop-column"].facts.len(), 1);
    assert_eq!(g["1.gate"], g["1.drop-column"]);
    let g = guards(&plan("20-drop-table.toml"));
    assert!(matches!(
        &g["1.drop-table"].facts[0],
        Fact::NoDependants { column: None, .. }
    ));
    assert!(guards(&plan("05-add-column-nullable.toml")).is_empty());
    assert!(
        guards(&plan("18-rename-table.toml")).is_empty(),
        "dropping its view can be undone"
    );
}
