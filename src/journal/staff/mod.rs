//! Staff: who may work this till, in which role, with which PIN.
//!
//! With no staff, the till works as it always did (demo, first run). The first staff
//! member must be a manager; after that only a manager adds or removes staff. A PIN is
//! kept only as an Argon2id hash (`pin`); wrong PINs lock an id for a while (`sign_on`);
//! who may do what is decided in `permit`. Every change to a staff member, and every
//! lockout, is a chained journal row, so an edit made outside the till shows in `verify`.
//!
//! Staff writes are small and independent of the sales: a journal opened read-only (say
//! `history` beside a running till) still records a wrong PIN, on a connection of its own
//! (see [`Journal::staff_writes`]).

mod admin;
pub(crate) mod permit;
mod pin;
mod sign_on;

use std::fmt;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;
use time::OffsetDateTime;

use super::row::{from_ms, to_ms};
use super::{Journal, JournalError};

pub use permit::{Attribution, Authority, Need, Refusal};
pub use pin::{LANES, MAX_DIGITS, MEMORY_KIB, MIN_DIGITS, NotAPin, PASSES, Pin};
pub use sign_on::{PinPolicy, SignOnRefusal, SignedOn, lockout_after_wrong_pin};

/// What a staff member may do beyond selling: a manager approves voids, large amounts and
/// abandoned rows, closes the shift (Z), and manages staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Cashier,
    Manager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cashier" => Some(Role::Cashier),
            "manager" => Some(Role::Manager),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A staff member as the till shows them: never a PIN, never a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// One line of `staff list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffLine {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    /// Set while wrong PINs keep this id locked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
}

/// The longest staff id and name.
pub const MAX_ID_LEN: usize = 16;
pub const MAX_NAME_CHARS: usize = 40;

/// A staff id as stored: 1 to 16 letters, digits, `-` or `_`, lower case (`Ann` and `ann`
/// are one person).
pub fn canonical_id(text: &str) -> Result<String, String> {
    let id = text.trim().to_ascii_lowercase();
    let shaped = (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if shaped {
        Ok(id)
    } else {
        Err(format!(
            "a staff id is 1 to {MAX_ID_LEN} letters, digits, - or _"
        ))
    }
}

/// A name as shown in the header and on reports: 1 to 40 characters, no control characters.
pub fn check_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!(
            "a name is 1 to {MAX_NAME_CHARS} characters, no control characters"
        ));
    }
    Ok(name.to_owned())
}

/// Why a staff change did not happen. Nothing was changed in any of these.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// The credentials given may not make this change.
    #[error("{0}")]
    NotPermitted(Refusal),
    /// The change itself is wrong (an id taken, the last manager removed, ...).
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl From<rusqlite::Error> for StaffError {
    fn from(e: rusqlite::Error) -> StaffError {
        StaffError::Journal(e.into())
    }
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction on `conn` (the write lock taken first, so
/// what `f` reads cannot change before it writes).
pub(crate) fn immediately<T, E>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<rusqlite::Error>,
{
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => match conn.execute_batch("COMMIT") {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Whether any staff member is active: from then on, every operation needs one.
pub(crate) fn any_active(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM staff WHERE removed_at IS NULL)",
        [],
        |r| r.get(0),
    )
}

/// The active staff member `id`, if there is one.
pub(crate) fn active(conn: &Connection, id: &str) -> rusqlite::Result<Option<StaffMember>> {
    conn.query_row(
        "SELECT staff_id, name, role FROM staff WHERE staff_id = ?1 AND removed_at IS NULL",
        [id],
        |r| {
            let role: String = r.get(2)?;
            Ok(StaffMember {
                id: r.get(0)?,
                name: r.get(1)?,
                // The schema's CHECK keeps roles known; an unknown one gets no rights.
                role: Role::parse(&role).unwrap_or(Role::Cashier),
            })
        },
    )
    .optional()
}

/// Appends to the staff log (chained like every journal row).
pub(crate) fn log(
    conn: &Connection,
    at: OffsetDateTime,
    staff_id: &str,
    action: &str,
    by: Option<&str>,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO staff_log (at, staff_id, action, by_staff, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![to_ms(at), staff_id, action, by, detail],
    )?;
    Ok(())
}

impl Journal {
    /// Whether this till has staff: from then on every operation needs one signed on.
    pub fn has_staff(&self) -> Result<bool, JournalError> {
        Ok(any_active(&self.conn)?)
    }

    /// The active staff member `id` (already canonical), if any.
    pub fn staff_member(&self, id: &str) -> Result<Option<StaffMember>, JournalError> {
        Ok(active(&self.conn, id)?)
    }

    /// Active staff, by id.
    pub fn staff(&self, now: OffsetDateTime) -> Result<Vec<StaffLine>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT staff_id, name, role, added_at, locked_until FROM staff
             WHERE removed_at IS NULL ORDER BY staff_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(2)?;
            let added: i64 = r.get(3)?;
            let locked: Option<i64> = r.get(4)?;
            Ok(StaffLine {
                id: r.get(0)?,
                name: r.get(1)?,
                role: Role::parse(&role).unwrap_or(Role::Cashier),
                added_at: from_ms(added).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                locked_until: locked.and_then(from_ms).filter(|until| *until > now),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Runs `f` on a connection that may write staff bookkeeping: the writer's own, or for
    /// a journal opened read-only, a short-lived one of its own (SQLite serializes it with
    /// the till's writes; it never touches the sales).
    pub(crate) fn staff_writes<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<JournalError>,
    {
        if !self.read_only {
            return f(&self.conn);
        }
        let conn = self.side_connection()?;
        f(&conn)
    }

    /// A second, writable connection to this journal's file, without the writer lock:
    /// for the staff bookkeeping a read-only opener must still record (a wrong PIN).
    fn side_connection(&self) -> Result<Connection, JournalError> {
        let path = self.path.as_deref().ok_or(JournalError::ReadOnly)?;
        let open_err = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        super::configure(&conn, false).map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        Ok(conn)
    }
}

#[cfg(test)]
mod tests;
