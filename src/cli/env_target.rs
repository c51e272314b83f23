//! `--env NAME`: the connection target of an environment of `bellows.toml`, instead of
//! `--database-url`. Giving both on the command line is an error; `DATABASE_URL` in the
//! process environment is ignored when `--env` is given.

use super::Failure;
use super::args::EnvArgs;
use crate::env::{Environments, Target};

/// The config file environments are read from.
pub fn config_path(a: &EnvArgs) -> String {
    a.config
        .clone()
        .unwrap_or_else(|| "bellows.toml".to_string())
}

/// The environments of the config file.
pub fn environments(a: &EnvArgs) -> Result<Environments, Failure> {
    let path = config_path(a);
    if a.config.is_none() && !std::path::Path::new(&path).is_file() {
        return Err(Failure::input(
            "--env needs bellows.toml in this directory (or --env-config FILE) with [environments.NAME] tables",
        ));
    }
    Environments::load(&path).map_err(|e| Failure::input(e.to_string()))
}

/// The target of `--env`, if given; refuses `--database-url` given on the command line too.
pub fn target(a: &EnvArgs, database_url: Option<&str>) -> Result<Option<Target>, Failure> {
    let Some(name) = &a.name else {
        return Ok(None);
    };
    if database_url.is_some() && database_url_given_on_command_line() {
        return Err(Failure::input(
            "give --env or --database-url, not both: --env reads the URL from bellows.toml's environment",
        ));
    }
    let envs = environments(a)?;
    let e = envs.get(name).map_err(|e| Failure::input(e.to_string()))?;
    let t = e.resolve().map_err(|e| Failure::input(e.to_string()))?;
    check_isolation(a, &t)?;
    Ok(Some(t))
}

/// Whether `--database-url` itself is on the command line (not only `DATABASE_URL`).
fn database_url_given_on_command_line() -> bool {
    std::env::args().any(|a| a == "--database-url" || a.starts_with("--database-url="))
}

/// When `--env` names a protected environment with `requires_pass_on`: the gate
/// environment's name and target, and the chosen environment's name.
pub fn release_gate(a: &EnvArgs) -> Result<Option<(String, Target, String)>, Failure> {
    let Some(name) = &a.name else {
        return Ok(None);
    };
    let envs = environments(a)?;
    let e = envs.get(name).map_err(|e| Failure::input(e.to_string()))?;
    let (true, Some(gate)) = (e.protected, &e.requires_pass_on) else {
        return Ok(None);
    };
    let g = envs.get(gate).map_err(|e| Failure::input(e.to_string()))?;
    let t = g.resolve().map_err(|e| Failure::input(e.to_string()))?;
    Ok(Some((gate.clone(), t, name.clone())))
}

/// Environments that share a PostgreSQL cluster with `name` (by system identifier, data
/// directory, or address): a warning on standard error, and a refusal when `name` is
/// protected. Environments that cannot be resolved or reached are left out.
pub fn check_isolation(a: &EnvArgs, chosen: &Target) -> Result<(), Failure> {
    let Some(name) = &a.name else {
        return Ok(());
    };
    let envs = environments(a)?;
    let others: Vec<(String, Target)> = envs
        .by_name
        .values()
        .filter(|e| &e.name != name)
        .filter_map(|e| e.resolve().ok().map(|t| (e.name.clone(), t)))
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    let Some(mine) = rt.block_on(crate::executor::release::cluster_identity(chosen)) else {
        return Ok(());
    };
    let shared: Vec<String> = others
        .iter()
        .filter(|(_, t)| {
            rt.block_on(crate::executor::release::cluster_identity(t))
                .is_some_and(|id| id == mine)
        })
        .map(|(n, _)| n.clone())
        .collect();
    if shared.is_empty() {
        return Ok(());
    }
    let protected = envs.get(name).is_ok_and(|e| e.protected);
    let what = format!(
        "environment {name} is on the same PostgreSQL cluster as {} ({mine}): a mistake in one can reach the other",
        shared.join(", ")
    );
    if protected {
        return Err(Failure::input(format!(
            "{what}; {name} is protected, so nothing was done. Give it a cluster of its own"
        )));
    }
    eprintln!("warning: {what}");
    Ok(())
}
