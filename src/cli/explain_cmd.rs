//! `bellows explain PLAN`.

use super::Failure;
use super::args::{ExplainArgs, ExplainFormat};
use crate::plan::{self, render};

/// Render a plan to standard output.
pub fn run(a: ExplainArgs) -> Result<(), Failure> {
    let p = plan::load_file(&a.plan).map_err(|e| Failure::input(e.to_string()))?;
    let f = match a.format {
        ExplainFormat::Markdown => render::Format::Markdown,
        ExplainFormat::Json => render::Format::Json,
        ExplainFormat::Dot => render::Format::Dot,
        ExplainFormat::Mermaid => render::Format::Mermaid,
    };
    print!("{}", render::render(&p, f));
    Ok(())
}
