//! Adding, removing and re-PINning staff: a manager's changes, each journaled in
//! `staff_log` with who made it.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::{
    Pin, Refusal, Role, SignedOn, StaffError, StaffMember, active, any_active, canonical_id,
    check_name, immediately, log, pin,
};
use crate::journal::Journal;
use crate::journal::row::to_ms;

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
}
