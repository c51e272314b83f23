//! `bellows diff A B`: where two schemas differ. A and B are each a schema file, a
//! `postgres://` URL or an environment name; the comparison is [`crate::parity`].

use super::Failure;
use super::args::{DiffArgs, DiffFormat, EnvArgs};
use crate::catalog::{self, Catalog};
use crate::env::Target;
use crate::parity::{self, render};

/// Where one side's schema comes from.
#[derive(Debug)]
enum Source {
    /// A schema file.
    File(String),
    /// A live database.
    Database(Target),
}

impl Source {
    /// For output: the path, or `host:port/db` (never a user or password).
    fn label(&self) -> String {
        match self {
            Source::File(p) => p.clone(),
            Source::Database(t) => t.describe(),
        }
    }
}

/// The database of environment `name` of the config file (url, url_env or url_command,
/// with its TLS policy); warns or refuses when it shares a cluster with another environment.
fn resolve_env(name: &str, config: Option<&str>) -> Result<Target, Failure> {
    if config.is_none() && !std::path::Path::new("bellows.toml").is_file() {
        return Err(Failure::input(format!(
            "{name} is neither a file nor a URL, and there is no bellows.toml here to name environments: \
             pass a schema file, a postgres:// URL, or --env-config FILE with [environments.{name}]"
        )));
    }
    let args = EnvArgs {
        name: Some(name.to_string()),
        config: config.map(str::to_string),
    };
    super::env_target::target(&args, None).map(|t| t.expect("--env name is given"))
}

/// What `arg` (side `side`, `A` or `B`) names.
fn source(side: &str, arg: &str, config: Option<&str>) -> Result<Source, Failure> {
    if arg.starts_with("postgres://") || arg.starts_with("postgresql://") {
        let t = Target::parse(arg).map_err(|e| Failure::input(format!("{side}: {e}")))?;
        let t = super::run_cmd::connection_policy(t, false)?;
        return Ok(Source::Database(t));
    }
    let path = std::path::Path::new(arg);
    if path.is_file() {
        return Ok(Source::File(arg.to_string()));
    }
    let is_name = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if is_name && !path.exists() {
        return resolve_env(arg, config)
            .map(Source::Database)
            .map_err(|mut f| {
                f.message = format!("{side}: {}", f.message);
                f
            });
    }
    Err(Failure::input(format!(
        "{side}: {arg} is not a readable schema file; pass a schema file, a postgres:// URL or an environment name"
    )))
}

/// Read one side's catalog. An unreachable database is exit 4.
fn load(side: &str, src: &Source, rt: &tokio::runtime::Runtime) -> Result<Catalog, Failure> {
    match src {
        Source::File(path) => {
            let cat =
                catalog::load_file(path).map_err(|e| Failure::input(format!("{side}: {e}")))?;
            super::plan_cmd::report_unread(&cat);
            Ok(cat)
        }
        Source::Database(t) => rt.block_on(async {
            let mut conn = catalog::live::connect_to(t).await.map_err(|e| Failure {
                code: 4,
                message: format!("{side}: {e}"),
            })?;
            catalog::live::introspect(&mut conn)
                .await
                .map_err(|e| Failure::input(format!("{side}: {}", t.redact(&e.to_string()))))
        }),
    }
}

/// Compare A and B, print the report; exit 1 when they differ.
pub fn run(a: DiffArgs) -> Result<(), Failure> {
    let (sa, sb) = (
        source("A", &a.a, a.env_config.as_deref())?,
        source("B", &a.b, a.env_config.as_deref())?,
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    let ca = load("A", &sa, &rt)?;
    let cb = load("B", &sb, &rt)?;
    let report = parity::compare(&ca, &cb);
    let (la, lb) = (sa.label(), sb.label());
    let out = match a.format {
        DiffFormat::Text => render::text(&report, &la, &lb),
        DiffFormat::Json => render::json(&report, &la, &lb),
        DiffFormat::Markdown => render::markdown(&report, &la, &lb),
    };
    print!("{out}");
    if let Some(path) = &a.emit_change {
        let text = parity::emit::change_file(&report, &ca, &cb);
        std::fs::write(path, text)
            .map_err(|e| Failure::input(format!("--emit-change {path}: {e}")))?;
        eprintln!("wrote {path}: the change that brings B to A's shape");
    }
    if report.is_identical() {
        Ok(())
    } else {
        Err(Failure {
            code: 1,
            message: format!(
                "A and B differ: {} difference(s) in {} object(s)",
                report.len(),
                report.objects.len()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_environment_name_missing_from_the_config_is_bad_input_naming_the_side() {
        let dir = std::env::temp_dir().join(format!("bellows-diff-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let cfg = dir.join("bellows.toml");
        std::fs::write(
            &cfg,
            "[environments.dev]\nurl = \"postgres://localhost/app_dev\"\n",
        )
        .expect("write");
        let e = source("A", "staging", cfg.to_str()).expect_err("unknown");
        assert_eq!(e.code, 2);
        assert!(e.message.starts_with("A: "), "{}", e.message);
        assert!(e.message.contains("staging"), "{}", e.message);
        let s = source("B", "dev", cfg.to_str()).expect("dev");
        assert_eq!(s.label(), "localhost:5432/app_dev");
    }

    #[test]
    fn a_missing_file_is_bad_input_naming_the_side() {
        let e = source("B", "no/such/schema.sql", None).expect_err("missing");
        assert_eq!(e.code, 2);
        assert!(
            e.message.starts_with("B: no/such/schema.sql"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_url_is_described_without_its_password() {
        let s = source("A", "postgres://u:secret@db.example:5433/app", None).expect("url");
        assert_eq!(s.label(), "db.example:5433/app");
    }
}
