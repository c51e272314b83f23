//! Migration layouts: which files a tool runs, in what order, and whether it wraps each
//! migration in a transaction. A file becomes one or more [`Unit`]s (a dbmate file has an up
//! and a down section; a Liquibase changelog has one unit per changeset).

use std::cmp::Ordering;

/// The migration tool whose conventions a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Flyway: `V<version>__<desc>.sql`, `U<version>__<desc>.sql`, `R__<desc>.sql`; each
    /// migration in a transaction unless its `.sql.conf` says `executeInTransaction=false`.
    Flyway,
    /// golang-migrate: `<version>_<title>.up.sql` / `.down.sql`, sent as one query: several
    /// statements run as one implicit transaction, a single statement runs alone.
    GolangMigrate,
    /// sqlx: `<version>_<desc>[.up|.down].sql`, in a transaction unless the first line is
    /// `-- no-transaction`.
    Sqlx,
    /// dbmate: `<version>_<name>.sql` with `-- migrate:up` / `-- migrate:down` sections, each
    /// in a transaction unless the marker says `transaction:false`.
    Dbmate,
    /// Liquibase formatted SQL: `-- liquibase formatted sql`, one unit per `--changeset`, in
    /// a transaction unless `runInTransaction:false`.
    Liquibase,
    /// A plain SQL file run statement by statement (autocommit) unless it says BEGIN.
    Plain,
}

impl Layout {
    /// Every layout, for help texts and tests.
    pub const ALL: &'static [Layout] = &[
        Layout::Flyway,
        Layout::GolangMigrate,
        Layout::Sqlx,
        Layout::Dbmate,
        Layout::Liquibase,
        Layout::Plain,
    ];

    /// Name as written on the command line and in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Flyway => "flyway",
            Layout::GolangMigrate => "golang-migrate",
            Layout::Sqlx => "sqlx",
            Layout::Dbmate => "dbmate",
            Layout::Liquibase => "liquibase",
            Layout::Plain => "plain",
        }
    }

    /// From its name.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|l| l.name() == s)
    }

    /// Guess a file's layout from its name and contents.
    pub fn detect(file_name: &str, text: &str) -> Self {
        let first = first_line(text);
        if text
            .lines()
            .any(|l| l.trim_start().starts_with("-- migrate:up"))
        {
            Layout::Dbmate
        } else if first.eq_ignore_ascii_case("-- liquibase formatted sql") {
            Layout::Liquibase
        } else if flyway_version(file_name).is_some() {
            Layout::Flyway
        } else if first == "-- no-transaction" {
            Layout::Sqlx
        } else if file_name.ends_with(".up.sql") || file_name.ends_with(".down.sql") {
            Layout::GolangMigrate
        } else {
            Layout::Plain
        }
    }
}

/// How the tool runs a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// The tool wraps the unit in a transaction.
    Transaction,
    /// Sent as one multi-statement query: one implicit transaction when it has several
    /// statements (golang-migrate).
    OneQuery,
    /// Statement by statement, each committed on its own (unless the SQL says BEGIN).
    None,
}

/// One migration as its tool runs it.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The file.
    pub path: String,
    /// The layout that was applied.
    pub layout: Layout,
    /// `up`, `down`, `undo`, `repeatable` or the changeset id: what part of the file this is.
    pub label: String,
    /// How the tool runs it.
    pub wrap: Wrap,
    /// The file's text with everything outside this unit blanked (line numbers stay true).
    pub text: String,
}

/// Cut a file into the units its tool runs. `conf` is the text of a Flyway `.sql.conf`
/// beside it, if any.
pub fn units(path: &str, text: &str, layout: Layout, conf: Option<&str>) -> Vec<Unit> {
    let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let unit = |label: &str, wrap, text: String| Unit {
        path: path.to_string(),
        layout,
        label: label.to_string(),
        wrap,
        text,
    };
    match layout {
        Layout::Flyway => {
            let in_tx = !conf.is_some_and(|c| {
                c.lines().any(|l| {
                    let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                    l.eq_ignore_ascii_case("executeInTransaction=false")
                })
            });
            let label = match file_name.chars().next() {
                Some('U') => "undo",
                Some('R') => "repeatable",
                _ => "up",
            };
            let wrap = if in_tx { Wrap::Transaction } else { Wrap::None };
            vec![unit(label, wrap, text.to_string())]
        }
        Layout::GolangMigrate => vec![unit(direction(file_name), Wrap::OneQuery, text.to_string())],
        Layout::Sqlx => {
            let wrap = if first_line(text) == "-- no-transaction" {
                Wrap::None
            } else {
                Wrap::Transaction
            };
            vec![unit(direction(file_name), wrap, text.to_string())]
        }
        Layout::Dbmate => sections(text, |l| {
            let t = l.trim_start();
            let rest = t.strip_prefix("-- migrate:")?;
            let label = rest.split_whitespace().next()?.to_string();
            let wrap = if rest.contains("transaction:false") {
                Wrap::None
            } else {
                Wrap::Transaction
            };
            Some((label, wrap))
        })
        .into_iter()
        .map(|(label, wrap, body)| unit(&label, wrap, body))
        .collect(),
        Layout::Liquibase => sections(text, |l| {
            let rest = l.trim_start().strip_prefix("--changeset")?;
            let mut words = rest.split_whitespace();
            let label = words.next().unwrap_or("changeset").to_string();
            let wrap = if words.any(|w| w.eq_ignore_ascii_case("runInTransaction:false")) {
                Wrap::None
            } else {
                Wrap::Transaction
            };
            Some((label, wrap))
        })
        .into_iter()
        .map(|(label, wrap, body)| unit(&label, wrap, body))
        .collect(),
        Layout::Plain => vec![unit("file", Wrap::None, text.to_string())],
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

fn direction(file_name: &str) -> &'static str {
    if file_name.ends_with(".down.sql") {
        "down"
    } else {
        "up"
    }
}

/// Split on marker lines; each section keeps the file's line numbers (other lines blank).
fn sections(
    text: &str,
    marker: impl Fn(&str) -> Option<(String, Wrap)>,
) -> Vec<(String, Wrap, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut starts: Vec<(usize, String, Wrap)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some((label, wrap)) = marker(l) {
            starts.push((i, label, wrap));
        }
    }
    let mut out = Vec::new();
    for (k, (start, label, wrap)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map(|s| s.0).unwrap_or(lines.len());
        let body = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i > *start && i < end { *l } else { "" })
            .collect::<Vec<_>>()
            .join("\n");
        out.push((label.clone(), *wrap, body));
    }
    out
}

/// Flyway's version of `V1_2__x.sql` / `U1_2__x.sql` (`R__` files have none but sort last).
fn flyway_version(file_name: &str) -> Option<Vec<u64>> {
    let rest = file_name.strip_prefix(['V', 'U', 'R'])?;
    let (ver, _) = rest.split_once("__")?;
    if file_name.starts_with('R') {
        return ver.is_empty().then(|| vec![u64::MAX]);
    }
    let parts: Option<Vec<u64>> = ver.split(['.', '_']).map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// The leading number of `20240101120000_name.up.sql` / `0003-name.sql`.
fn leading_number(file_name: &str) -> Option<u128> {
    let digits: String = file_name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The order a tool runs files in: version numbers compared as numbers (Flyway's dotted
/// versions part by part), up before down for the same version, then by name.
pub fn run_order(a: &str, b: &str) -> Ordering {
    let name = |p: &str| p.rsplit(['/', '\\']).next().unwrap_or(p).to_string();
    let (na, nb) = (name(a), name(b));
    let key = |n: &str| -> (Option<Vec<u64>>, Option<u128>, bool) {
        (
            flyway_version(n),
            leading_number(n),
            n.ends_with(".down.sql") || n.starts_with('U'),
        )
    };
    let (ka, kb) = (key(&na), key(&nb));
    let by_version = match (&ka.0, &kb.0) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => match (ka.1, kb.1) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => Ordering::Equal,
        },
    };
    by_version.then(ka.2.cmp(&kb.2)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_layouts() {
        assert_eq!(
            Layout::detect("V2__add.sql", "ALTER TABLE t ADD c int;"),
            Layout::Flyway
        );
        assert_eq!(
            Layout::detect("1_x.up.sql", "SELECT 1;"),
            Layout::GolangMigrate
        );
        assert_eq!(
            Layout::detect("1_x.up.sql", "-- no-transaction\nSELECT 1;"),
            Layout::Sqlx
        );
        assert_eq!(
            Layout::detect("1_x.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n"),
            Layout::Dbmate
        );
        assert_eq!(
            Layout::detect("c.sql", "-- liquibase formatted sql\n--changeset a:1\n"),
            Layout::Liquibase
        );
        assert_eq!(Layout::detect("x.sql", "SELECT 1;"), Layout::Plain);
    }

    #[test]
    fn sections_keep_line_numbers_and_transaction_markers() {
        let text = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;\n";
        let u = units("1_x.sql", text, Layout::Dbmate, None);
        assert_eq!(u.len(), 2);
        assert_eq!((u[0].label.as_str(), u[0].wrap), ("up", Wrap::None));
        assert_eq!(
            (u[1].label.as_str(), u[1].wrap),
            ("down", Wrap::Transaction)
        );
        assert_eq!(u[1].text.lines().nth(3), Some("DROP INDEX i;"));
        assert!(!u[1].text.contains("CONCURRENTLY"));
    }

    #[test]
    fn flyway_conf_turns_the_transaction_off() {
        let u = units(
            "V1__x.sql",
            "SELECT 1;",
            Layout::Flyway,
            Some("executeInTransaction = false\n"),
        );
        assert_eq!(u[0].wrap, Wrap::None);
    }

    #[test]
    fn versions_sort_as_numbers() {
        let mut v = vec![
            "V10__b.sql",
            "V2__a.sql",
            "V1_1__c.sql",
            "V1__d.sql",
            "U2__a.sql",
            "R__view.sql",
        ];
        v.sort_by(|a, b| run_order(a, b));
        assert_eq!(
            v,
            [
                "V1__d.sql",
                "V1_1__c.sql",
                "V2__a.sql",
                "U2__a.sql",
                "V10__b.sql",
                "R__view.sql"
            ]
        );
        let mut g = vec!["10_b.up.sql", "9_a.down.sql", "9_a.up.sql"];
        g.sort_by(|a, b| run_order(a, b));
        assert_eq!(g, ["9_a.up.sql", "9_a.down.sql", "10_b.up.sql"]);
    }
}
