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
pub fn presence_map<K: Ord + ToString, V, W>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, W>,
    ty: ObjectType,
    r: &mut Report,
) {
    presence_named(a, b, ty, r, ToString::to_string);
}

/// Keys on one side only, from two maps, each reported under `name(key)` (a child's
/// qualified name, `public.orders.idx`). Walks the keys without copying them: only a
/// missing one is named.
pub fn presence_named<K: Ord, V, W>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, W>,
    ty: ObjectType,
    r: &mut Report,
    name: impl Fn(&K) -> String,
) {
    for k in a.keys().filter(|k| !b.contains_key(*k)) {
        r.push(Object::new(ty, name(k)), Kind::Presence, Change::OnlyInA);
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        r.push(Object::new(ty, name(k)), Kind::Presence, Change::OnlyInB);
    }
}

/// Presence, then `each` on every key present on both sides.
pub fn both<K: Ord + ToString, V>(
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
