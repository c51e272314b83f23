//! `bellows seed --env NAME --rows N [--seed S]`: synthetic rows into a development
//! environment's empty tables; a protected environment is refused (exit 2).

use super::Failure;
use super::args::SeedArgs;
use crate::executor::seed::{self, Seeded};
use crate::synth::{self, Settings};

/// Run the command.
pub fn run(a: SeedArgs) -> Result<(), Failure> {
    let Some(name) = a.env.name.clone() else {
        return Err(Failure::input(
            "seed needs --env NAME: the development environment of bellows.toml to fill",
        ));
    };
    if a.rows == 0 || a.rows > 100_000_000 {
        return Err(Failure::input("--rows takes 1 to 100000000"));
    }
    let envs = super::env_target::environments(&a.env)?;
    let e = envs.get(&name).map_err(|e| Failure::input(e.to_string()))?;
    if e.protected {
        return Err(Failure::input(format!(
            "environment {name} is protected: seed writes synthetic rows only into development databases, so nothing was done"
        )));
    }
    let target = super::env_target::target(&a.env, None)?
        .ok_or_else(|| Failure::input("seed needs --env NAME"))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    let cat = rt
        .block_on(crate::catalog::live::introspect_target(&target))
        .map_err(|e| Failure {
            code: 4,
            message: target.redact(&e.to_string()),
        })?;
    let plans = synth::plan(
        &cat,
        &Settings {
            rows: a.rows,
            seed: a.seed,
        },
    );
    let done = rt
        .block_on(seed::seed(&target, &plans))
        .map_err(|e| Failure {
            code: e.exit_code(),
            message: e.to_string(),
        })?;
    let mut filled = 0;
    for d in &done {
        match d {
            Seeded::Filled { table, rows } => {
                filled += 1;
                println!("filled {table}: {rows} rows");
            }
            Seeded::Left { table, why } => println!("left   {table}: {why}"),
        }
    }
    println!("{filled} of {} table(s) filled in {name}", done.len());
    Ok(())
}
