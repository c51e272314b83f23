//! Renderers of a plan for reviewers: Markdown (with a mermaid graph), mermaid, DOT, JSON.

pub mod dot;
pub mod markdown;
pub mod mermaid;

/// Output formats of `bellows explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown for a pull request.
    Markdown,
    /// Plan JSON.
    Json,
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// Render `plan` in `format`.
pub fn render(plan: &super::Plan, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(plan),
        Format::Json => plan.to_json() + "\n",
        Format::Dot => dot::render(plan),
        Format::Mermaid => mermaid::render(plan),
    }
}
