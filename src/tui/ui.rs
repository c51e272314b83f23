//! Drawing the console. Takes `&App`, draws, changes nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, List, ListItem, Paragraph, Sparkline, Wrap};

use super::app::{App, Mode, ShownState};
use super::style::Palette;
use crate::plan::Phase;

/// Keys shown in the help bar and the help overlay.
pub const KEYS: &[(&str, &str)] = &[
    ("n", "run the next step"),
    ("r", "run the rest of the current phase"),
    ("space", "pause / resume the backfill"),
    ("+ / -", "batch size up / down"),
    ("] / [", "pause between batches up / down"),
    ("g", "confirm the waiting gate"),
    ("b", "roll back completed steps"),
    ("e", "the review document (bellows explain)"),
    ("up / down", "select a step"),
    ("?", "help"),
    ("q", "quit (asks to stop a running step after its batch)"),
];

/// Draw the whole screen.
pub fn draw(app: &App, f: &mut Frame, pal: Palette) {
    let area = f.area();
    let [title, main, log, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(8),
        Constraint::Length(if area.height >= 30 { 8 } else { 5 }),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(app, f, title, pal);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(main);
    draw_steps(app, f, left, pal);
    let [detail, panel] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    draw_detail(app, f, detail, pal);
    if app.lock.is_some() {
        draw_lock(app, f, panel, pal);
    } else {
        draw_backfill(app, f, panel, pal);
    }
    draw_log(app, f, log, pal);
    draw_help_bar(app, f, help, pal);
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => draw_help(f, area, pal),
        Mode::Explain { scroll } => draw_explain(app, f, area, *scroll),
        Mode::Gate {
            text,
            confirm,
            input,
            error,
            step,
        } => {
            let destructive = app
                .plan
                .steps
                .iter()
                .any(|s| s.rollback_sql.is_none() && s.depends_on.contains(step));
            let mut lines = vec![Line::from(text.as_str()), Line::from("")];
            if destructive {
                lines.push(Line::styled("The next steps cannot be undone.", pal.bad()));
            }
            lines.push(Line::from(format!(
                "Type `{confirm}` and press Enter to confirm; Esc to go back."
            )));
            lines.push(Line::from(format!("> {input}_")));
            if let Some(e) = error {
                lines.push(Line::styled(e.as_str(), pal.bad()));
            }
            popup(f, area, &format!(" Gate {step} "), lines, pal);
        }
        Mode::Rollback { input } => popup(
            f,
            area,
            " Roll back ",
            vec![
                Line::from(
                    "Undo every completed reversible step, newest first; it stops before anything irreversible.",
                ),
                Line::from(rollback_preview(app)),
                Line::from(""),
                Line::from(format!(
                    "Type `{}` and press Enter; Esc to go back.",
                    super::app::ROLLBACK_WORD
                )),
                Line::from(format!("> {input}_")),
            ],
            pal,
        ),
        Mode::Quit => popup(
            f,
            area,
            " Quit ",
            vec![
                Line::from(if app.waiting_gate().is_some() {
                    "bellows is waiting at a gate."
                } else {
                    "A step is running."
                }),
                Line::from("s  stop after the current batch, then quit (resumable)"),
                Line::from("y  quit now (the run stops; running again resumes)"),
                Line::from("Esc  keep running"),
            ],
            pal,
        ),
    }
}

fn draw_title(app: &App, f: &mut Frame, area: Rect, pal: Palette) {
    let state = if app.waiting_gate().is_some() {
        Span::styled("GATE: confirm to continue (g)", pal.waiting())
    } else if app.lock.is_some() {
        Span::styled("waiting for a lock", pal.waiting())
    } else if app.paused {
        Span::styled("paused", pal.waiting())
    } else if app.busy {
        Span::styled("running", pal.running())
    } else if app.next_pending().is_none() {
        Span::styled("every step done", pal.done())
    } else {
        Span::raw("idle")
    };
    let done = app
        .steps
        .iter()
        .filter(|s| s.state == ShownState::Done)
        .count();
    let mut spans = vec![
        Span::styled(format!(" bellows · {} ", app.plan.name), pal.heading()),
        Span::raw(format!("· {done}/{} steps · ", app.steps.len())),
        state,
    ];
    if let Some(l) = &app.load {
        spans.push(Span::styled(format!(" · app: {l}"), pal.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn state_style(s: ShownState, pal: Palette) -> ratatui::style::Style {
    match s {
        ShownState::Done | ShownState::Skipped => pal.done(),
        ShownState::Running => pal.running(),
        ShownState::LockWait | ShownState::AtGate => pal.waiting(),
        ShownState::Failed => pal.bad(),
        ShownState::Pending | ShownState::RolledBack => pal.dim(),
    }
}

fn draw_steps(app: &App, f: &mut Frame, area: Rect, pal: Palette) {
    let next = app.next_pending();
    let mut items = Vec::new();
    let mut selected_row = 0;
    let mut phase: Option<Phase> = None;
    for (i, s) in app.plan.steps.iter().enumerate() {
        if phase != Some(s.phase) {
            phase = Some(s.phase);
            items.push(ListItem::new(Line::styled(
                s.phase.title().to_string(),
                pal.heading(),
            )));
        }
        let v = &app.steps[i];
        let arrow = if Some(i) == next { "▶" } else { " " };
        let deps = if s.depends_on.is_empty() {
            String::new()
        } else {
            format!(" ←{}", s.depends_on.len())
        };
        let text = format!("{arrow}{} {}{deps} {}", v.state.marker(), s.id, s.summary);
        let mut style = state_style(v.state, pal);
        if i == app.selected {
            style = style.patch(pal.selected());
            selected_row = items.len();
        }
        items.push(ListItem::new(Line::styled(text, style)));
    }
    let height = area.height.saturating_sub(2) as usize;
    let skip = selected_row.saturating_sub(height.saturating_sub(2));
    let items: Vec<ListItem> = items.into_iter().skip(skip).collect();
    f.render_widget(
        List::new(items).block(Block::default().borders(Borders::ALL).title(" Plan ")),
        area,
    );
}

fn draw_detail(app: &App, f: &mut Frame, area: Rect, pal: Palette) {
    let Some(s) = app.plan.steps.get(app.selected) else {
        return;
    };
    let v = &app.steps[app.selected];
    let mut lines = vec![
        Line::styled(
            if s.raw {
                format!("[RAW, not modelled] {}", s.summary)
            } else {
                s.summary.clone()
            },
            pal.heading(),
        ),
        Line::from(vec![
            Span::raw(format!("{} · {} · ", s.phase.name(), s.kind.name())),
            Span::styled(v.state.label(), state_style(v.state, pal)),
            Span::raw(if v.attempts > 1 {
                format!(" · {} attempts", v.attempts)
            } else {
                String::new()
            }),
        ]),
        Line::from(format!(
            "lock {} on {} · {}{}",
            s.lock.mode,
            if s.lock.tables.is_empty() {
                "-".to_string()
            } else {
                s.lock.tables.join(", ")
            },
            s.lock.duration,
            if s.transactional {
                ""
            } else {
                " · no transaction"
            }
        )),
        Line::styled(format!("why safe: {}", s.why), pal.dim()),
    ];
    if !s.depends_on.is_empty() {
        lines.push(Line::styled(
            format!("after: {}", s.depends_on.join(", ")),
            pal.dim(),
        ));
    }
    if let Some(e) = &v.last_error {
        lines.push(Line::styled(format!("last error: {e}"), pal.bad()));
    }
    if let Some(g) = &s.gate {
        lines.push(Line::styled(format!("gate: {}", g.text), pal.waiting()));
    }
    for q in s.sql.iter().take(3) {
        lines.push(Line::from(format!(
            "sql: {}",
            q.lines().next().unwrap_or("")
        )));
    }
    match &s.rollback_sql {
        Some(r) if r.is_empty() => lines.push(Line::styled("rollback: nothing to undo", pal.dim())),
        Some(r) => lines.push(Line::styled(
            format!("rollback: {}", r[0].lines().next().unwrap_or("")),
            pal.dim(),
        )),
        None => lines.push(Line::styled(
            format!(
                "irreversible: {}",
                s.irreversible_reason.clone().unwrap_or_default()
            ),
            pal.bad(),
        )),
    }
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" Step {} ", s.id)),
        ),
        area,
    );
}

fn draw_backfill(app: &App, f: &mut Frame, area: Rect, pal: Palette) {
    let block = Block::default().borders(Borders::ALL).title(" Backfill ");
    let Some(p) = &app.progress else {
        let hint = if app.plan.steps.iter().any(|s| s.backfill.is_some()) {
            "No batch has run yet in this session."
        } else {
            "This plan has no backfill."
        };
        f.render_widget(
            Paragraph::new(Line::styled(hint, pal.dim())).block(block),
            area,
        );
        return;
    };
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [gauge, stats, spark] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(0),
    ])
    .areas(inner);
    let ratio = if p.total > 0 {
        (p.rows_done as f64 / p.total as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    f.render_widget(
        Gauge::default()
            .ratio(ratio)
            .label(format!(
                "{} / ~{} rows ({:.0}%)",
                p.rows_done,
                p.total,
                ratio * 100.0
            ))
            .gauge_style(pal.running()),
        gauge,
    );
    f.render_widget(
        Paragraph::new(vec![
            Line::from(format!(
                "{:.0} rows/s · ETA {} · {}",
                p.rate,
                p.eta_s
                    .map(|e| format!("{e:.0} s"))
                    .unwrap_or_else(|| "-".into()),
                if app.paused { "PAUSED" } else { "running" }
            )),
            Line::from(format!(
                "batch {} rows · last {} ms · pause {} ms · {}{}",
                p.batch_size,
                p.last_batch_ms,
                app.pause_ms,
                p.step,
                p.partition
                    .as_ref()
                    .map(|x| format!(" · partition {x}"))
                    .unwrap_or_default()
            )),
        ]),
        stats,
    );
    if spark.height > 0 {
        f.render_widget(
            Sparkline::default()
                .data(p.history.to_vec())
                .style(pal.done()),
            spark,
        );
    }
}

fn draw_lock(app: &App, f: &mut Frame, area: Rect, pal: Palette) {
    let Some(l) = &app.lock else { return };
    let mut lines = vec![Line::styled(
        format!(
            "{} waits for a lock (attempt {}){}",
            l.step,
            l.attempt,
            l.retry_in_ms
                .map(|ms| format!(" · next try in {:.1} s", ms as f64 / 1000.0))
                .unwrap_or_default()
        ),
        pal.waiting(),
    )];
    if l.blockers.is_empty() {
        lines.push(Line::from("the session that held it has gone"));
    }
    for b in &l.blockers {
        lines.push(Line::from(format!(
            "pid {} · {} · {} · {} · transaction {:.1} s",
            b.pid,
            b.user,
            if b.application.is_empty() {
                "-"
            } else {
                &b.application
            },
            b.state,
            b.transaction_age_s
        )));
        lines.push(Line::styled(
            format!(
                "  {}",
                b.query.split_whitespace().collect::<Vec<_>>().join(" ")
            ),
            pal.dim(),
        ));
    }
    lines.push(Line::styled(
        "Each try waits at most the lock timeout (readers queue behind it only that long); between tries nothing waits.",
        pal.dim(),
    ));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(" Lock wait ")),
        area,
    );
}

fn draw_log(app: &App, f: &mut Frame, area: Rect, pal: Palette) {
    let n = area.height.saturating_sub(2) as usize;
    let lines: Vec<Line> = app
        .log
        .iter()
        .rev()
        .take(n)
        .rev()
        .map(|l| {
            let style = if l.contains("FAILED") {
                pal.bad()
            } else if l.starts_with("GATE") || l.starts_with("wait") {
                pal.waiting()
            } else {
                ratatui::style::Style::default()
            };
            Line::styled(l.clone(), style)
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Log ")),
        area,
    );
}

fn draw_help_bar(app: &App, f: &mut Frame, area: Rect, pal: Palette) {
    let keys = if app.waiting_gate().is_some() && app.busy {
        " g confirm gate · e explain · ? help · q quit"
    } else if app.waiting_gate().is_some() {
        " g confirm gate · b roll back · e explain · ? help · q quit"
    } else if app.busy {
        " space pause · +/- batch · ]/[ pause · e explain · ? help · q quit"
    } else {
        " n next step · r run phase · b roll back · e explain · ? help · q quit"
    };
    f.render_widget(Paragraph::new(Line::styled(keys, pal.dim())), area);
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn popup(f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, _pal: Palette) {
    let width = area.width.saturating_sub(8).max(40).min(area.width);
    let inner = width.saturating_sub(2).max(1) as usize;
    let wrapped: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let r = centered(area, width, (wrapped as u16 + 2).max(5));
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title.to_string()),
        ),
        r,
    );
}

fn draw_help(f: &mut Frame, area: Rect, pal: Palette) {
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, d)| Line::from(format!("{k:>10}  {d}")))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "A run that stops (quit, failure, crash) resumes where it stopped.",
        pal.dim(),
    ));
    popup(f, area, " Help (? or Esc to close) ", lines, pal);
}

fn draw_explain(app: &App, f: &mut Frame, area: Rect, scroll: u16) {
    let r = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(app.explain.as_str())
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Review document (PgUp/PgDn, e or Esc to close) "),
            ),
        r,
    );
}

/// What a rollback would undo, newest first, and where it would stop.
fn rollback_preview(app: &App) -> String {
    let undo = app.undo();
    let ids: Vec<&str> = undo.steps.iter().map(|s| s.id.as_str()).collect();
    match undo.blocked {
        Some(b) => format!(
            "Would undo {}; then stop before {} (irreversible).",
            if ids.is_empty() {
                "nothing".to_string()
            } else {
                ids.join(", ")
            },
            b.id
        ),
        None if ids.is_empty() => "Nothing is done yet, so there is nothing to undo.".into(),
        None => format!("Would undo {}.", ids.join(", ")),
    }
}
