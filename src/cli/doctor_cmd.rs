//! `bellows doctor [--env NAME]`: each environment's server checked against the release
//! practices (`executor::doctor`), as text or JSON; exit 1 when a protected environment has
//! a problem, 2 for a bad config.

use super::Failure;
use super::args::{DoctorArgs, EnvArgs, EventFormat};
use crate::executor::doctor::{self, Report, Severity, Subject};

/// Run the command.
pub fn run(a: DoctorArgs) -> Result<(), Failure> {
    let env_args = EnvArgs {
        name: a.name.clone(),
        config: a.config.clone(),
    };
    let path = super::env_target::config_path(&env_args);
    if a.config.is_none() && !std::path::Path::new(&path).is_file() {
        return Err(Failure::input(
            "doctor reads the environments of bellows.toml in this directory (or --env-config FILE): add [environments.NAME] tables",
        ));
    }
    let envs = crate::env::Environments::load(&path).map_err(|e| Failure::input(e.to_string()))?;
    let chosen: Vec<&crate::env::Environment> = match &a.name {
        Some(n) => vec![envs.get(n).map_err(|e| Failure::input(e.to_string()))?],
        None => envs.by_name.values().collect(),
    };
    if chosen.is_empty() {
        return Err(Failure::input(format!("{path} defines no environment")));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    let mut reports: Vec<Report> = Vec::new();
    for e in chosen {
        match e.resolve() {
            Ok(t) => reports.push(rt.block_on(doctor::examine(&Subject {
                name: &e.name,
                target: &t,
                protected: e.protected,
                app_role: e.app_role.as_deref(),
            }))),
            Err(err) => reports.push(Report {
                environment: e.name.clone(),
                protected: e.protected,
                server_version: None,
                major: None,
                findings: vec![doctor::Finding {
                    severity: Severity::Problem,
                    what: err.to_string(),
                    todo: "fix the environment in bellows.toml or its secret source".into(),
                }],
            }),
        }
    }
    doctor::parity(&mut reports);
    match a.format {
        EventFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        ),
        EventFormat::Text => print!("{}", text(&reports)),
    }
    let failing: Vec<&str> = reports
        .iter()
        .filter(|r| r.protected && r.findings.iter().any(|f| f.severity == Severity::Problem))
        .map(|r| r.environment.as_str())
        .collect();
    if failing.is_empty() {
        return Ok(());
    }
    Err(Failure {
        code: 1,
        message: format!(
            "protected environment(s) with problems: {}",
            failing.join(", ")
        ),
    })
}

/// The reports as lines for people.
fn text(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&format!(
            "{}{}: {}\n",
            r.environment,
            if r.protected { " (protected)" } else { "" },
            r.server_version
                .as_deref()
                .map(|v| format!("PostgreSQL {v}"))
                .unwrap_or_else(|| "not reached".into())
        ));
        for f in &r.findings {
            let tag = match f.severity {
                Severity::Problem => "problem",
                Severity::Note => "note   ",
            };
            out.push_str(&format!("  {tag} {}\n          → {}\n", f.what, f.todo));
        }
        if r.findings.is_empty() {
            out.push_str("  nothing to report\n");
        }
    }
    out
}
