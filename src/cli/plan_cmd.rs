//! `bellows plan CHANGE.sql`: validate settings, load the schema, plan, write the file.

use std::path::{Path, PathBuf};

use super::Failure;
use super::args::{PlanArgs, PlanFormat};
use crate::catalog::{self, Catalog};
use crate::plan::{Plan, escape, render};
use crate::planner::{self, Options};

/// Where the current schema comes from.
#[derive(Debug)]
pub enum SchemaSource {
    /// A schema file.
    File(String),
    /// A live database URL (never printed).
    Database(String),
}

/// Validated settings for one `plan` run.
#[derive(Debug)]
pub struct Settings {
    /// Change file.
    pub change: String,
    /// Schema source.
    pub schema: SchemaSource,
    /// Output path (`-` for stdout); None = next free plans/NNNN-name.
    pub out: Option<String>,
    /// Output format.
    pub format: PlanFormat,
    /// Planner options (version set after the schema is loaded).
    pub pg_version: Option<u32>,
    /// Allow blocking steps.
    pub allow_blocking: bool,
}

impl Settings {
    /// Check the raw arguments.
    pub fn from_args(a: PlanArgs) -> Result<Self, Failure> {
        let from_env = super::env_target::target(&a.env, a.database_url.as_deref())?;
        let schema = match (a.schema, from_env, a.database_url) {
            (Some(f), None, _) => SchemaSource::File(f),
            (Some(_), Some(_), _) => {
                return Err(Failure::input(
                    "give --schema or --env, not both: --env reads the schema from that environment's database",
                ));
            }
            (None, Some(t), _) => SchemaSource::Database(t.url().to_string()),
            (None, None, Some(u)) if !u.trim().is_empty() => SchemaSource::Database(u),
            _ => {
                return Err(Failure::input(
                    "no schema source: pass --schema FILE (e.g. `pg_dump --schema-only` output) or --database-url URL, or set DATABASE_URL",
                ));
            }
        };
        if let Some(v) = a.pg_version
            && !(11..=18).contains(&v)
        {
            return Err(Failure::input(format!(
                "--pg-version {v} is not supported (11 to 18)"
            )));
        }
        Ok(Self {
            change: a.change,
            schema,
            out: a.out,
            format: a.format,
            pg_version: a.pg_version,
            allow_blocking: a.allow_blocking,
        })
    }
}

/// Load the catalog from the configured source.
pub fn load_catalog(src: &SchemaSource) -> Result<Catalog, Failure> {
    match src {
        SchemaSource::File(f) => {
            let cat = catalog::load_file(f).map_err(|e| Failure::input(e.to_string()))?;
            report_unread(&cat);
            Ok(cat)
        }
        SchemaSource::Database(url) => {
            let t = crate::env::Target::parse(url).map_err(|e| Failure::input(e.to_string()))?;
            let t = super::run_cmd::connection_policy(t, false)?;
            let url = t.url();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
            rt.block_on(catalog::live::introspect_url(url))
                .map_err(|e| match e {
                    catalog::CatalogError::Unreachable(m) => Failure {
                        code: 4,
                        message: format!("{m}; nothing was read"),
                    },
                    e => Failure::input(e.to_string()),
                })
        }
    }
}

/// At most this many unread statements are listed one by one.
const UNREAD_LISTED: usize = 12;

/// Say on stderr which statements of the schema file were not read: a silent skip would
/// pass for a complete schema.
pub fn report_unread(cat: &Catalog) {
    if cat.unread.is_empty() {
        return;
    }
    eprintln!(
        "note: {} of the schema file not read; a plan that touches an object one of them names is refused:",
        plural(cat.unread.len(), "statement", "statements")
    );
    for u in cat.unread.iter().take(UNREAD_LISTED) {
        eprintln!("  {}", escape::line(&u.to_string()));
    }
    if cat.unread.len() > UNREAD_LISTED {
        eprintln!("  ... and {} more", cat.unread.len() - UNREAD_LISTED);
    }
}

/// `name` → `name` made of lower-case letters, digits and dashes.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "change".into() } else { s }
}

/// The next free `plans/NNNN-<slug>.<ext>` (numbers continue after the highest present).
pub fn next_plan_path(dir: &Path, slug: &str, ext: &str) -> PathBuf {
    let highest = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            let digits: String = n.chars().take_while(|c| c.is_ascii_digit()).collect();
            (digits.len() == 4)
                .then(|| digits.parse::<u32>().ok())
                .flatten()
        })
        .max()
        .unwrap_or(0);
    dir.join(format!("{:04}-{slug}.{ext}", highest + 1))
}

/// Serialize a plan in the chosen format.
pub fn serialize(plan: &Plan, format: PlanFormat) -> String {
    match format {
        PlanFormat::Toml => plan.to_toml(),
        PlanFormat::Json => plan.to_json() + "\n",
        PlanFormat::Markdown => render::render(plan, render::Format::Markdown),
    }
}

/// Run `bellows plan`.
pub fn run(a: PlanArgs) -> Result<(), Failure> {
    let s = Settings::from_args(a)?;
    let shown = escape::line(&s.change).into_owned();
    let file_name = Path::new(&s.change)
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    if escape::has_unsafe(&file_name) {
        return Err(Failure::input(format!(
            "the change file's name `{}` holds control characters, which would reach the plan name, the terminal and the review document; rename the file",
            escape::line(&file_name)
        )));
    }
    let text = std::fs::read_to_string(&s.change)
        .map_err(|e| Failure::input(format!("cannot read change file {shown}: {e}")))?;
    let cat = load_catalog(&s.schema)?;
    let opts = Options {
        pg_version: s.pg_version.or(cat.server_version).unwrap_or(15),
        allow_blocking: s.allow_blocking,
        ..Options::default()
    };
    let plan =
        planner::plan(&s.change, &text, &cat, &opts).map_err(|e| Failure::input(e.to_string()))?;
    let body = serialize(&plan, s.format);
    match s.out.as_deref() {
        Some("-") => {
            print!("{body}");
            Ok(())
        }
        out => {
            let ext = match s.format {
                PlanFormat::Toml => "toml",
                PlanFormat::Json => "json",
                PlanFormat::Markdown => "md",
            };
            let path = match out {
                Some(p) => PathBuf::from(p),
                None => {
                    let dir = PathBuf::from("plans");
                    std::fs::create_dir_all(&dir).map_err(|e| {
                        Failure::input(format!("cannot create {}: {e}", dir.display()))
                    })?;
                    next_plan_path(&dir, &slug(&plan.name), ext)
                }
            };
            std::fs::write(&path, body).map_err(|e| {
                Failure::input(format!(
                    "cannot write {}: {e}",
                    escape::line(&path.display().to_string())
                ))
            })?;
            print_summary(&plan, &path, s.format != PlanFormat::Markdown);
            Ok(())
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_summary(plan: &Plan, path: &Path, reviewable: bool) {
    let plan = &escape::for_display(plan);
    let shown = escape::line(&path.display().to_string()).into_owned();
    println!(
        "Planned {}: {} in {}",
        plan.name,
        plural(plan.steps.len(), "step", "steps"),
        plural(plan.phases.len(), "phase", "phases")
    );
    for p in &plan.phases {
        println!(
            "  {:<10} {}",
            p.name(),
            plural(plan.phase_steps(*p).count(), "step", "steps")
        );
    }
    let gates = plan
        .steps
        .iter()
        .filter(|s| s.kind == crate::plan::StepKind::Gate)
        .count();
    let irreversible = plan
        .steps
        .iter()
        .filter(|s| s.rollback_sql.is_none())
        .count();
    if gates > 0 {
        println!("  {} a person must confirm", plural(gates, "gate", "gates"));
    }
    if irreversible > 0 {
        println!(
            "  {} cannot be rolled back",
            plural(irreversible, "step", "steps")
        );
    }
    let blocking = plan.steps.iter().filter(|s| s.blocking).count();
    if blocking > 0 {
        println!(
            "  {} reads or writes (planned because of --allow-blocking)",
            plural(blocking, "step BLOCKS", "steps BLOCK")
        );
    }
    for w in &plan.warnings {
        println!("warning: {w}");
    }
    println!("Wrote {shown}");
    if reviewable {
        println!("Review it with: bellows explain {shown}");
    }
}
