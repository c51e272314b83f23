//! Objects present on one side only, from sets or maps of names.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Change, Kind, Object, ObjectType, Report};

/// Names on one side only, from two sets.
pub fn presence_set<T: Ord + ToString>(
    a: &BTreeSet<T>,
    b: &BTreeSet<T>,
    ty: ObjectType,
    r: &mut Report,
) {
    for n in a.difference(b) {
        r.push(
            Object::new(ty, n.to_string()),
            Kind::Presence,
            Change::OnlyInA,
        );
    }
    for n in b.difference(a) {
        r.push(
            Object::new(ty, n.to_string()),
            Kind::Presence,
            Change::OnlyInB,
        );
    }
}

/// Keys on one side only, from two maps.
pub fn presence_map<K: Ord + Clone + ToString, V>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
    ty: ObjectType,
    r: &mut Report,
) {
    let ka: BTreeSet<K> = a.keys().cloned().collect();
    let kb: BTreeSet<K> = b.keys().cloned().collect();
    presence_set(&ka, &kb, ty, r);
}

/// Presence, then `each` on every key present on both sides.
pub fn both<K: Ord + Clone + ToString, V>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
    ty: ObjectType,
    r: &mut Report,
    mut each: impl FnMut(&V, &V, &mut Report),
) {
    presence_map(a, b, ty, r);
    for (k, va) in a {
        if let Some(vb) = b.get(k) {
            each(va, vb, r);
        }
    }
}
