//! Shifts: every row after the last Z report belongs to the open shift, which opened with
//! its first row. `X` reads its totals; `Z` (a manager's) closes it under the next number
//! and journals the totals as a chained row, and is refused while any outcome is unknown,
//! since an unknown row may still turn out approved and the Z could not be changed then.

mod text;
mod totals;

use std::collections::BTreeMap;
use std::fmt;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::row::{self, COLUMNS, from_ms, to_ms};
use super::staff::{self, Authority, Need, Refusal, immediately};
use super::{Journal, JournalError, Row};

pub use totals::{CashierTally, Liability, OperationTally, ShiftTotals, Tally, shift_totals};

/// A closed shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZReport {
    /// Its number, from 1.
    pub z: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub closed_at: OffsetDateTime,
    /// Who was signed on (`None` while the till has no staff).
    pub closed_by: Option<String>,
    /// The manager who approved the close (the same id when a manager closed it).
    pub approved_by: Option<String>,
    pub totals: ShiftTotals,
}

/// Why a Z was not made. Nothing was journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZRefusal {
    /// Rows whose outcome is not known: settle them first.
    Unknown {
        count: u64,
    },
    /// No rows since the last Z (or none at all).
    NothingToClose {
        last_z: Option<u64>,
    },
    NotPermitted(Refusal),
}

impl fmt::Display for ZRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZRefusal::Unknown { count } => write!(
                f,
                "{count} transaction{} with an unknown outcome: settle {} first with `paywizard-till recover` (it resends them; a manager can abandon one with `recover --abandon ORDER --reason ...`)",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "it" } else { "them" },
            ),
            ZRefusal::NothingToClose { last_z: Some(z) } => {
                write!(f, "nothing to close: no transactions since Z {z}")
            }
            ZRefusal::NothingToClose { last_z: None } => {
                f.write_str("nothing to close: no transactions yet")
            }
            ZRefusal::NotPermitted(Refusal::ManagerNeeded) => {
                f.write_str("closing the shift (Z) needs a manager")
            }
            ZRefusal::NotPermitted(r) => write!(f, "closing the shift (Z): {r}"),
        }
    }
}

/// What a Z attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZAttempt {
    Closed(Box<ZReport>),
    Refused(ZRefusal),
}

/// The last Z: its number and last row.
fn last_z(conn: &Connection) -> rusqlite::Result<Option<(u64, i64)>> {
    conn.query_row(
        "SELECT id, last_row FROM z_reports ORDER BY id DESC LIMIT 1",
        [],
        |r| {
            let z: i64 = r.get(0)?;
            Ok((u64::try_from(z).unwrap_or(0), r.get(1)?))
        },
    )
    .optional()
}

fn rows_where(conn: &Connection, filter: &str, value: i64) -> Result<Vec<Row>, JournalError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM entries WHERE {filter} ORDER BY id"
    ))?;
    let rows = stmt.query_map([value], |r| row::read(r, false))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The open shift's totals, staff names filled in.
fn open_shift(conn: &Connection) -> Result<ShiftTotals, JournalError> {
    let (z, after) = last_z(conn)?.unwrap_or((0, 0));
    let rows = rows_where(conn, "id > ?1", after)?;
    // The sales from earlier shifts that this shift's voids reversed.
    let mut earlier = Vec::new();
    for void_of in rows
        .iter()
        .filter_map(|r| r.void_of)
        .filter(|id| *id <= after)
    {
        earlier.extend(rows_where(conn, "id = ?1", void_of)?);
    }
    let mut totals = shift_totals(z + 1, &rows, &earlier);
    let names = staff_names(conn)?;
    for c in &mut totals.by_cashier {
        c.name = c.cashier.as_ref().and_then(|id| names.get(id).cloned());
    }
    Ok(totals)
}

/// Every staff id the journal has known, removed ones too, with its name.
fn staff_names(conn: &Connection) -> rusqlite::Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare("SELECT staff_id, name FROM staff")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

fn open_count(conn: &Connection) -> rusqlite::Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM entries WHERE state IN ('sending', 'unknown')",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

impl Journal {
    /// The X report: the open shift's totals so far.
    pub fn shift_x(&self) -> Result<ShiftTotals, JournalError> {
        open_shift(&self.conn)
    }

    /// The Z report: closes the open shift under the next number and journals its totals,
    /// all in one transaction; or says why not. `authority` must hold a manager once the
    /// till has staff.
    pub fn close_shift(
        &mut self,
        authority: &Authority,
        now: OffsetDateTime,
    ) -> Result<ZAttempt, JournalError> {
        self.writable()?;
        // As the journal keeps it: to the millisecond.
        let now = from_ms(to_ms(now)).unwrap_or(now);
        immediately(&self.conn, |conn| {
            let who = match staff::permit::check(conn, authority, Need::Manager)? {
                Ok(who) => who,
                Err(r) => return Ok(ZAttempt::Refused(ZRefusal::NotPermitted(r))),
            };
            let unknown = open_count(conn)?;
            if unknown > 0 {
                return Ok(ZAttempt::Refused(ZRefusal::Unknown { count: unknown }));
            }
            let totals = open_shift(conn)?;
            let (Some(first_row), Some(last_row), Some(opened_at)) =
                (totals.first_row, totals.last_row, totals.opened_at)
            else {
                return Ok(ZAttempt::Refused(ZRefusal::NothingToClose {
                    last_z: last_z(conn)?.map(|(z, _)| z),
                }));
            };
            let json = serde_json::to_string(&totals)
                .map_err(|e| JournalError::Invalid(format!("the Z totals: {e}")))?;
            let z = totals.shift;
            conn.execute(
                "INSERT INTO z_reports (id, closed_at, closed_by, approved_by, first_row,
                     last_row, opened_at, totals)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    i64::try_from(z).unwrap_or(i64::MAX),
                    to_ms(now),
                    who.cashier,
                    who.approved_by,
                    first_row,
                    last_row,
                    to_ms(opened_at),
                    json,
                ],
            )?;
            Ok(ZAttempt::Closed(Box::new(ZReport {
                z,
                closed_at: now,
                closed_by: who.cashier,
                approved_by: who.approved_by,
                totals,
            })))
        })
    }

    /// Z report number `z` as it was journaled, if there is one.
    pub fn z_report(&self, z: u64) -> Result<Option<ZReport>, JournalError> {
        let found: Option<(i64, Option<String>, Option<String>, String)> = self
            .conn
            .query_row(
                "SELECT closed_at, closed_by, approved_by, totals FROM z_reports WHERE id = ?1",
                [i64::try_from(z).unwrap_or(i64::MAX)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((closed_at, closed_by, approved_by, json)) = found else {
            return Ok(None);
        };
        let totals = serde_json::from_str(&json)
            .map_err(|e| JournalError::Invalid(format!("Z {z} does not read back: {e}")))?;
        Ok(Some(ZReport {
            z,
            closed_at: from_ms(closed_at).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            closed_by,
            approved_by,
            totals,
        }))
    }

    /// The number of the last Z report (`None`: no shift was closed yet).
    pub fn last_z(&self) -> Result<Option<u64>, JournalError> {
        Ok(last_z(&self.conn)?.map(|(z, _)| z))
    }
}
