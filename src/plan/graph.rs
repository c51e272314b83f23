//! The plan's dependency graph (petgraph): cycle detection and execution order.

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};

use super::model::Step;

/// Build the graph of `steps` (edge: dependency → dependent). Unknown ids are reported.
pub fn build(steps: &[Step]) -> Result<DiGraph<usize, ()>, String> {
    let mut g = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..steps.len()).map(|i| g.add_node(i)).collect();
    let index: std::collections::HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    for (i, s) in steps.iter().enumerate() {
        for d in &s.depends_on {
            let Some(&j) = index.get(d.as_str()) else {
                return Err(format!(
                    "step `{}` depends on `{}`, which is not in the plan",
                    s.id, d
                ));
            };
            g.add_edge(nodes[j], nodes[i], ());
        }
    }
    Ok(g)
}

/// Indices of `steps` in an order that respects dependencies, phases first, then the
/// original order as a tie-break; or the id of a step on a cycle.
pub fn order(steps: &[Step]) -> Result<Vec<usize>, String> {
    let g = build(steps)?;
    toposort(&g, None).map_err(|c| {
        let i = g[c.node_id()];
        format!("steps form a cycle through `{}`", steps[i].id)
    })?;
    // Stable Kahn's algorithm: always take the ready step with the smallest (phase, index).
    let n = steps.len();
    let mut indeg = vec![0usize; n];
    for e in g.edge_indices() {
        if let Some((_, b)) = g.edge_endpoints(e) {
            indeg[g[b]] += 1;
        }
    }
    let mut ready: std::collections::BTreeSet<(crate::plan::Phase, usize)> = (0..n)
        .filter(|&i| indeg[i] == 0)
        .map(|i| (steps[i].phase, i))
        .collect();
    let mut out = Vec::with_capacity(n);
    while let Some(first) = ready.iter().next().copied() {
        ready.remove(&first);
        let i = first.1;
        out.push(i);
        for nb in g.neighbors(NodeIndex::new(i)) {
            let j = g[nb];
            indeg[j] -= 1;
            if indeg[j] == 0 {
                ready.insert((steps[j].phase, j));
            }
        }
    }
    Ok(out)
}
