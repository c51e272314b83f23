//! `bellows.toml`'s `[check]` table: settings a team keeps beside its migrations. Command-line
//! flags override it.

use serde::Deserialize;

use super::Failure;

/// The whole file (other tables are left to other commands).
#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    check: CheckConfig,
}

/// `[check]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckConfig {
    /// PostgreSQL major version.
    pub pg_version: Option<u32>,
    /// Migration tool layout.
    pub layout: Option<String>,
    /// Treat every migration as running in a transaction.
    pub assume_in_transaction: Option<bool>,
    /// Only these rules.
    #[serde(default)]
    pub enable: Vec<String>,
    /// Not these rules.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Lowest failing severity.
    pub fail_on: Option<String>,
    /// Starting schema file (relative to the config file).
    pub schema: Option<String>,
}

/// Read `path`, or `bellows.toml` in the current directory when no path is given and it
/// exists. Returns the config and the file it came from.
pub fn load(path: Option<&str>) -> Result<(CheckConfig, Option<String>), Failure> {
    let path = match path {
        Some(p) => p.to_string(),
        None if std::path::Path::new("bellows.toml").is_file() => "bellows.toml".to_string(),
        None => return Ok((CheckConfig::default(), None)),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failure::input(format!("{path}: cannot read the config file: {e}")))?;
    let f: File = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        Failure::input(format!(
            "{path}:{line}: {}\n  hint: the [check] table takes pg-version, layout, assume-in-transaction, enable, disable, fail-on, schema",
            e.message()
        ))
    })?;
    Ok((f.check, Some(path)))
}
