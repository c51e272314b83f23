//! Graphviz DOT of the steps, one cluster per phase.

use crate::plan::{Plan, StepKind};

fn quote(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

/// `digraph` text.
pub fn render(plan: &Plan) -> String {
    let mut out = format!(
        "digraph {} {{\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        quote(&plan.name)
    );
    for phase in &plan.phases {
        out.push_str(&format!(
            "  subgraph {} {{\n    label={};\n",
            quote(&format!("cluster_{}", phase.name())),
            quote(phase.title())
        ));
        for s in plan.steps.iter().filter(|s| s.phase == *phase) {
            let shape = match s.kind {
                StepKind::Gate => ", shape=octagon",
                StepKind::Backfill | StepKind::Verify => ", shape=parallelogram",
                _ => "",
            };
            out.push_str(&format!(
                "    {} [label={}{}];\n",
                quote(&s.id),
                quote(&format!(
                    "{}\n{} · {}",
                    s.summary, s.lock.mode, s.lock.duration
                )),
                shape
            ));
        }
        out.push_str("  }\n");
    }
    for s in &plan.steps {
        for d in &s.depends_on {
            out.push_str(&format!("  {} -> {};\n", quote(d), quote(&s.id)));
        }
    }
    out.push_str("}\n");
    out
}
