//! The console's event loop: draw, then wait for a key, an executor event or a tick. Every
//! database call runs in a task that reports through the event channel.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures_util::StreamExt;

use super::action::{Effect, key_to_action};
use super::app::App;
use super::style::Palette;
use crate::env::Target;
use crate::executor::{self, Command, ExecError, RunSettings, StepState, outcome};
use crate::plan::Plan;

/// Open the console on `plan`. Returns when the operator quits.
pub async fn run_console(plan: Plan, target: Target, set: RunSettings) -> Result<(), ExecError> {
    run_console_with_load(plan, target, set, None).await
}

/// The console, with a line about an application load to show in the title (the demo).
pub async fn run_console_with_load(
    plan: Plan,
    target: Target,
    set: RunSettings,
    load: Option<tokio::sync::watch::Receiver<String>>,
) -> Result<(), ExecError> {
    let status = executor::status::status(&plan, &target).await?;
    let states: BTreeMap<String, StepState> =
        status.steps.into_iter().map(|s| (s.id, s.state)).collect();
    let mut app = App::new(plan.clone(), &states);
    app.through = set.through;
    if let Some(b) = set.batch_size {
        app.batch_size = b;
        app.batch_pinned = true;
    }
    if let Some(p) = set.batch_pause {
        app.pause_ms = p.as_millis() as u64;
    }
    let pal = Palette::from_env();
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app, &plan, &target, &set, pal, load).await;
    ratatui::restore();
    result?;
    if app.failed {
        let step = app
            .plan
            .steps
            .iter()
            .zip(&app.steps)
            .find(|(_, v)| v.state == super::app::ShownState::Failed)
            .map(|(s, _)| s.id.clone())
            .unwrap_or_default();
        return Err(ExecError::StepFailed {
            step,
            error: "see `bellows status` for the error; run again to resume".into(),
        });
    }
    Ok(())
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    plan: &Plan,
    target: &Target,
    set: &RunSettings,
    pal: Palette,
    load: Option<tokio::sync::watch::Receiver<String>>,
) -> Result<(), ExecError> {
    let (ev_tx, mut ev_rx) = tokio::sync::mpsc::unbounded_channel();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<Option<String>>();
    let mut ctl: Option<tokio::sync::mpsc::UnboundedSender<Command>> = None;
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut last = Instant::now();
    loop {
        terminal
            .draw(|f| super::ui::draw(app, f, pal))
            .map_err(|e| ExecError::Database(format!("cannot draw the console: {e}")))?;
        let effects = tokio::select! {
            k = keys.next() => match k {
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
                    match key_to_action(key, app.prompting()) {
                        Some(a) => app.update(a),
                        None => Vec::new(),
                    }
                }
                Some(Ok(_)) => Vec::new(),
                Some(Err(e)) => return Err(ExecError::Database(format!("cannot read the terminal: {e}"))),
                None => vec![Effect::Exit],
            },
            Some(e) = ev_rx.recv() => {
                app.on_event(&e);
                Vec::new()
            }
            Some(outcome) = done_rx.recv() => {
                ctl = None;
                app.task_done(outcome)
            }
            _ = tick.tick() => {
                let now = Instant::now();
                app.tick(now.duration_since(last).as_millis() as u64);
                if let Some(l) = &load {
                    app.load = Some(l.borrow().clone());
                }
                last = now;
                Vec::new()
            }
        };
        for fx in effects {
            match fx {
                Effect::Exit => return Ok(()),
                Effect::Send(c) => {
                    if let Some(tx) = &ctl {
                        let _ = tx.send(c);
                    }
                }
                Effect::Run { through, steps } => {
                    let (ctx, crx) = tokio::sync::mpsc::unbounded_channel();
                    ctl = Some(ctx);
                    let mut s = set.clone();
                    // `--through` caps every run started here (n and r included).
                    s.through = match (through, set.through) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    s.max_steps = steps;
                    // `--yes` / `--confirm` given with the console are honoured: those
                    // gates pass without waiting, as they would headless.
                    s.batch_size = app.batch_pinned.then_some(app.batch_size);
                    s.batch_pause = Some(Duration::from_millis(app.pause_ms));
                    let (plan, target, tx, done) =
                        (plan.clone(), target.clone(), ev_tx.clone(), done_tx.clone());
                    tokio::spawn(async move {
                        let r = executor::run(&plan, &target, &s, true, tx, crx).await;
                        let _ = done.send(outcome::console_note(&r));
                    });
                }
                Effect::Rollback => {
                    let (plan, target, s, tx, done) = (
                        plan.clone(),
                        target.clone(),
                        set.clone(),
                        ev_tx.clone(),
                        done_tx.clone(),
                    );
                    tokio::spawn(async move {
                        let r = executor::rollback::rollback(&plan, &target, &s, tx).await;
                        let _ = done.send(Some(match r {
                            Ok(o) => o.describe(),
                            Err(e) => e.to_string(),
                        }));
                    });
                }
            }
        }
    }
}
