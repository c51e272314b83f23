//! The operator console without a terminal: key → action → state transitions, and every
//! screen as a snapshot at 80×24 and 120×40 (insta + ratatui's TestBackend).

use std::collections::BTreeMap;

use bellows::executor::{Blocker, Command, Event};
use bellows::plan::Phase;
use bellows::tui::action::{Action, Effect, key_to_action};
use bellows::tui::app::{App, Mode, ShownState};
use bellows::tui::style::Palette;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app() -> App {
    let cat = bellows::catalog::load_file("examples/schema/small.sql").expect("schema");
    let text = std::fs::read_to_string("examples/changes/01-rename-column.sql").expect("example");
    let plan = bellows::planner::plan("01-rename-column.sql", &text, &cat, &Default::default())
        .expect("plan");
    App::new(plan, &BTreeMap::new())
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| bellows::tui::ui::draw(app, f, Palette::plain()))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn snap(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}-80x24"), screen(app, 80, 24));
    insta::assert_snapshot!(format!("{name}-120x40"), screen(app, 120, 40));
}

fn blocker() -> Blocker {
    Blocker {
        pid: 4242,
        user: "reporting".into(),
        application: "psql".into(),
        state: "idle in transaction".into(),
        transaction_age_s: 14.2,
        modes: vec!["AccessShareLock".into()],
        query: "SELECT count(*) FROM users".into(),
    }
}

fn progressed(app: &mut App) {
    for (id, _) in [("1.add-column", 0), ("1.sync-trigger", 0)] {
        app.on_event(&Event::StepStarted {
            step: id.into(),
            phase: Phase::Expand,
            summary: "s".into(),
            attempt: 1,
        });
        app.on_event(&Event::StepFinished {
            step: id.into(),
            ms: 3,
        });
    }
    app.on_event(&Event::StepStarted {
        step: "1.backfill".into(),
        phase: Phase::Backfill,
        summary: "Backfill".into(),
        attempt: 1,
    });
    for k in 1..=20 {
        app.on_event(&Event::BatchProgress {
            step: "1.backfill".into(),
            rows_done: k * 5000,
            rows_changed: Some(k * 5000),
            estimated_total: 200_000,
            rows_per_s: 40_000.0 + (k as f64 * 1000.0),
            eta_s: Some(((200_000 - k * 5000) as f64) / 40_000.0),
            batch_size: 5000,
            last_batch_ms: 48,
            pause_ms: 0,
        });
    }
}

#[test]
fn keys_become_actions_and_prompts_take_text() {
    assert_eq!(key_to_action(key('n'), false), Some(Action::RunNext));
    assert_eq!(key_to_action(key('q'), false), Some(Action::Quit));
    assert_eq!(
        key_to_action(key('n'), true),
        Some(Action::Input('n')),
        "in a prompt, letters are text"
    );
    assert_eq!(
        key_to_action(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), true),
        Some(Action::Submit)
    );
    assert_eq!(
        key_to_action(
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
            true
        ),
        Some(Action::Quit)
    );
}

#[test]
fn running_pausing_tuning_and_quitting() {
    let mut a = app();
    assert_eq!(
        a.update(Action::RunNext),
        vec![Effect::Run {
            through: None,
            steps: Some(1)
        }]
    );
    assert!(a.busy);
    assert!(a.update(Action::RunNext).is_empty(), "one run at a time");
    assert_eq!(
        a.update(Action::TogglePause),
        vec![Effect::Send(Command::Pause)]
    );
    assert_eq!(
        a.update(Action::TogglePause),
        vec![Effect::Send(Command::Resume)]
    );
    let before = a.batch_size;
    assert_eq!(
        a.update(Action::BatchUp),
        vec![Effect::Send(Command::SetBatchSize(before * 2))]
    );
    assert_eq!(
        a.update(Action::BatchDown),
        vec![Effect::Send(Command::SetBatchSize(before))]
    );
    assert_eq!(
        a.update(Action::PauseUp),
        vec![Effect::Send(Command::SetPause(
            std::time::Duration::from_millis(50)
        ))]
    );
    // Quitting while busy asks; `s` stops after the batch and leaves when the task ends.
    assert!(a.update(Action::Quit).is_empty());
    assert_eq!(a.mode, Mode::Quit);
    assert_eq!(
        a.update(Action::Input('s')),
        vec![Effect::Send(Command::StopAfterBatch)]
    );
    assert_eq!(a.task_done(Some("stopped".into())), vec![Effect::Exit]);
    // Idle: quit leaves at once; r runs through the current phase.
    let mut b = app();
    assert_eq!(
        b.update(Action::RunPhase),
        vec![Effect::Run {
            through: Some(Phase::Expand),
            steps: None
        }]
    );
    let mut c = app();
    assert_eq!(c.update(Action::Quit), vec![Effect::Exit]);
}

#[test]
fn a_gate_needs_the_exact_word_and_a_rollback_needs_confirming() {
    let mut a = app();
    a.busy = true;
    a.on_event(&Event::GateReached {
        step: "1.gate".into(),
        text: "apps moved".into(),
        confirm: "users".into(),
    });
    assert!(
        matches!(a.mode, Mode::Gate { .. }),
        "a gate opens its prompt"
    );
    for c in "user".chars() {
        a.update(Action::Input(c));
    }
    assert!(
        a.update(Action::Submit).is_empty(),
        "a wrong word does nothing"
    );
    assert!(matches!(&a.mode, Mode::Gate { error: Some(_), .. }));
    for c in "users".chars() {
        a.update(Action::Input(c));
    }
    assert_eq!(
        a.update(Action::Submit),
        vec![Effect::Send(Command::ConfirmGate("1.gate".into()))]
    );
    a.on_event(&Event::GateConfirmed {
        step: "1.gate".into(),
        by: "ops".into(),
    });
    a.task_done(Some("done".into()));
    assert!(a.update(Action::Rollback).is_empty());
    for c in "rollback".chars() {
        a.update(Action::Input(c));
    }
    assert_eq!(a.update(Action::Submit), vec![Effect::Rollback]);
}

#[test]
fn events_move_the_state() {
    let mut a = app();
    progressed(&mut a);
    assert_eq!(a.steps[0].state, ShownState::Done);
    assert_eq!(a.progress.as_ref().map(|p| p.rows_done), Some(100_000));
    a.on_event(&Event::LockWait {
        step: "1.backfill".into(),
        attempt: 2,
        blockers: vec![blocker()],
    });
    a.on_event(&Event::RetryScheduled {
        step: "1.backfill".into(),
        attempt: 3,
        delay_ms: 1500,
    });
    a.tick(500);
    assert_eq!(a.lock.as_ref().and_then(|l| l.retry_in_ms), Some(1000));
    a.on_event(&Event::StepSkipped {
        step: "1.verify".into(),
        reason: "already applied".into(),
    });
    assert_eq!(
        a.steps[3].state,
        ShownState::Skipped,
        "a step found applied after a crash shows as skipped"
    );
    a.on_event(&Event::StepFailed {
        step: "1.backfill".into(),
        error: "boom".into(),
    });
    assert_eq!(a.steps[2].state, ShownState::Failed);
}

#[test]
fn every_screen_at_both_sizes() {
    let a = app();
    snap("start", &a);

    let mut b = app();
    b.busy = true;
    progressed(&mut b);
    snap("backfill", &b);

    let mut l = app();
    l.busy = true;
    l.on_event(&Event::StepStarted {
        step: "1.add-column".into(),
        phase: Phase::Expand,
        summary: "Add column".into(),
        attempt: 3,
    });
    l.on_event(&Event::LockWait {
        step: "1.add-column".into(),
        attempt: 3,
        blockers: vec![blocker()],
    });
    l.on_event(&Event::RetryScheduled {
        step: "1.add-column".into(),
        attempt: 4,
        delay_ms: 2000,
    });
    snap("lock-wait", &l);

    let mut g = app();
    progressed(&mut g);
    for s in g.steps.iter_mut().take(10) {
        s.state = ShownState::Done;
    }
    g.on_event(&Event::GateReached {
        step: "1.gate".into(),
        text: g
            .plan
            .step("1.gate")
            .and_then(|s| s.gate.clone())
            .map(|x| x.text)
            .unwrap_or_default(),
        confirm: "users".into(),
    });
    snap("gate", &g);

    let mut f = app();
    f.on_event(&Event::StepStarted {
        step: "1.add-column".into(),
        phase: Phase::Expand,
        summary: "Add column".into(),
        attempt: 1,
    });
    f.on_event(&Event::StepFailed {
        step: "1.add-column".into(),
        error: "could not get its lock in 40 attempts over 600s (lock_timeout 1000ms)".into(),
    });
    f.task_done(Some("step 1.add-column failed".into()));
    snap("failure", &f);

    let mut r = app();
    for s in r.steps.iter_mut().take(3) {
        s.state = ShownState::Done;
    }
    r.update(Action::Rollback);
    snap("rollback-prompt", &r);
    r.update(Action::Cancel);
    r.on_event(&Event::RolledBack {
        step: "1.backfill".into(),
    });
    r.on_event(&Event::RollbackStopped {
        step: "1.drop-old-column".into(),
        reason: "the old column and its data are deleted".into(),
    });
    snap("rolled-back", &r);

    let mut h = app();
    h.update(Action::Help);
    snap("help", &h);
    let mut e = app();
    e.update(Action::Explain);
    snap("explain", &e);
}
