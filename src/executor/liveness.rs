//! Sessions that cannot outlive a stalled executor: server-side timeouts and TCP keepalives on every connection a run opens, and a watch on the session that holds the plan's advisory lock.
//!
//! A paused (SIGSTOP) or hung executor keeps whatever transaction it had open. With
//! `idle_in_transaction_session_timeout` the server ends such a session a few seconds after
//! its last statement, releasing its locks; the executor finds the connection gone when it
//! wakes and stops cleanly (a re-run resumes). bellows never pauses inside a transaction
//! itself: a step's statements and a batch's statement follow one another directly, and
//! every wait (backoff, batch pause, gate, replica lag) happens between transactions.
//! Keepalives let the server notice a host that vanished from the network.

use std::time::Duration;

use sqlx::postgres::PgConnectOptions;

/// How long a session of bellows may sit idle inside a transaction before the server ends it.
pub const IDLE_IN_TRANSACTION: Duration = Duration::from_secs(5);

/// Seconds of silence before the server's first TCP keepalive probe.
pub const KEEPALIVE_IDLE_S: u32 = 10;
/// Seconds between keepalive probes.
pub const KEEPALIVE_INTERVAL_S: u32 = 5;
/// Unanswered probes after which the server drops the connection.
pub const KEEPALIVE_COUNT: u32 = 3;

/// How long a check of the lock session may take before the session counts as lost.
pub const LOCK_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings every session of a run starts with (as startup options, so they hold from
/// the first statement and for every pooled connection).
pub fn session_settings() -> Vec<(&'static str, String)> {
    vec![
        (
            "idle_in_transaction_session_timeout",
            format!("{}ms", IDLE_IN_TRANSACTION.as_millis()),
        ),
        ("tcp_keepalives_idle", KEEPALIVE_IDLE_S.to_string()),
        ("tcp_keepalives_interval", KEEPALIVE_INTERVAL_S.to_string()),
        ("tcp_keepalives_count", KEEPALIVE_COUNT.to_string()),
    ]
}

/// `opts` with [`session_settings`] added (after any options the URL already carries).
pub fn with_session_settings(opts: PgConnectOptions) -> PgConnectOptions {
    opts.options(session_settings())
}

/// Why the server or the network ended a session, when an error says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// The session sat idle in a transaction past [`IDLE_IN_TRANSACTION`] (SQLSTATE 25P03).
    IdleInTransaction,
    /// An administrator or another process ended the backend (57P01, 57P02, 57P03).
    Terminated,
    /// The connection broke (I/O error, closed socket).
    Connection,
}

impl Lost {
    /// Classify an error; None when the session is still usable.
    pub fn of(e: &sqlx::Error) -> Option<Lost> {
        match e {
            sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                Some(Lost::Connection)
            }
            sqlx::Error::Protocol(m) if m.contains("closed") || m.contains("EOF") => {
                Some(Lost::Connection)
            }
            sqlx::Error::Database(d) => match d.code().as_deref() {
                Some("25P03") => Some(Lost::IdleInTransaction),
                Some("57P01" | "57P02" | "57P03") => Some(Lost::Terminated),
                _ => None,
            },
            _ => None,
        }
    }

    /// What to tell the operator, after the driver's own message.
    pub fn hint(self) -> String {
        match self {
            Lost::IdleInTransaction => format!(
                "the server ended this executor's session because it sat idle in a transaction for over {}s (was the process paused or the host stalled?); the unfinished transaction was rolled back, so its locks are free and nothing of it was kept. Run again to resume",
                IDLE_IN_TRANSACTION.as_secs()
            ),
            Lost::Terminated => "the server ended this executor's session; its unfinished transaction was rolled back. Run again to resume".into(),
            Lost::Connection => "the connection to the server was lost; an unfinished transaction is rolled back by the server. Run again to resume".into(),
        }
    }
}

/// A step's error text with the reason the session was lost, when it was.
pub fn explain(text: String, e: &sqlx::Error) -> String {
    match Lost::of(e) {
        Some(l) => format!("{text} — {}", l.hint()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_session_ends_a_stalled_transaction_and_probes_the_network() {
        let opts = with_session_settings(PgConnectOptions::new());
        let o = opts.get_options().unwrap_or_default();
        assert!(
            o.contains("-c idle_in_transaction_session_timeout=5000ms"),
            "{o}"
        );
        assert!(o.contains("-c tcp_keepalives_idle=10"), "{o}");
        assert!(o.contains("-c tcp_keepalives_count=3"), "{o}");
        assert!(IDLE_IN_TRANSACTION >= Duration::from_secs(2));
    }

    #[test]
    fn a_broken_connection_is_told_apart_from_a_failed_statement() {
        let io = sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "broken pipe",
        ));
        assert_eq!(Lost::of(&io), Some(Lost::Connection));
        assert_eq!(Lost::of(&sqlx::Error::RowNotFound), None);
        assert!(explain("x".into(), &io).contains("Run again to resume"));
        assert_eq!(explain("x".into(), &sqlx::Error::RowNotFound), "x");
        assert!(
            Lost::IdleInTransaction
                .hint()
                .contains("idle in a transaction")
        );
    }
}
