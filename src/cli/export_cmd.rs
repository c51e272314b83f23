//! `bellows export PLAN --to TOOL --out DIR`: the plan as another tool's migration files.

use std::path::Path;

use super::Failure;
use super::args::{ExportArgs, ExportTool};
use crate::export::{self, Tool};
use crate::plan;

fn tool(t: ExportTool) -> Tool {
    match t {
        ExportTool::Flyway => Tool::Flyway,
        ExportTool::GolangMigrate => Tool::GolangMigrate,
        ExportTool::Sqlx => Tool::Sqlx,
        ExportTool::Dbmate => Tool::Dbmate,
        ExportTool::Liquibase => Tool::Liquibase,
    }
}

/// Is `dir` missing or empty?
fn is_empty_dir(dir: &Path) -> Result<bool, Failure> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(Failure::input(format!("{}: {e}", dir.display()))),
    }
}

/// Export a plan into a directory.
pub fn run(a: ExportArgs) -> Result<(), Failure> {
    let p = plan::load_file(&a.plan).map_err(|e| Failure::input(e.to_string()))?;
    let t = tool(a.to);
    let files = export::export(&p, t)
        .map_err(|e| Failure::input(format!("{}: cannot export: {e}", a.plan)))?;
    let dir = Path::new(&a.out);
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::input(format!("{}: not a directory", a.out)));
    }
    if !a.force && !is_empty_dir(dir)? {
        return Err(Failure::input(format!(
            "{}: the directory is not empty; pass --force to write into it anyway",
            a.out
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Failure::input(format!("{}: {e}", a.out)))?;
    for f in &files {
        let path = dir.join(&f.path);
        std::fs::write(&path, &f.contents)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    }
    println!(
        "wrote {} {} file(s) for plan {} into {}",
        files.len(),
        t.name(),
        p.name,
        dir.display()
    );
    Ok(())
}
