//! The screen's store sync: its own task, its own read-only journal connection, reporting
//! by event. It never touches the till's writer, so a sale never waits on it.
//!
//! It looks at the journal's newest change once a second (one tiny read) and syncs when
//! there is something new, so each outcome reaches the store within seconds, and at least
//! every `every` (30 s) anyway. While the store is unreachable it tries again when new
//! changes come, but no more often than [`RETRY_AT_MOST`], and it keeps counting what is
//! waiting from the journal alone.

use std::time::Duration;

use tokio::time::Instant;

use super::StoreSettings;
use super::sync::{Source, SyncError, sync_once, waiting};

/// How often the journal is looked at for new changes.
const POLL: Duration = Duration::from_secs(1);
/// After a failed sync, the next attempt waits at least this long (each costs up to the
/// connect timeout).
const RETRY_AT_MOST: Duration = Duration::from_secs(5);

/// Where the store stands, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    /// Journal changes the store does not have yet.
    pub waiting: i64,
    /// Why the last attempt failed; `None` after a sync that went through.
    pub problem: Option<String>,
}

impl SyncStatus {
    pub fn synced(&self) -> bool {
        self.waiting == 0 && self.problem.is_none()
    }
}

/// Starts the sync task; `report` is called after every attempt and whenever the number
/// waiting changes while the store is away.
pub fn spawn(
    source: Source,
    settings: StoreSettings,
    report: impl Fn(SyncStatus) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(source, settings, report))
}

/// The journal's newest change, read on a blocking thread.
async fn last_event(source: &Source) -> Option<i64> {
    let path = source.journal.clone();
    tokio::task::spawn_blocking(move || {
        crate::journal::Journal::open_read_only(&path)
            .ok()?
            .last_event()
            .ok()
    })
    .await
    .ok()
    .flatten()
}

async fn run(source: Source, settings: StoreSettings, report: impl Fn(SyncStatus)) {
    // What the store is known to have (its cursor), and when to try again at the latest.
    let mut pushed: Option<i64> = None;
    let mut seen: Option<i64> = None;
    let mut due = Instant::now();
    let mut last_failure: Option<Instant> = None;
    let mut last_report: Option<SyncStatus> = None;
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        poll.tick().await;
        let now = Instant::now();
        let newest = last_event(&source).await;
        let changed = newest.is_some() && newest != seen;
        let backing_off = last_failure.is_some_and(|t| now.duration_since(t) < RETRY_AT_MOST);
        if !(now >= due || (changed && !backing_off)) {
            continue;
        }
        seen = newest;
        due = now + settings.every;
        let status = match sync_once(&source, &settings).await {
            Ok(done) => {
                last_failure = None;
                pushed = Some(done.up_to);
                SyncStatus {
                    waiting: done.waiting,
                    problem: None,
                }
            }
            Err(e) => {
                last_failure = Some(Instant::now());
                let waiting = match pushed {
                    Some(cursor) => {
                        let path = source.journal.clone();
                        tokio::task::spawn_blocking(move || waiting(&path, cursor))
                            .await
                            .ok()
                            .and_then(Result::ok)
                            .unwrap_or(0)
                    }
                    // Never reached the store: everything is waiting.
                    None => newest.unwrap_or(0),
                };
                SyncStatus {
                    waiting,
                    problem: Some(short(&e)),
                }
            }
        };
        if last_report.as_ref() != Some(&status) {
            report(status.clone());
            last_report = Some(status);
        }
    }
}

/// A header-sized reason, still naming the database (never its password).
fn short(e: &SyncError) -> String {
    match e {
        SyncError::Store(super::StoreError::Timeout { shown, .. })
        | SyncError::Store(super::StoreError::Unreachable { shown, .. }) => {
            format!("cannot reach {shown}")
        }
        other => other.to_string(),
    }
}
