//! `bellows check PATH...`: lint migration files in the order their tool runs them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::Failure;
use super::args::{CheckArgs, CheckFormat};
use super::check_config::{self, CheckConfig};
use super::check_output::{self, Summary};
use crate::catalog::Catalog;
use crate::lint::layout::{self, Layout};
use crate::lint::rules::Rule;
use crate::lint::{Finding, Linter, Settings, Severity};

/// Lint, print, and fail (exit 1) when a finding reaches the failing severity.
pub fn run(a: CheckArgs) -> Result<(), Failure> {
    if let Some(id) = &a.explain {
        let rule = Rule::from_id(id).ok_or_else(|| {
            Failure::input(format!(
                "unknown rule `{id}`; `bellows check --list-rules` lists them"
            ))
        })?;
        print!("{}", super::check_explain::page(rule));
        return Ok(());
    }
    if a.list_rules {
        for r in Rule::ALL {
            let d = r.doc();
            println!("{:<32} {:<8} {}", d.id, d.severity.name(), d.title);
        }
        return Ok(());
    }
    let (conf, conf_path) = check_config::load(a.config.as_deref())?;
    let opts = Options::resolve(&a, &conf, conf_path.as_deref())?;
    if a.paths.is_empty() {
        return Err(Failure::input(
            "nothing to check: give migration files or folders, e.g. `bellows check db/migrations`",
        ));
    }
    let files = collect(&a.paths, opts.layout)?;
    let cat = match &opts.schema {
        Some(s) => {
            let cat = crate::catalog::load_file(s).map_err(|e| Failure::input(e.to_string()))?;
            super::plan_cmd::report_unread(&cat);
            cat
        }
        None => Catalog::default(),
    };
    let mut linter = Linter::new(cat, opts.settings.clone());
    let mut findings: Vec<Finding> = Vec::new();
    let mut sum = Summary {
        files: files.len(),
        ..Summary::default()
    };
    for f in &files {
        let (mut found, statements) = lint_file(&mut linter, f)?;
        sum.statements += statements;
        findings.append(&mut found);
    }
    sum.count(&findings);
    let out = match a.format {
        CheckFormat::Text => check_output::text(&findings, &sum, color()),
        CheckFormat::Json => check_output::json(&findings, &sum),
        CheckFormat::Sarif => check_output::sarif(&findings),
        CheckFormat::Github => check_output::github(&findings),
    };
    print!("{out}");
    let failing = findings
        .iter()
        .filter(|f| opts.fail_on.is_some_and(|s| f.severity >= s))
        .count();
    if failing > 0 {
        return Err(Failure {
            code: 1,
            message: format!(
                "{failing} finding{} at or above `{}`",
                if failing == 1 { "" } else { "s" },
                opts.fail_on.map(Severity::name).unwrap_or("never")
            ),
        });
    }
    Ok(())
}

/// Colour on a terminal, unless NO_COLOR is set (and not empty).
fn color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Settings from flags over the config file.
struct Options {
    settings: Settings,
    layout: Option<Layout>,
    fail_on: Option<Severity>,
    schema: Option<String>,
}

impl Options {
    fn resolve(a: &CheckArgs, c: &CheckConfig, conf_path: Option<&str>) -> Result<Self, Failure> {
        let whence = |flag: &str| match conf_path {
            Some(p) => format!("{flag} (or `{p}`)"),
            None => flag.to_string(),
        };
        let rule = |id: &String, flag: &str| {
            Rule::from_id(id.trim()).ok_or_else(|| {
                Failure::input(format!(
                    "unknown rule `{id}` in {}; `bellows check --list-rules` lists them",
                    whence(flag)
                ))
            })
        };
        let enable = if a.enable.is_empty() {
            &c.enable
        } else {
            &a.enable
        };
        let mut rules: BTreeSet<Rule> = if enable.is_empty() {
            Rule::ALL.iter().copied().collect()
        } else {
            enable
                .iter()
                .map(|r| rule(r, "--enable"))
                .collect::<Result<_, _>>()?
        };
        for r in c.disable.iter().chain(&a.disable) {
            rules.remove(&rule(r, "--disable")?);
        }
        let layout = match a.layout.as_ref().or(c.layout.as_ref()) {
            Some(l) => Some(Layout::from_name(l).ok_or_else(|| {
                Failure::input(format!(
                    "unknown layout `{l}` in {}; use one of: {}",
                    whence("--layout"),
                    Layout::ALL
                        .iter()
                        .map(|l| l.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?),
            None => None,
        };
        let fail_on = match a
            .fail_on
            .as_deref()
            .or(c.fail_on.as_deref())
            .unwrap_or("warning")
        {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            "never" => None,
            other => {
                return Err(Failure::input(format!(
                    "unknown severity `{other}` in {}; use error, warning, note or never",
                    whence("--fail-on")
                )));
            }
        };
        let pg_version = a.pg_version.or(c.pg_version).unwrap_or(15);
        if !(9..=30).contains(&pg_version) {
            return Err(Failure::input(format!(
                "--pg-version {pg_version} is not a PostgreSQL major version (e.g. 15)"
            )));
        }
        // A schema named in the config file is relative to that file.
        let schema = a.schema.clone().or_else(|| {
            c.schema
                .as_ref()
                .map(|s| match conf_path.and_then(|p| Path::new(p).parent()) {
                    Some(dir) => dir.join(s).to_string_lossy().into_owned(),
                    None => s.clone(),
                })
        });
        Ok(Self {
            settings: Settings {
                pg_version,
                assume_in_transaction: a.assume_in_transaction
                    || c.assume_in_transaction.unwrap_or(false),
                rules,
            },
            layout,
            fail_on,
            schema,
        })
    }
}

/// A migration file, read once, with the layout it is linted under.
struct Source {
    name: String,
    text: String,
    layout: Layout,
}

impl Source {
    fn read(path: &Path) -> Result<(Self, bool), Failure> {
        let name = path.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::input(format!("{name}: cannot read: {e}")))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let layout = Layout::detect(&file_name, &text);
        Ok((Self { name, text, layout }, layout != Layout::Plain))
    }
}

/// Files to lint: each PATH in the order given; a folder's `.sql` files (recursively) in
/// the order the migration tool runs them. `forced` (`--layout`) wins; otherwise a folder's
/// files that name no tool take the one layout the others name, if there is one (a sqlx
/// folder where only one file says `-- no-transaction`).
fn collect(paths: &[String], forced: Option<Layout>) -> Result<Vec<Source>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        let mut sources = Vec::new();
        if path.is_file() {
            sources.push(Source::read(path)?);
        } else if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)
                .map_err(|e| Failure::input(format!("{p}: cannot read the folder: {e}")))?;
            found.sort_by(|a, b| layout::run_order(&a.to_string_lossy(), &b.to_string_lossy()));
            for f in &found {
                sources.push(Source::read(f)?);
            }
            let named: BTreeSet<Layout> = sources
                .iter()
                .filter(|(_, named)| *named)
                .map(|(s, _)| s.layout)
                .collect();
            if named.len() == 1 {
                let shared = named.iter().next().copied().unwrap_or(Layout::Plain);
                for (s, _) in &mut sources {
                    s.layout = shared;
                }
            }
        } else {
            return Err(Failure::input(format!("{p}: no such file or folder")));
        }
        out.extend(sources.into_iter().map(|(mut s, _)| {
            if let Some(l) = forced {
                s.layout = l;
            }
            s
        }));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

/// Lint one file: its findings and how many statements it had.
fn lint_file(linter: &mut Linter, src: &Source) -> Result<(Vec<Finding>, usize), Failure> {
    let conf = std::fs::read_to_string(format!("{}.conf", src.name)).ok();
    let mut out = Vec::new();
    let mut statements = 0;
    for unit in layout::units(&src.name, &src.text, src.layout, conf.as_deref()) {
        let reverse = matches!(unit.label.as_str(), "down" | "undo" | "rollback");
        let result = if reverse {
            linter.lint_detached(&unit)
        } else {
            linter.lint_unit(&unit)
        };
        let (mut found, n) = result.map_err(|e| {
            let hint = e
                .hint()
                .map(|h| format!("\n  hint: {h}"))
                .unwrap_or_default();
            Failure::input(format!(
                "{}:{}:{}: {}{hint}",
                e.path,
                e.loc.line,
                e.loc.col,
                e.message()
            ))
        })?;
        statements += n;
        out.append(&mut found);
    }
    Ok((out, statements))
}
