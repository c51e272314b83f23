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

/// Render `plan` in `format`. Control and bidi-override characters (from a file name or a
/// quoted identifier) are shown escaped, never passed through (JSON escapes them itself).
pub fn render(plan: &super::Plan, format: Format) -> String {
    if format == Format::Json {
        return super::escape::json(&(plan.to_json() + "\n"));
    }
    let shown = super::escape::for_display(plan);
    let text = match format {
        Format::Markdown => markdown::render(&shown),
        Format::Dot => dot::render(&shown),
        Format::Mermaid | Format::Json => mermaid::render(&shown),
    };
    super::escape::block(&text).into_owned()
}
