//! `bellows.toml`'s `[environments.NAME]` tables: where each environment's database is,
//! without its credentials (a `url` with a password is refused; `url_env` names a variable,
//! `url_command` a secret manager's command), whether it is protected, which environment
//! must have run a plan first, and its TLS policy.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::EnvError;

/// The `[environments]` of a config file.
#[derive(Debug, Clone, Default)]
pub struct Environments {
    /// The file they came from.
    pub file: String,
    /// By name.
    pub by_name: BTreeMap<String, Environment>,
}

/// One environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Its name (`production`).
    pub name: String,
    /// The line of its `[environments.NAME]` header.
    pub line: usize,
    /// Where its URL comes from.
    pub source: UrlSource,
    /// Protected: needs a clean pass on `requires_pass_on` first, never seeded.
    pub protected: bool,
    /// The environment that must have run a plan to its end before this one may.
    pub requires_pass_on: Option<String>,
    /// TLS policy (a protected environment without one: `verify-full`).
    pub tls: Option<Tls>,
    /// The application's role, for the privilege check.
    pub app_role: Option<String>,
}

/// Where an environment's URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    /// Written in the file (never with a password).
    Url(String),
    /// The value of this environment variable.
    Variable(String),
    /// The standard output of this command, run without a shell.
    Command(Vec<String>),
}

/// `tls = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tls {
    /// Cleartext allowed (a network the team trusts).
    Disable,
    /// TLS, any certificate.
    Require,
    /// TLS with the server's certificate and host name checked.
    VerifyFull,
}

impl Tls {
    /// The libpq `sslmode` it means.
    pub fn sslmode(self) -> &'static str {
        match self {
            Tls::Disable => "disable",
            Tls::Require => "require",
            Tls::VerifyFull => "verify-full",
        }
    }
}

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    environments: BTreeMap<String, RawEnv>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    url: Option<String>,
    url_env: Option<String>,
    url_command: Option<Vec<String>>,
    #[serde(default)]
    protected: bool,
    requires_pass_on: Option<String>,
    tls: Option<Tls>,
    app_role: Option<String>,
}

impl Environments {
    /// Read the environments of config file `file` whose text is `text`.
    pub fn parse(file: &str, text: &str) -> Result<Self, EnvError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            EnvError::Config {
                file: file.to_string(),
                line,
                message: e.message().to_string(),
                hint: "an environment takes url, url_env or url_command, and protected, requires_pass_on, tls (disable, require, verify-full), app_role".into(),
            }
        })?;
        let mut by_name = BTreeMap::new();
        for (name, r) in raw.environments {
            let line = header_line(text, &name);
            let e = environment(file, &name, line, r)?;
            by_name.insert(name, e);
        }
        let out = Environments {
            file: file.to_string(),
            by_name,
        };
        out.check_references()?;
        Ok(out)
    }

    /// Read `path`.
    pub fn load(path: &str) -> Result<Self, EnvError> {
        let text = std::fs::read_to_string(path).map_err(|e| EnvError::Config {
            file: path.to_string(),
            line: 1,
            message: format!("cannot read the config file: {e}"),
            hint: "environments are defined in bellows.toml as [environments.NAME] tables".into(),
        })?;
        Self::parse(path, &text)
    }

    /// The environment called `name`.
    pub fn get(&self, name: &str) -> Result<&Environment, EnvError> {
        self.by_name.get(name).ok_or_else(|| EnvError::Unknown {
            name: name.to_string(),
            file: self.file.clone(),
            known: self.by_name.keys().cloned().collect(),
        })
    }

    fn check_references(&self) -> Result<(), EnvError> {
        for e in self.by_name.values() {
            if let Some(p) = &e.requires_pass_on {
                if !self.by_name.contains_key(p) || p == &e.name {
                    return Err(EnvError::Config {
                        file: self.file.clone(),
                        line: e.line,
                        message: format!(
                            "environment {} requires a pass on `{p}`, which is not another environment of this file",
                            e.name
                        ),
                        hint: "name the environment a plan must complete on first, e.g. requires_pass_on = \"staging\"".into(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// One environment from its table, refusing credentials in the file.
fn environment(file: &str, name: &str, line: usize, r: RawEnv) -> Result<Environment, EnvError> {
    let bad = |message: String, hint: &str| EnvError::Config {
        file: file.to_string(),
        line,
        message,
        hint: hint.to_string(),
    };
    let source = match (r.url, r.url_env, r.url_command) {
        (Some(u), None, None) => {
            let t = super::Target::parse(&u).map_err(|e| {
                bad(
                    format!("environment {name}: {}", super::redact(&e.to_string(), &u)),
                    "write url as postgres://user@host:port/database",
                )
            })?;
            if t.has_password() {
                return Err(bad(
                    format!(
                        "environment {name}: the url carries a password, and credentials never live in the config file"
                    ),
                    "move the URL to a variable (url_env = \"NAME_DATABASE_URL\") or a secret manager (url_command = [...]), or leave the password out and use PGPASSWORD or ~/.pgpass",
                ));
            }
            UrlSource::Url(u)
        }
        (None, Some(v), None) if !v.trim().is_empty() => UrlSource::Variable(v),
        (None, None, Some(c)) if !c.is_empty() && !c[0].trim().is_empty() => UrlSource::Command(c),
        _ => {
            return Err(bad(
                format!("environment {name} needs exactly one of url, url_env, url_command"),
                "e.g. url_env = \"STAGING_DATABASE_URL\", or url_command = [\"vault\", \"kv\", \"get\", \"-field=url\", \"secret/db/prod\"]",
            ));
        }
    };
    Ok(Environment {
        name: name.to_string(),
        line,
        source,
        protected: r.protected,
        requires_pass_on: r.requires_pass_on,
        tls: r.tls,
        app_role: r.app_role,
    })
}

/// The line of `[environments.NAME]` (1 when it cannot be found, e.g. an inline table).
fn header_line(text: &str, name: &str) -> usize {
    let wanted = [
        format!("[environments.{name}]"),
        format!("[environments.\"{name}\"]"),
    ];
    text.lines()
        .position(|l| {
            let l: String = l
                .split('#')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            wanted.contains(&l)
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[environments.dev]
url = "postgres://localhost/app_dev"

[environments.staging]
url_env = "STAGING_DATABASE_URL"

[environments.production]
url_command = ["vault", "kv", "get", "-field=url", "secret/db/prod"]
protected = true
requires_pass_on = "staging"
tls = "verify-full"
app_role = "app"
"#;

    #[test]
    fn the_three_sources_and_the_policies_are_read() {
        let e = Environments::parse("bellows.toml", FILE).expect("reads");
        assert_eq!(
            e.get("dev").expect("dev").source,
            UrlSource::Url("postgres://localhost/app_dev".into())
        );
        assert_eq!(
            e.get("staging").expect("staging").source,
            UrlSource::Variable("STAGING_DATABASE_URL".into())
        );
        let p = e.get("production").expect("production");
        assert!(p.protected);
        assert_eq!(p.line, 8);
        assert_eq!(p.tls, Some(Tls::VerifyFull));
        assert_eq!(p.requires_pass_on.as_deref(), Some("staging"));
        let err = e.get("prod").expect_err("unknown").to_string();
        assert!(err.contains("dev, production, staging"), "{err}");
    }

    #[test]
    fn a_password_in_the_file_is_refused_with_its_line_and_never_repeated() {
        let text = "[environments.dev]\nurl = \"postgres://localhost/x\"\n\n[environments.staging]\nurl = \"postgres://app:s3cret@db.internal/app\"\n";
        let err = Environments::parse("bellows.toml", text)
            .expect_err("refused")
            .to_string();
        assert!(err.starts_with("bellows.toml:4:"), "{err}");
        assert!(err.contains("url_env") && !err.contains("s3cret"), "{err}");
        let kv = "[environments.x]\nurl = \"host=db password=s3cret dbname=a\"\n";
        let err = Environments::parse("b.toml", kv)
            .expect_err("refused")
            .to_string();
        assert!(!err.contains("s3cret"), "{err}");
    }

    #[test]
    fn sources_are_exclusive_and_references_must_exist() {
        let both = "[environments.a]\nurl = \"postgres://localhost/a\"\nurl_env = \"A\"\n";
        assert!(Environments::parse("f", both).is_err());
        let none = "[environments.a]\nprotected = true\n";
        assert!(Environments::parse("f", none).is_err());
        let dangling = "[environments.a]\nurl_env = \"A\"\nrequires_pass_on = \"staging\"\n";
        let err = Environments::parse("f", dangling)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("staging"), "{err}");
        let typo = "[environments.a]\nurl_env = \"A\"\ntls = \"verify\"\n";
        assert!(Environments::parse("f", typo).is_err());
        let unknown = "[environments.a]\nurl_env = \"A\"\npassword = \"x\"\n";
        assert!(Environments::parse("f", unknown).is_err());
    }
}
