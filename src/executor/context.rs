//! What every step of one run works with ([`RunCtx`]): the session, the plan, the
//! settings, the event and command channels, the live batch pacing and the gates confirmed
//! so far; and how commands that arrive between steps and batches are taken in.

use std::time::Duration;

use super::events::{Command, CommandRx, Event, EventTx, emit};
use super::session::Session;
use super::settings::RunSettings;
use crate::plan::{Plan, Step};

/// The per-run context handed to each step.
pub struct RunCtx<'a> {
    /// The run's connections.
    pub s: &'a mut Session,
    /// The plan being run.
    pub plan: &'a Plan,
    /// The run's settings (operator filled in).
    pub set: &'a RunSettings,
    /// Where events go.
    pub tx: &'a EventTx,
    /// Where commands come from.
    pub rx: &'a mut CommandRx,
    /// Batch pacing, tuned live by commands.
    pub pacing: Pacing,
    /// Gates confirmed by command during this run.
    pub confirmed: Vec<String>,
    /// At a gate, wait for a confirmation (console) instead of stopping (headless).
    pub wait_at_gates: bool,
}

/// Live tuning of the batch loop, shared between backfills of one run.
#[derive(Debug, Clone)]
pub struct Pacing {
    /// Rows per batch (None: from the plan).
    pub size: Option<u32>,
    /// Pause between batches.
    pub pause: Duration,
    /// Paused by the operator.
    pub paused: bool,
    /// Stop after the current batch.
    pub stop: bool,
    /// The operator set the batch size: keep it instead of adapting.
    pub pinned: bool,
}

impl Pacing {
    /// From the run settings.
    pub fn new(set: &RunSettings) -> Self {
        Self {
            size: set.batch_size,
            pause: set.batch_pause.unwrap_or_default(),
            paused: false,
            stop: false,
            pinned: set.batch_size.is_some(),
        }
    }

    /// Apply a command. Returns false for commands that are not about pacing.
    pub fn apply(&mut self, c: &Command) -> bool {
        match c {
            Command::Pause => self.paused = true,
            Command::Resume => self.paused = false,
            Command::SetBatchSize(n) => {
                self.size = Some((*n).max(1));
                self.pinned = true;
            }
            Command::SetPause(d) => self.pause = *d,
            Command::StopAfterBatch => self.stop = true,
            Command::ConfirmGate(_) => return false,
        }
        true
    }
}

impl RunCtx<'_> {
    /// Take in every command that arrived, without waiting.
    pub fn drain(&mut self) {
        while let Ok(c) = self.rx.try_recv() {
            self.take(c);
        }
    }

    /// One command: pacing, or a gate confirmation to remember.
    pub fn take(&mut self, c: Command) {
        if !self.pacing.apply(&c)
            && let Command::ConfirmGate(id) = c
        {
            self.confirmed.push(id);
        }
    }

    /// Wait while paused (by the operator or for replica lag); false if told to stop.
    pub async fn wait_while_paused(&mut self, step: &Step) -> bool {
        let mut announced = false;
        loop {
            self.drain();
            if self.pacing.stop {
                return false;
            }
            let lag = match self.set.max_replica_lag {
                Some(max) => replica_lag(self.s).await.filter(|l| *l > max),
                None => None,
            };
            if !self.pacing.paused && lag.is_none() {
                if announced {
                    emit(
                        self.tx,
                        Event::Resumed {
                            step: step.id.clone(),
                        },
                    );
                }
                return true;
            }
            if !announced {
                let reason = match lag {
                    Some(l) => format!(
                        "replica replay lag {:.1}s is above the bound",
                        l.as_secs_f64()
                    ),
                    None => "paused by the operator".into(),
                };
                emit(
                    self.tx,
                    Event::Paused {
                        step: step.id.clone(),
                        reason,
                    },
                );
                announced = true;
            }
            tokio::select! {
                c = self.rx.recv() => {
                    if let Some(c) = c {
                        self.take(c);
                    }
                }
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }
}

/// The largest replay lag among replicas (None when there are none).
async fn replica_lag(s: &Session) -> Option<Duration> {
    let secs: Option<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM max(replay_lag))::float8 FROM pg_stat_replication",
    )
    .fetch_one(&s.pool)
    .await
    .ok()
    .flatten();
    secs.map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_tune_pacing_and_gates_are_remembered_apart() {
        let mut p = Pacing::new(&RunSettings::default());
        assert!(!p.pinned && p.size.is_none());
        assert!(p.apply(&Command::SetBatchSize(0)));
        assert_eq!(p.size, Some(1), "never below one row");
        assert!(p.pinned);
        assert!(p.apply(&Command::Pause) && p.paused);
        assert!(p.apply(&Command::Resume) && !p.paused);
        assert!(p.apply(&Command::StopAfterBatch) && p.stop);
        assert!(!p.apply(&Command::ConfirmGate("1.gate".into())));
    }
}
