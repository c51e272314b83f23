//! Text a reviewer or an operator reads, with control and bidirectional-override characters
//! shown as visible `\u{..}` escapes, so a file name or an identifier cannot rewrite a
//! terminal line or a review document (review spoofing).

use std::borrow::Cow;

use super::model::Plan;

/// Characters that change how surrounding text is displayed: C0/C1 controls, DEL, and the
/// Unicode bidirectional embeddings, overrides and isolates ("Trojan Source").
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escape_where(s: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text: every unsafe character escaped, newlines and tabs included.
pub fn line(s: &str) -> Cow<'_, str> {
    escape_where(s, is_unsafe)
}

/// A block of text (SQL, a whole document): unsafe characters escaped, but newlines and
/// tabs kept.
pub fn block(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| is_unsafe(c) && c != '\n' && c != '\t')
}

/// JSON text with every unsafe character the serializer leaves raw (DEL, C1 controls, bidi
/// overrides) written as a `\uXXXX` escape: the same document, safe on a terminal.
pub fn json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Does `s` hold a character [`line`] would escape?
pub fn has_unsafe(s: &str) -> bool {
    s.chars().any(is_unsafe)
}

/// A copy of `plan` for display: every one-line field (names, ids, summaries, reasons,
/// warnings, gate texts, tables, keys) escaped with [`line`], SQL with [`block`]. Plans
/// without such characters come back unchanged.
pub fn for_display(plan: &Plan) -> Plan {
    let l = |s: &mut String| {
        if has_unsafe(s) {
            *s = line(s).into_owned();
        }
    };
    let b = |s: &mut String| {
        if has_unsafe(s) {
            *s = block(s).into_owned();
        }
    };
    let mut p = plan.clone();
    l(&mut p.name);
    l(&mut p.source_file);
    b(&mut p.source_sql);
    p.warnings.iter_mut().for_each(l);
    p.fingerprint = p
        .fingerprint
        .into_iter()
        .map(|(k, mut v)| {
            v.shape.iter_mut().for_each(l);
            (line(&k).into_owned(), v)
        })
        .collect();
    for s in &mut p.steps {
        l(&mut s.id);
        l(&mut s.summary);
        l(&mut s.why);
        s.sql.iter_mut().for_each(b);
        if let Some(r) = &mut s.rollback_sql {
            r.iter_mut().for_each(b);
        }
        if let Some(r) = &mut s.irreversible_reason {
            l(r);
        }
        s.lock.tables.iter_mut().for_each(l);
        s.depends_on.iter_mut().for_each(l);
        if let Some(bf) = &mut s.backfill {
            l(&mut bf.table);
            bf.key.iter_mut().for_each(l);
            l(&mut bf.filter);
            bf.set = std::mem::take(&mut bf.set)
                .into_iter()
                .map(|(k, v)| (line(&k).into_owned(), line(&v).into_owned()))
                .collect();
        }
        if let Some(v) = &mut s.verify {
            l(&mut v.table);
            v.key.iter_mut().for_each(l);
            l(&mut v.violation);
            l(&mut v.expectation);
        }
        if let Some(g) = &mut s.gate {
            l(&mut g.text);
            l(&mut g.confirm);
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_become_visible() {
        assert_eq!(line("plain name"), "plain name");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
        assert_eq!(line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(line("x\ny"), "x\\u{a}y");
        assert_eq!(line("evil\u{202e}lmth.exe"), "evil\\u{202e}lmth.exe");
        assert_eq!(line("del\u{7f}"), "del\\u{7f}");
        assert_eq!(line("c1\u{9b}31m"), "c1\\u{9b}31m");
        assert_eq!(
            block("SELECT 1;\n\tSELECT\u{1b}2;"),
            "SELECT 1;\n\tSELECT\\u{1b}2;"
        );
        assert!(has_unsafe("a\rb") && !has_unsafe("naïve ünïcode ✓"));
        let j = json("{\"a\": \"x\u{202e}y\u{7f}\"}\n");
        assert_eq!(j, "{\"a\": \"x\\u202ey\\u007f\"}\n");
        let v: serde_json::Value = serde_json::from_str(&j).expect("still JSON");
        assert_eq!(v["a"], "x\u{202e}y\u{7f}");
    }
}
