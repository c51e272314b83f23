//! What each gate and irreversible contract step must find true, read from the plan's own steps (their kinds and SQL): no plan field is needed, so plans made before the guard existed are guarded too.

use std::collections::BTreeMap;

use crate::plan::{Phase, Plan, Step, StepKind, Verify};
use crate::sql::ddl::AlterAction;
use crate::sql::{self, Ddl, QName};

/// A fact about the live catalog that must hold before something is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// The column exists with this type (and NOT NULL when `not_null`).
    Column {
        /// Its table.
        table: QName,
        /// Column name.
        name: String,
        /// Planned type, canonical spelling.
        ty: String,
        /// Planned NOT NULL.
        not_null: bool,
    },
    /// The trigger exists on the table, fires (enabled), and executes `function`.
    Trigger {
        /// Its table.
        table: QName,
        /// Trigger name.
        name: String,
        /// The function it executes.
        function: QName,
    },
    /// The index exists and is valid.
    Index {
        /// Qualified index name.
        index: QName,
    },
    /// The constraint exists on the table (and is validated when `validated`).
    Constraint {
        /// Its table.
        table: QName,
        /// Constraint name.
        name: String,
        /// Planned to be validated.
        validated: bool,
    },
    /// Nothing outside the table and the plan depends on the column (or, when `column` is
    /// None, on the table): no view, rule, policy, foreign key of another table, trigger,
    /// function or default other than the objects in `known`.
    NoDependants {
        /// The table.
        table: QName,
        /// The column, or None for the whole table.
        column: Option<String>,
        /// Objects the plan itself moves or drops.
        known: Vec<Known>,
    },
}

/// A dependant the plan accounts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// A trigger the plan drops (the sync trigger).
    Trigger {
        /// Its table.
        table: QName,
        /// Name.
        name: String,
    },
    /// A constraint the plan drops or moves (a foreign key that referenced the old column).
    Constraint {
        /// Its table.
        table: QName,
        /// Name.
        name: String,
    },
    /// A sequence the plan hands to the new column.
    Sequence(QName),
    /// A view (or materialized view) the switch-over replaces, drops or re-creates on the
    /// new column.
    View(QName),
    /// A row-level security policy the switch-over drops and re-creates on the new column.
    Policy {
        /// Its table.
        table: QName,
        /// Name.
        name: String,
    },
    /// A table dropped by the same step (objects on it go with it).
    Table(QName),
}

/// What one gate or irreversible step must find before it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// Catalog facts, checked online and again inside the step's own transaction.
    pub facts: Vec<Fact>,
    /// Data that must still hold (the plan's verification of the copy), read online, in
    /// batches, right before the step.
    pub data: Option<Verify>,
}

/// Step id → its guard, for every gate and irreversible step of the contract phase that drops
/// something.
pub fn guards(plan: &Plan) -> BTreeMap<String, Guard> {
    let mut out = BTreeMap::new();
    let mut statements: Vec<usize> = plan.steps.iter().map(|s| s.statement).collect();
    statements.sort_unstable();
    statements.dedup();
    for n in statements {
        let steps: Vec<&Step> = plan.steps.iter().filter(|s| s.statement == n).collect();
        statement(&steps, &mut out);
    }
    out
}

/// The statements of a step, read back with bellows' own parser (unreadable ones skipped).
fn ddl(step: &Step) -> Vec<Ddl> {
    step.sql
        .iter()
        .filter_map(|q| sql::parse_file(&step.id, q, true).ok())
        .flatten()
        .map(|s| s.ddl)
        .collect()
}

/// ALTER TABLE actions of a step, with their table.
fn actions(step: &Step) -> Vec<(QName, AlterAction)> {
    ddl(step)
        .into_iter()
        .filter_map(|d| match d {
            Ddl::AlterTable { table, actions, .. } => Some((table, actions)),
            _ => None,
        })
        .flat_map(|(t, acts)| acts.into_iter().map(move |a| (t.clone(), a)))
        .collect()
}

fn irreversible(s: &Step) -> bool {
    s.phase == Phase::Contract && s.rollback_sql.is_none() && s.kind != StepKind::Gate
}

/// What the step drops: columns and tables.
fn drops(step: &Step) -> Vec<Fact> {
    let mut out = Vec::new();
    for d in ddl(step) {
        match d {
            Ddl::AlterTable { table, actions, .. } => {
                for a in actions {
                    if let AlterAction::DropColumn { name, .. } = a {
                        out.push(Fact::NoDependants {
                            table: table.clone(),
                            column: Some(name),
                            known: Vec::new(),
                        });
                    }
                }
            }
            Ddl::DropTable { names, .. } => {
                for t in &names {
                    out.push(Fact::NoDependants {
                        table: t.clone(),
                        column: None,
                        known: names.iter().map(|n| Known::Table(n.clone())).collect(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn statement(steps: &[&Step], out: &mut BTreeMap<String, Guard>) {
    let irrev: Vec<&Step> = steps.iter().copied().filter(|s| irreversible(s)).collect();
    if irrev.is_empty() {
        return;
    }
    let gates = steps
        .iter()
        .filter(|s| s.phase == Phase::Contract && s.kind == StepKind::Gate);
    if let Some(sh) = Shadow::read(steps) {
        for g in gates {
            out.insert(g.id.clone(), sh.before_switch(false));
        }
        out.insert(sh.switch.clone(), sh.before_switch(true));
        for s in irrev.iter().filter(|s| s.id != sh.switch) {
            let mut facts = drops(s);
            if !facts.is_empty() {
                facts.insert(0, sh.replacement_after_switch());
                out.insert(s.id.clone(), Guard { facts, data: None });
            }
        }
        return;
    }
    let mut all = Vec::new();
    for s in &irrev {
        let facts = drops(s);
        if !facts.is_empty() {
            all.extend(facts.iter().cloned());
            out.insert(s.id.clone(), Guard { facts, data: None });
        }
    }
    if !all.is_empty() {
        for g in gates {
            out.insert(
                g.id.clone(),
                Guard {
                    facts: all.clone(),
                    data: None,
                },
            );
        }
    }
}

/// A shadow-column statement (rename or type change) as its steps describe it.
struct Shadow {
    table: QName,
    /// The old column's name before the switch-over.
    old: Option<String>,
    /// The shadow column as added.
    new: String,
    ty: String,
    not_null: bool,
    triggers: Vec<(String, QName)>,
    carried: Vec<Fact>,
    verify: Option<Verify>,
    /// The switch-over (or swap) step.
    switch: String,
    /// What the switch-over itself drops or moves.
    moved: Vec<Known>,
    /// Column renames the switch-over makes, in order.
    renames: Vec<(String, String)>,
}

impl Shadow {
    fn read(steps: &[&Step]) -> Option<Self> {
        let trig = steps.iter().find(|s| s.kind == StepKind::Trigger)?;
        let triggers: Vec<(String, QName)> = ddl(trig)
            .into_iter()
            .filter_map(|d| match d {
                Ddl::CreateTrigger(t) => Some((t.name, t.function)),
                _ => None,
            })
            .collect();
        let (table, col) = steps
            .iter()
            .filter(|s| s.phase == Phase::Expand)
            .flat_map(|s| actions(s))
            .find_map(|(t, a)| match a {
                AlterAction::AddColumn { column, .. } => Some((t, column)),
                _ => None,
            })?;
        let switch = steps
            .iter()
            .find(|s| irreversible(s) && drops(s).is_empty())?;
        let before: Vec<&Step> = steps
            .iter()
            .copied()
            .filter(|s| s.phase < Phase::Contract)
            .collect();
        let mut sh = Shadow {
            table: table.clone(),
            old: None,
            new: col.name.clone(),
            ty: col.ty.clone(),
            not_null: col.not_null,
            triggers,
            carried: Vec::new(),
            verify: before
                .iter()
                .filter_map(|s| s.verify.clone())
                .find(|v| v.table == table.sql()),
            switch: switch.id.clone(),
            moved: Vec::new(),
            renames: Vec::new(),
        };
        sh.read_carried(&before);
        // Other tables' keys on the old column are dropped one by one between the gate and
        // the switch-over, each in its own transaction: the switch-over moves them too.
        for s in steps
            .iter()
            .filter(|s| s.phase == Phase::Contract && !irreversible(s) && s.id != switch.id)
        {
            sh.read_dropped_constraints(s);
        }
        sh.read_switch(switch);
        sh.old = steps
            .iter()
            .filter(|s| irreversible(s))
            .flat_map(|s| actions(s))
            .find_map(|(t, a)| match a {
                AlterAction::DropColumn { name, .. } if t == table => Some(name),
                _ => None,
            })
            .map(|dropped| {
                sh.renames.iter().rev().fold(
                    dropped,
                    |n, (from, to)| if n == *to { from.clone() } else { n },
                )
            });
        Some(sh)
    }

    /// NOT NULL, indexes and constraints the earlier phases gave the shadow column.
    fn read_carried(&mut self, before: &[&Step]) {
        let mut validated: Vec<(QName, String)> = Vec::new();
        let mut dropped: Vec<(QName, String)> = Vec::new();
        let mut added: Vec<(QName, String, bool)> = Vec::new();
        let mut indexes: Vec<QName> = Vec::new();
        for s in before {
            for d in ddl(s) {
                match d {
                    Ddl::CreateIndex(ix) => {
                        if let Some(n) = ix.name {
                            indexes.push(ix.table.sibling(n));
                        }
                    }
                    Ddl::AlterTable { table, actions, .. } => {
                        for a in actions {
                            match a {
                                AlterAction::SetNotNull { column }
                                    if table == self.table && column == self.new =>
                                {
                                    self.not_null = true;
                                }
                                AlterAction::AddConstraint { def, not_valid } => {
                                    if let Some(n) = def.name {
                                        added.push((table.clone(), n, !not_valid));
                                    }
                                }
                                AlterAction::ValidateConstraint { name } => {
                                    validated.push((table.clone(), name));
                                }
                                AlterAction::DropConstraint { name, .. } => {
                                    dropped.push((table.clone(), name));
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        self.carried
            .extend(indexes.into_iter().map(|index| Fact::Index { index }));
        for (table, name, valid) in added {
            let key = (table.clone(), name.clone());
            if dropped.contains(&key) {
                continue;
            }
            self.carried.push(Fact::Constraint {
                validated: valid || validated.contains(&key),
                table,
                name,
            });
        }
    }

    /// The constraints `step` drops, as moved by the switch-over.
    fn read_dropped_constraints(&mut self, step: &Step) {
        for (table, a) in actions(step) {
            if let AlterAction::DropConstraint { name, .. } = a {
                self.moved.push(Known::Constraint { table, name });
            }
        }
    }

    /// What the switch-over drops, moves and renames.
    fn read_switch(&mut self, switch: &Step) {
        for d in ddl(switch) {
            match d {
                Ddl::AlterTable { table, actions, .. } => {
                    for a in actions {
                        match a {
                            AlterAction::DropConstraint { name, .. } => {
                                self.moved.push(Known::Constraint {
                                    table: table.clone(),
                                    name,
                                });
                            }
                            AlterAction::RenameColumn { from, to } if table == self.table => {
                                self.renames.push((from, to));
                            }
                            _ => {}
                        }
                    }
                }
                Ddl::SequenceOwnedBy { sequence, .. } => self.moved.push(Known::Sequence(sequence)),
                Ddl::CreateView(v) => self.moved.push(Known::View(v.name)),
                Ddl::DropView { names, .. } => {
                    self.moved.extend(names.into_iter().map(Known::View));
                }
                Ddl::DropPolicy { name, table, .. } => {
                    self.moved.push(Known::Policy { table, name });
                }
                _ => {}
            }
        }
        self.moved
            .extend(self.triggers.iter().map(|(name, _)| Known::Trigger {
                table: self.table.clone(),
                name: name.clone(),
            }));
    }

    /// Before the gate and the switch-over: the copy, its sync trigger, what was carried over,
    /// and nothing unplanned reading the old column; with `data`, the copy's values too.
    fn before_switch(&self, data: bool) -> Guard {
        let mut facts = vec![Fact::Column {
            table: self.table.clone(),
            name: self.new.clone(),
            ty: self.ty.clone(),
            not_null: self.not_null,
        }];
        facts.extend(self.triggers.iter().map(|(name, function)| Fact::Trigger {
            table: self.table.clone(),
            name: name.clone(),
            function: function.clone(),
        }));
        facts.extend(self.carried.iter().cloned());
        if let Some(old) = &self.old {
            facts.push(Fact::NoDependants {
                table: self.table.clone(),
                column: Some(old.clone()),
                known: self.moved.clone(),
            });
        }
        Guard {
            facts,
            data: if data { self.verify.clone() } else { None },
        }
    }

    /// After the switch-over: the column that now holds the data, under its final name.
    fn replacement_after_switch(&self) -> Fact {
        let name =
            self.renames.iter().fold(
                self.new.clone(),
                |n, (from, to)| if n == *from { to.clone() } else { n },
            );
        Fact::Column {
            table: self.table.clone(),
            name,
            ty: self.ty.clone(),
            not_null: self.not_null,
        }
    }
}

#[cfg(test)]
#[path = "derive_tests.rs"]
mod tests;
