//! `bellows rehearse PLAN (--schema FILE | --env NAME) [--rows N] [--seed S]`: the plan up
//! and down on a throwaway cluster ([`crate::rehearse`]); exit 0 passed, 1 a check failed,
//! 2 bad input.

use std::path::PathBuf;

use super::Failure;
use super::args::{EventFormat, RehearseArgs};
use crate::catalog::Catalog;
use crate::pgtemp::{self, TempCluster};
use crate::rehearse::{self, Settings, source};
use crate::synth;

/// Where the schema comes from, checked.
enum From {
    File(PathBuf),
    Env(crate::env::Target),
}

/// Run the command.
pub fn run(a: RehearseArgs) -> Result<(), Failure> {
    let plan = crate::plan::load_file(&a.plan).map_err(|e| Failure::input(e.to_string()))?;
    if a.rows == 0 || a.rows > 10_000_000 {
        return Err(Failure::input("--rows takes 1 to 10000000"));
    }
    let from = match (&a.schema, &a.env.name) {
        (Some(f), None) => {
            let p = PathBuf::from(f);
            if !p.is_file() {
                return Err(Failure::input(format!(
                    "--schema {f}: no such file; give a pg_dump --schema-only file"
                )));
            }
            From::File(p)
        }
        (None, Some(_)) => From::Env(
            super::env_target::target(&a.env, None)?
                .ok_or_else(|| Failure::input("--env needs a name"))?,
        ),
        _ => {
            return Err(Failure::input(
                "give the schema to rehearse on: --schema FILE (a pg_dump --schema-only file) or --env NAME",
            ));
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    let target_catalog = match &from {
        From::Env(t) => Some(
            rt.block_on(crate::catalog::live::introspect_target(t))
                .map_err(|e| Failure {
                    code: 4,
                    message: t.redact(&e.to_string()),
                })?,
        ),
        From::File(_) => None,
    };
    let cluster = start_cluster(target_catalog.as_ref())?;
    let dumped = std::env::temp_dir().join(format!("bellows-rehearse-{}.sql", std::process::id()));
    let schema = match &from {
        From::File(p) => p.clone(),
        From::Env(t) => {
            source::dump_schema(cluster.bin_dir(), t, &dumped)
                .map_err(|e| Failure::input(e.to_string()))?;
            dumped.clone()
        }
    };
    let settings = Settings {
        synth: synth::Settings {
            rows: a.rows,
            seed: a.seed,
        },
        target: target_catalog,
    };
    eprintln!(
        "rehearsing {} on a throwaway PostgreSQL {} ({} rows per table)...",
        plan.name,
        cluster.server_version(),
        a.rows
    );
    let result = rt.block_on(rehearse::rehearse(&cluster, &plan, &schema, &settings));
    let _ = std::fs::remove_file(&dumped);
    let report = result.map_err(|e| Failure::input(e.to_string()))?;
    match a.format {
        EventFormat::Text => print!("{}", report.text()),
        EventFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    if report.passed {
        Ok(())
    } else {
        Err(Failure {
            code: 1,
            message: "the rehearsal failed: see the checks above".into(),
        })
    }
}

/// A throwaway cluster of the target's major version when its binaries are installed
/// (otherwise the default, which the report names beside the wanted one).
fn start_cluster(target: Option<&Catalog>) -> Result<TempCluster, Failure> {
    let mut b = TempCluster::builder();
    if let Some(dir) = target
        .and_then(|t| t.server_version)
        .and_then(pgtemp::bin_dir_for_major)
    {
        b = b.bin_dir(dir);
    }
    b.start().map_err(|e| {
        Failure::input(format!(
            "cannot start a throwaway PostgreSQL for the rehearsal: {e}\n  (install the server packages, or point BELLOWS_PG_BINDIR at their bin directory)"
        ))
    })
}
