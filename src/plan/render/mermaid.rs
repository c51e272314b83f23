//! Mermaid flowchart of the steps, one subgraph per phase.

use crate::plan::{Plan, StepKind};

/// Escape a label for a mermaid `["..."]` node.
fn label(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// `flowchart TD` text.
pub fn render(plan: &Plan) -> String {
    let mut out = String::from("flowchart TD\n");
    let node = |i: usize| format!("s{}", i + 1);
    for phase in &plan.phases {
        out.push_str(&format!(
            "  subgraph {}[\"{}\"]\n",
            phase.name(),
            phase.title()
        ));
        for (i, s) in plan
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.phase == *phase)
        {
            let text = label(&format!("{}: {}", s.id, s.summary));
            let shape = match s.kind {
                StepKind::Gate => format!("{{{{\"{text}\"}}}}"),
                StepKind::Backfill | StepKind::Verify => format!("[/\"{text}\"/]"),
                _ => format!("[\"{text}\"]"),
            };
            out.push_str(&format!("    {}{}\n", node(i), shape));
        }
        out.push_str("  end\n");
    }
    for (i, s) in plan.steps.iter().enumerate() {
        for d in &s.depends_on {
            if let Some(j) = plan.steps.iter().position(|x| &x.id == d) {
                out.push_str(&format!("  {} --> {}\n", node(j), node(i)));
            }
        }
    }
    out
}
