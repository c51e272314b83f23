//! A [`Report`] as text, JSON or Markdown. All three list objects in the report's sorted
//! order, so the same catalogs always print the same bytes.
//!
//! JSON (stable): `{"identical": bool, "a": label, "b": label, "count": n,
//! "differences": [{"object": {"type", "name"}, "kind", "change": "only_in_a" |
//! "only_in_b" | "differs", "a"?, "b"?}]}`; `a`/`b` values only for `differs`.

use serde::Serialize;

use super::model::{Change, Difference, Kind, Object, Report};

/// One line's worth: `only in A`, `type differs: A=int B=bigint`.
pub fn describe(d: &Difference) -> String {
    match (&d.change, d.kind) {
        (Change::OnlyInA, Kind::Presence) => "only in A".into(),
        (Change::OnlyInB, Kind::Presence) => "only in B".into(),
        (Change::OnlyInA, k) => format!("{} only in A", k.label()),
        (Change::OnlyInB, k) => format!("{} only in B", k.label()),
        (Change::Differs { a, b }, k) => {
            format!("{} differs: A={} B={}", k.label(), one_line(a), one_line(b))
        }
    }
}

/// `v` on one line: a line break and the indentation after it become one space (view
/// queries as the server prints them span lines). Display only; JSON keeps the text.
fn one_line(v: &str) -> String {
    v.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// One line per difference, `object: what differs` (A is the first catalog compared).
pub fn lines(r: &Report) -> Vec<String> {
    r.objects
        .iter()
        .flat_map(|(o, ds)| ds.iter().map(move |d| format!("{o}: {}", describe(d))))
        .collect()
}

/// Plain text: `A:`/`B:` sources, then each object and its differences, then a count.
pub fn text(r: &Report, a: &str, b: &str) -> String {
    let mut s = format!("A: {a}\nB: {b}\n");
    if r.is_identical() {
        s.push_str("identical: no differences\n");
        return s;
    }
    for (o, ds) in &r.objects {
        s.push_str(&format!("{o}\n"));
        for d in ds {
            s.push_str(&format!("  {}\n", describe(d)));
        }
    }
    s.push_str(&format!(
        "{} difference(s) in {} object(s)\n",
        r.len(),
        r.objects.len()
    ));
    s
}

/// Markdown: a heading, then a table of object, property and difference.
pub fn markdown(r: &Report, a: &str, b: &str) -> String {
    let cell = |t: &str| t.replace('|', "\\|").replace('\n', " ");
    let mut s = format!(
        "## Schema parity\n\n- **A**: `{}`\n- **B**: `{}`\n\n",
        cell(a),
        cell(b)
    );
    if r.is_identical() {
        s.push_str("Identical: no differences.\n");
        return s;
    }
    s.push_str(&format!(
        "{} difference(s) in {} object(s).\n\n| object | difference |\n|---|---|\n",
        r.len(),
        r.objects.len()
    ));
    for (o, ds) in &r.objects {
        for d in ds {
            s.push_str(&format!(
                "| {} | {} |\n",
                cell(&o.to_string()),
                cell(&describe(d))
            ));
        }
    }
    s
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    object: &'a Object,
    #[serde(flatten)]
    difference: &'a Difference,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    identical: bool,
    a: &'a str,
    b: &'a str,
    count: usize,
    differences: Vec<JsonDiff<'a>>,
}

/// JSON as described in the module docs, pretty-printed.
pub fn json(r: &Report, a: &str, b: &str) -> String {
    let report = JsonReport {
        identical: r.is_identical(),
        a,
        b,
        count: r.len(),
        differences: r
            .objects
            .iter()
            .flat_map(|(object, ds)| {
                ds.iter()
                    .map(move |difference| JsonDiff { object, difference })
            })
            .collect(),
    };
    // Plain data of strings, numbers and booleans: serialization cannot fail.
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}
