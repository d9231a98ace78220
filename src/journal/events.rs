//! The journal's change log: every row written, and every later change to what a row says,
//! appends one event in the same transaction. It is two things at once:
//!
//! * **a hash chain.** Each event carries the SHA-256 of the row's content at that moment
//!   and a chain hash over the event before it, so an amount edited, a row deleted or two
//!   rows swapped by an outside SQLite tool no longer match ([`Journal::verify`]);
//! * **an outbox.** Its sequence number orders every change of this journal, so the store
//!   sync reads "everything after N" and resumes where it stopped.
//!
//! The events are written by triggers, not by the Rust code that changes a row, so no
//! write path (today's or a later one) can forget one. The triggers call two SQL functions
//! this module registers on every connection; a tool that does not have them (the
//! `sqlite3` shell) cannot change a row without first dropping the triggers, which
//! [`Journal::verify`] reports.
//!
//! What the chain proves, and what not: see "Tamper evidence" in docs/ARCHITECTURE.md.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::chained::{CHAINED, Chained};
use super::{Journal, JournalError};

const CONTENT_FN: &str = "pw_content_hash";
const CHAIN_FN: &str = "pw_chain_hash";

/// Registers the two hash functions the triggers and [`Journal::verify`] use.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function(CONTENT_FN, -1, flags, |ctx| Ok(content_hash(ctx)))?;
    conn.create_scalar_function(CHAIN_FN, 5, flags, |ctx| {
        let prev = match ctx.get_raw(0) {
            ValueRef::Blob(b) => b.to_vec(),
            _ => vec![0; 32],
        };
        let seq: i64 = ctx.get(1)?;
        let kind: String = ctx.get(2)?;
        let ref_id: i64 = ctx.get(3)?;
        let content: Vec<u8> = ctx.get(4)?;
        Ok(chain_hash(&prev, seq, &kind, ref_id, &content))
    })?;
    Ok(())
}

/// SHA-256 over `(name, value)` pairs, NULL values left out, each value tagged with its
/// type so `1` and `'1'` differ.
fn content_hash(ctx: &Context<'_>) -> Vec<u8> {
    let mut h = Sha256::new();
    for i in (0..ctx.len()).step_by(2) {
        let name = match ctx.get_raw(i) {
            ValueRef::Text(t) => t,
            _ => b"?",
        };
        let value = if i + 1 < ctx.len() {
            ctx.get_raw(i + 1)
        } else {
            ValueRef::Null
        };
        let (tag, bytes): (u8, Vec<u8>) = match value {
            ValueRef::Null => continue,
            ValueRef::Integer(n) => (b'i', n.to_string().into_bytes()),
            ValueRef::Real(r) => (b'r', r.to_string().into_bytes()),
            ValueRef::Text(t) => (b't', t.to_vec()),
            ValueRef::Blob(b) => (b'b', b.to_vec()),
        };
        h.update(name);
        h.update([0x1f, tag]);
        h.update(u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
        h.update(&bytes);
    }
    h.finalize().to_vec()
}

fn chain_hash(prev: &[u8], seq: i64, kind: &str, ref_id: i64, content: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(kind.as_bytes());
    h.update([0x1f]);
    h.update(ref_id.to_be_bytes());
    h.update(content);
    h.finalize().to_vec()
}

/// `pw_content_hash('id', NEW.id, 'created_at', NEW.created_at, ...)` over `columns`.
fn content_call(prefix: &str, columns: &[&str]) -> String {
    let args: Vec<String> = columns
        .iter()
        .map(|c| format!("'{c}', {prefix}{c}"))
        .collect();
    format!("{CONTENT_FN}({})", args.join(", "))
}

/// The event a trigger appends for row `NEW.<key>` of `chained`.
fn append_event(chained: &Chained, columns: &[&str]) -> String {
    format!(
        "INSERT INTO events (seq, kind, ref_id, content_hash, chain_hash)
         SELECT n.seq, '{kind}', NEW.id, n.content,
                {CHAIN_FN}((SELECT chain_hash FROM events ORDER BY seq DESC LIMIT 1),
                           n.seq, '{kind}', NEW.id, n.content)
         FROM (SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events) AS seq,
                      {content} AS content) AS n;",
        kind = chained.kind,
        content = content_call("NEW.", columns),
    )
}

/// The columns of `table` that exist now, in `content` order (a journal being migrated
/// may not have the later ones yet).
fn present(
    tx: &Connection,
    table: &str,
    content: &'static [&'static str],
) -> Result<Vec<&'static str>, JournalError> {
    let mut stmt = tx.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
    let have: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(content
        .iter()
        .copied()
        .filter(|c| have.iter().any(|h| h == c))
        .collect())
}

/// Creates the events for rows written before the log existed, in row order: the start of
/// the chain. Part of the migration that adds the `events` table.
pub(crate) fn backfill(tx: &Transaction<'_>) -> Result<(), JournalError> {
    for chained in CHAINED {
        let columns = present(tx, chained.table, chained.content)?;
        let mut stmt = tx.prepare(&format!(
            "SELECT id, {} FROM {} ORDER BY id",
            content_call("", &columns),
            chained.table
        ))?;
        let rows: Vec<(i64, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, content) in rows {
            tx.execute(
                &format!(
                    "INSERT INTO events (seq, kind, ref_id, content_hash, chain_hash)
                     SELECT n.seq, ?1, ?2, ?3,
                            {CHAIN_FN}((SELECT chain_hash FROM events ORDER BY seq DESC LIMIT 1),
                                       n.seq, ?1, ?2, ?3)
                     FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM events) AS n"
                ),
                rusqlite::params![chained.kind, id, content],
            )?;
        }
    }
    Ok(())
}

/// (Re)creates the triggers from [`CHAINED`]: run after every migration, so they always
/// cover exactly the content columns this build knows.
pub(crate) fn install_triggers(tx: &Transaction<'_>) -> Result<(), JournalError> {
    for chained in CHAINED {
        let columns = present(tx, chained.table, chained.content)?;
        let changed: Vec<String> = columns
            .iter()
            .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
            .collect();
        let t = chained.table;
        tx.execute_batch(&format!(
            "DROP TRIGGER IF EXISTS {t}_event_insert;
             DROP TRIGGER IF EXISTS {t}_event_update;
             DROP TRIGGER IF EXISTS {t}_no_delete;
             CREATE TRIGGER {t}_event_insert AFTER INSERT ON {t}
             BEGIN {insert} END;
             CREATE TRIGGER {t}_event_update AFTER UPDATE ON {t}
             WHEN {changed}
             BEGIN {insert} END;
             CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t}
             BEGIN SELECT RAISE(ABORT, 'journal rows are never deleted'); END;",
            insert = append_event(chained, &columns),
            changed = changed.join(" OR "),
        ))?;
    }
    Ok(())
}

/// What [`Journal::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Events walked.
    pub entries: u64,
    /// The first thing that does not match, in words naming the entry; `None`: intact.
    pub problem: Option<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// One change this journal has not pushed yet: its event number and the row as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedRow {
    pub seq: i64,
    pub row: super::Row,
}

impl Journal {
    /// Walks the chain: every event's hash follows from the one before; every row's
    /// content is what its last event recorded; no row lacks an event and no event lacks
    /// its row; the triggers that write events are in place. Stops at the first problem.
    pub fn verify(&self) -> Result<Verification, JournalError> {
        let mut entries = 0u64;
        let mut prev: Vec<u8> = vec![0; 32];
        let mut last: std::collections::HashMap<(String, i64), (i64, Vec<u8>)> =
            std::collections::HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT seq, kind, ref_id, content_hash, chain_hash FROM events ORDER BY seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (seq, kind, ref_id, content, chain): (i64, String, i64, Vec<u8>, Vec<u8>) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                entries += 1;
                let expected_seq = i64::try_from(entries).unwrap_or(i64::MAX);
                if seq != expected_seq {
                    return Ok(Verification {
                        entries,
                        problem: Some(format!(
                            "entry {expected_seq} is missing (the next one is {seq}): an entry was deleted"
                        )),
                    });
                }
                if chain_hash(&prev, seq, &kind, ref_id, &content) != chain {
                    return Ok(Verification {
                        entries,
                        problem: Some(format!(
                            "entry {seq} ({kind} {ref_id}) does not follow from the entry before it: the chain was edited"
                        )),
                    });
                }
                prev = chain;
                last.insert((kind, ref_id), (seq, content));
            }
        }
        let mut problems: Vec<(i64, String)> = Vec::new();
        for chained in CHAINED {
            let columns = present(&self.conn, chained.table, chained.content)?;
            let mut stmt = self.conn.prepare(&format!(
                "SELECT id, {} FROM {} ORDER BY id",
                content_call("", &columns),
                chained.table
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (id, content): (i64, Vec<u8>) = (r.get(0)?, r.get(1)?);
                match last.remove(&(chained.kind.to_owned(), id)) {
                    None => problems.push((
                        i64::MAX,
                        format!("{} row {id} has no entry in the chain: it was added outside the till", chained.table),
                    )),
                    Some((seq, recorded)) if recorded != content => problems.push((
                        seq,
                        format!(
                            "entry {seq}: {} row {id} no longer holds what was recorded: it was edited",
                            chained.table
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
        for ((kind, id), (seq, _)) in last {
            problems.push((
                seq,
                format!("entry {seq}: {kind} row {id} is gone: it was deleted"),
            ));
        }
        if problems.is_empty() {
            let missing = self.missing_triggers()?;
            if !missing.is_empty() {
                problems.push((
                    i64::MAX,
                    format!(
                        "the journal's triggers were removed ({}): changes made since are not in the chain",
                        missing.join(", ")
                    ),
                ));
            }
        }
        problems.sort();
        Ok(Verification {
            entries,
            problem: problems.into_iter().next().map(|(_, p)| p),
        })
    }

    fn missing_triggers(&self) -> Result<Vec<String>, JournalError> {
        let mut missing = Vec::new();
        for chained in CHAINED {
            for suffix in ["event_insert", "event_update", "no_delete"] {
                let name = format!("{}_{suffix}", chained.table);
                let n: i64 = self.conn.query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                    [&name],
                    |r| r.get(0),
                )?;
                if n == 0 {
                    missing.push(name);
                }
            }
        }
        Ok(missing)
    }

    /// The chain hash of event `seq`, if there is one: what the store keeps of the chain,
    /// so a journal rewritten after it was synced no longer matches the store's copy.
    pub fn chain_hash_at(&self, seq: i64) -> Result<Option<Vec<u8>>, JournalError> {
        Ok(self
            .conn
            .query_row("SELECT chain_hash FROM events WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The newest event's number (0 for an empty journal).
    pub fn last_event(&self) -> Result<i64, JournalError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?)
    }

    /// Row changes after event `after`, oldest first, at most `limit`: each with the row as
    /// it stands now (a later change of the same row repeats it; the newest wins).
    pub fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<ChangedRow>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT e.seq, {} FROM events e JOIN entries ON entries.id = e.ref_id
             WHERE e.kind = 'entry' AND e.seq > ?1 ORDER BY e.seq LIMIT ?2",
            super::row::COLUMNS
                .split(", ")
                .map(|c| format!("entries.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![after, limit], |r| {
            let seq: i64 = r.get(0)?;
            let row = super::row::read_at(r, 1, false)?;
            Ok(ChangedRow { seq, row })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
