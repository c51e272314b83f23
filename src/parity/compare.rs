//! Walking two catalogs side by side: objects present on one side only, then the
//! properties of objects present on both.

use std::collections::{BTreeMap, BTreeSet};

use sha2::Digest;

use super::defs;
use super::model::{Kind, Object, ObjectType, Report};
use super::presence::{both, presence_map, presence_set};
use crate::catalog::{Catalog, Sequence, View};
use crate::sql::QName;

/// Every difference between catalogs `a` and `b`.
pub fn compare(a: &Catalog, b: &Catalog) -> Report {
    let mut r = Report::default();
    server(a, b, &mut r);
    presence_set(&a.schemas, &b.schemas, ObjectType::Schema, &mut r);
    extensions(&a.extensions, &b.extensions, &mut r);
    both(
        &a.tables,
        &b.tables,
        ObjectType::Table,
        &mut r,
        |ta, tb, r| super::table::compare(ta, tb, a, b, r),
    );
    // Both servers print view queries the same way; a file and a server do not, so then
    // the columns a view reads stand in for its query.
    let spelled_alike = a.server_version.is_some() && b.server_version.is_some();
    fn views(m: &BTreeMap<QName, View>, mat: bool) -> BTreeMap<&QName, &View> {
        m.iter().filter(|(_, v)| v.materialized == mat).collect()
    }
    for (mat, ty) in [
        (false, ObjectType::View),
        (true, ObjectType::MaterializedView),
    ] {
        both(
            &views(&a.views, mat),
            &views(&b.views, mat),
            ty,
            &mut r,
            |va, vb, r| view(ty, va, vb, spelled_alike, r),
        );
    }
    presence_map(&a.sequences, &b.sequences, ObjectType::Sequence, &mut r);
    sequences(a, b, &mut r);
    presence_map(&a.enums, &b.enums, ObjectType::Enum, &mut r);
    for (name, la) in &a.enums {
        if let Some(lb) = b.enums.get(name) {
            r.differs(
                &Object::new(ObjectType::Enum, name.to_string()),
                Kind::EnumLabels,
                la.join(", "),
                lb.join(", "),
            );
        }
    }
    for (name, da) in &a.domains {
        if let Some(db) = b.domains.get(name) {
            r.differs(
                &Object::new(ObjectType::Domain, name.to_string()),
                Kind::DomainType,
                da.clone(),
                db.clone(),
            );
        }
    }
    presence_map(&a.domains, &b.domains, ObjectType::Domain, &mut r);
    let fa: BTreeSet<String> = a.functions.iter().map(ToString::to_string).collect();
    let fb: BTreeSet<String> = b.functions.iter().map(ToString::to_string).collect();
    presence_set(&fa, &fb, ObjectType::Function, &mut r);
    for name in a.functions.intersection(&b.functions) {
        r.differs(
            &Object::new(ObjectType::Function, name.to_string()),
            Kind::FunctionBody,
            body_digest(a.function_bodies.get(name)),
            body_digest(b.function_bodies.get(name)),
        );
    }
    r
}

/// Major version always when both are known; the full version too.
fn server(a: &Catalog, b: &Catalog, r: &mut Report) {
    let o = Object::new(ObjectType::Server, "server");
    if let (Some(va), Some(vb)) = (a.server_version, b.server_version) {
        r.differs(&o, Kind::ServerMajor, va.to_string(), vb.to_string());
    }
    if let (Some(va), Some(vb)) = (a.server_version_num, b.server_version_num)
        && a.server_version == b.server_version
    {
        r.differs(&o, Kind::ServerMinor, va.to_string(), vb.to_string());
    }
}

/// Extensions by name; versions only where both sides know theirs (files do not).
fn extensions(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>, r: &mut Report) {
    presence_map(a, b, ObjectType::Extension, r);
    for (name, va) in a {
        if let Some(vb) = b.get(name)
            && !va.is_empty()
            && !vb.is_empty()
        {
            r.differs(
                &Object::new(ObjectType::Extension, name.clone()),
                Kind::ExtensionVersion,
                va.clone(),
                vb.clone(),
            );
        }
    }
}

fn view(ty: ObjectType, a: &View, b: &View, spelled_alike: bool, r: &mut Report) {
    let o = Object::new(ty, a.name.to_string());
    if spelled_alike {
        r.differs(
            &o,
            Kind::ViewDefinition,
            a.definition.clone().unwrap_or_default(),
            b.definition.clone().unwrap_or_default(),
        );
    } else {
        r.differs(&o, Kind::ViewDefinition, defs::reads(a), defs::reads(b));
    }
    r.differs(
        &o,
        Kind::ViewOptions,
        a.options.join(", "),
        b.options.join(", "),
    );
    r.differs(
        &o,
        Kind::Comment,
        defs::opt(&a.comment),
        defs::opt(&b.comment),
    );
    let owner = a.name.to_string();
    super::table::indexes(&owner, (&a.indexes, &[]), (&b.indexes, &[]), r);
}

/// Properties of sequences present on both sides.
fn sequences(a: &Catalog, b: &Catalog, r: &mut Report) {
    for (name, sa) in &a.sequences {
        let Some(sb) = b.sequences.get(name) else {
            continue;
        };
        let o = Object::new(ObjectType::Sequence, name.to_string());
        let inc = |s: &Sequence| s.increment.unwrap_or(1).to_string();
        let ty = |s: &Sequence| s.data_type.clone().unwrap_or_else(|| "bigint".into());
        let owner = |s: &Sequence| {
            s.owned_by
                .as_ref()
                .map(|(t, c)| format!("{t}.{c}"))
                .unwrap_or_else(|| "none".into())
        };
        r.differs(&o, Kind::SequenceIncrement, inc(sa), inc(sb));
        r.differs(&o, Kind::SequenceType, ty(sa), ty(sb));
        r.differs(&o, Kind::SequenceOwner, owner(sa), owner(sb));
        r.differs(
            &o,
            Kind::Grants,
            defs::grants(&sa.grants),
            defs::grants(&sb.grants),
        );
        r.differs(
            &o,
            Kind::Comment,
            defs::opt(&sa.comment),
            defs::opt(&sb.comment),
        );
    }
}

/// A short digest of a function's bodies (overloads together), or `none`.
fn body_digest(bodies: Option<&Vec<String>>) -> String {
    match bodies {
        None => "none".into(),
        Some(b) => {
            let d = hex::encode(sha2::Sha256::digest(b.join("\n\u{0}\n").as_bytes()));
            format!("sha256:{}", &d[..12])
        }
    }
}
