//! Watching the locks the plan's sessions hold while it runs: every few milliseconds, the
//! table and index locks granted to the executor's work connections, so the report can say
//! per phase the strongest lock seen and how long it was held (as sampled: a hold shorter
//! than the interval may be missed; one seen is at least as long as reported).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use sqlx::Connection;

use super::load::Shared;
use crate::plan::Phase;

/// How often locks are read.
const INTERVAL: Duration = Duration::from_millis(10);

/// Lock modes, weakest first.
const MODES: [&str; 8] = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

const QUERY: &str = "SELECT l.pid, l.relation::oid::bigint, l.mode \
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid JOIN pg_class c ON c.oid = l.relation \
    WHERE l.locktype = 'relation' AND l.granted AND a.application_name LIKE 'bellows-work:%' \
      AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)";

/// The strongest lock of one phase and its longest hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Seen {
    /// Index into the mode list (strength).
    rank: usize,
    /// Longest hold of a lock of that strength, milliseconds.
    pub longest_ms: u64,
}

impl Seen {
    /// The mode's name as PostgreSQL spells it.
    pub fn mode(&self) -> String {
        MODES[self.rank].to_string()
    }
}

/// Sample until `shared.stop`; the strongest lock seen per phase.
pub async fn watch(url: String, shared: Arc<Shared>) -> BTreeMap<Phase, Seen> {
    let mut out: BTreeMap<Phase, Seen> = BTreeMap::new();
    let Ok(mut c) = sqlx::PgConnection::connect(&url).await else {
        return out;
    };
    let mut since: HashMap<(i32, i64, String), (Instant, Phase)> = HashMap::new();
    while !shared.stop.load(Ordering::Relaxed) {
        let rows: Vec<(i32, i64, String)> = sqlx::query_as(QUERY)
            .fetch_all(&mut c)
            .await
            .unwrap_or_default();
        let now = Instant::now();
        let phase = shared.phase();
        for r in &rows {
            if let Some(p) = phase {
                since.entry(r.clone()).or_insert((now, p));
            }
        }
        since.retain(|k, (start, p)| {
            let rank = MODES.iter().position(|m| *m == k.2).unwrap_or(0);
            let held = now.duration_since(*start).as_millis() as u64;
            let e = out.entry(*p).or_default();
            if rank > e.rank {
                *e = Seen {
                    rank,
                    longest_ms: held,
                };
            } else if rank == e.rank {
                e.longest_ms = e.longest_ms.max(held);
            }
            rows.contains(k)
        });
        tokio::time::sleep(INTERVAL).await;
    }
    let _ = c.close().await;
    out
}
