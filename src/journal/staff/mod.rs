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

pub(crate) mod permit;
mod pin;
mod sign_on;

use std::fmt;

use rusqlite::{Connection, OptionalExtension, params};
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

fn active_managers(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM staff WHERE role = 'manager' AND removed_at IS NULL",
        [],
        |r| r.get(0),
    )
}

/// `by`, who must be an active manager now.
fn manager(conn: &Connection, by: Option<&SignedOn>) -> Result<StaffMember, StaffError> {
    let by = by.ok_or(StaffError::NotPermitted(Refusal::ManagerNeeded))?;
    match active(conn, by.id())? {
        Some(m) if m.role == Role::Manager => Ok(m),
        Some(m) => Err(StaffError::NotPermitted(Refusal::NotAManager(m.id))),
        None => Err(StaffError::NotPermitted(Refusal::NoLongerStaff(
            by.id().to_owned(),
        ))),
    }
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

    /// Adds a staff member (or takes a removed one back, with a new name, role and PIN).
    /// The first must be a manager and needs nobody's approval; after that `by` must be
    /// an active manager.
    pub fn add_staff(
        &self,
        id: &str,
        name: &str,
        role: Role,
        pin: &Pin,
        by: Option<&SignedOn>,
        now: OffsetDateTime,
    ) -> Result<StaffMember, StaffError> {
        let id = canonical_id(id).map_err(StaffError::Input)?;
        let name = check_name(name).map_err(StaffError::Input)?;
        // Slow on purpose; done before the write lock is taken.
        let hash = pin::hash(pin)?;
        self.staff_writes(|conn| {
            immediately(conn, |conn| {
                let by_id = if any_active(conn)? {
                    Some(manager(conn, by)?.id)
                } else if role != Role::Manager {
                    return Err(StaffError::Input(
                        "the first staff member must be a manager: managers approve voids and add the others".into(),
                    ));
                } else {
                    None
                };
                let known: Option<Option<i64>> = conn
                    .query_row(
                        "SELECT removed_at FROM staff WHERE staff_id = ?1",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()?;
                match known {
                    Some(None) => {
                        return Err(StaffError::Input(format!(
                            "staff id {id} is already taken"
                        )));
                    }
                    Some(Some(_)) => conn.execute(
                        "UPDATE staff SET name = ?2, role = ?3, pin_hash = ?4, added_at = ?5,
                             removed_at = NULL, failed_pins = 0, locked_until = NULL
                         WHERE staff_id = ?1",
                        params![id, name, role.as_str(), hash, to_ms(now)],
                    )?,
                    None => conn.execute(
                        "INSERT INTO staff (staff_id, name, role, pin_hash, added_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![id, name, role.as_str(), hash, to_ms(now)],
                    )?,
                };
                log(
                    conn,
                    now,
                    &id,
                    "added",
                    by_id.as_deref(),
                    Some(role.as_str()),
                )?;
                Ok(StaffMember { id, name, role })
            })
        })
    }

    /// Removes a staff member (a manager's change). Their rows keep their id, and the id
    /// keeps its name for the reports. The last manager cannot go: nobody could approve
    /// a void or add staff after them.
    pub fn remove_staff(
        &self,
        id: &str,
        by: &SignedOn,
        now: OffsetDateTime,
    ) -> Result<StaffMember, StaffError> {
        let id = canonical_id(id).map_err(StaffError::Input)?;
        self.staff_writes(|conn| {
            immediately(conn, |conn| {
                let by = manager(conn, Some(by))?;
                let member = active(conn, &id)?
                    .ok_or_else(|| StaffError::Input(format!("{id} is not on the staff")))?;
                if member.role == Role::Manager && active_managers(conn)? <= 1 {
                    return Err(StaffError::Input(format!(
                        "{id} is the last manager; add another manager first"
                    )));
                }
                conn.execute(
                    "UPDATE staff SET removed_at = ?2 WHERE staff_id = ?1",
                    params![id, to_ms(now)],
                )?;
                log(conn, now, &id, "removed", Some(&by.id), None)?;
                Ok(member)
            })
        })
    }

    /// Sets a new PIN for `id`: by that staff member (signed on with the old one) or by a
    /// manager (a forgotten PIN). It also lifts a lockout.
    pub fn change_pin(
        &self,
        id: &str,
        pin: &Pin,
        by: &SignedOn,
        now: OffsetDateTime,
    ) -> Result<StaffMember, StaffError> {
        let id = canonical_id(id).map_err(StaffError::Input)?;
        let hash = pin::hash(pin)?;
        self.staff_writes(|conn| {
            immediately(conn, |conn| {
                let by_id = if by.id() == id {
                    active(conn, &id)?
                        .ok_or_else(|| {
                            StaffError::NotPermitted(Refusal::NoLongerStaff(id.clone()))
                        })?
                        .id
                } else {
                    manager(conn, Some(by))?.id
                };
                let member = active(conn, &id)?
                    .ok_or_else(|| StaffError::Input(format!("{id} is not on the staff")))?;
                conn.execute(
                    "UPDATE staff SET pin_hash = ?2, failed_pins = 0, locked_until = NULL
                     WHERE staff_id = ?1",
                    params![id, hash],
                )?;
                log(conn, now, &id, "pin_changed", Some(&by_id), None)?;
                Ok(member)
            })
        })
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
}

#[cfg(test)]
mod tests;
