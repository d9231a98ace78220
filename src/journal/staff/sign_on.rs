//! Signing on: an id and a PIN in, the staff member or the reason out, with a lockout
//! after too many wrong PINs.
//!
//! The attempt is counted before the PIN is checked (the check takes some 130 ms on
//! purpose), so a burst of attempts at once cannot get more guesses than the policy
//! allows. The count and the lock live in the journal: they survive a restart, and the
//! lock itself is a chained `staff_log` row.

use std::fmt;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::{Pin, StaffMember, active, canonical_id, immediately, log, pin};
use crate::journal::row::{from_ms, to_ms};
use crate::journal::{Journal, JournalError};

/// How many wrong PINs in a row lock an id, and for how long (`pin_attempts`,
/// `pin_lockout_min`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinPolicy {
    pub attempts: u32,
    pub lockout: Duration,
}

impl Default for PinPolicy {
    fn default() -> PinPolicy {
        PinPolicy {
            attempts: 5,
            lockout: Duration::from_secs(5 * 60),
        }
    }
}

/// A staff member whose PIN was checked. Only [`Journal::sign_on`] makes one; the till
/// still looks the member up again before it acts on it (they may have been removed, or
/// their role changed, since).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOn {
    member: StaffMember,
    at: OffsetDateTime,
}

impl SignedOn {
    pub fn member(&self) -> &StaffMember {
        &self.member
    }

    pub fn id(&self) -> &str {
        &self.member.id
    }

    /// When the PIN was checked.
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    /// For tests of screens that show a signed-on member: no PIN was checked.
    #[doc(hidden)]
    pub fn for_test(member: StaffMember, at: OffsetDateTime) -> SignedOn {
        SignedOn { member, at }
    }
}

/// Why a sign-on failed. The words never repeat a PIN, nor an id that is not a staff
/// member's (a PIN typed into the id field would otherwise be shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOnRefusal {
    UnknownId,
    WrongPin {
        id: String,
        attempts_left: u32,
    },
    Locked {
        id: String,
        until: OffsetDateTime,
        /// Whole minutes left, rounded up.
        minutes_left: u64,
        /// This attempt was the one that locked it.
        just_now: bool,
    },
}

impl fmt::Display for SignOnRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let minutes = |n: u64| if n == 1 { "minute" } else { "minutes" };
        match self {
            SignOnRefusal::UnknownId => f.write_str("no staff member has that id"),
            SignOnRefusal::WrongPin { id, attempts_left } => write!(
                f,
                "wrong PIN for {id} ({attempts_left} more wrong PIN{} lock{} {id} out)",
                if *attempts_left == 1 { "" } else { "s" },
                if *attempts_left == 1 { "s" } else { "" },
            ),
            SignOnRefusal::Locked {
                id,
                minutes_left,
                just_now: true,
                ..
            } => write!(
                f,
                "wrong PIN for {id}: too many wrong PINs, {id} is locked for {minutes_left} {}",
                minutes(*minutes_left)
            ),
            SignOnRefusal::Locked {
                id, minutes_left, ..
            } => write!(
                f,
                "{id} is locked after too many wrong PINs, for {minutes_left} more {}; a manager can set a new PIN",
                minutes(*minutes_left)
            ),
        }
    }
}

/// Before a PIN is checked: whether the id may try at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    Locked(OffsetDateTime),
    /// Every attempt the policy allows is already under way: lock now.
    LockNow,
    Try,
}

fn gate(
    failed: u32,
    locked_until: Option<OffsetDateTime>,
    now: OffsetDateTime,
    p: PinPolicy,
) -> Gate {
    match locked_until {
        Some(until) if until > now => Gate::Locked(until),
        _ if failed >= p.attempts => Gate::LockNow,
        _ => Gate::Try,
    }
}

/// After a wrong PIN that made `failed` wrong PINs in a row: the lock's end, or how many
/// attempts are left before it.
pub fn lockout_after_wrong_pin(
    failed: u32,
    policy: PinPolicy,
    now: OffsetDateTime,
) -> Result<u32, OffsetDateTime> {
    if failed >= policy.attempts {
        Err(now + policy.lockout)
    } else {
        Ok(policy.attempts - failed)
    }
}

fn minutes_left(until: OffsetDateTime, now: OffsetDateTime) -> u64 {
    let secs = u64::try_from((until - now).whole_seconds()).unwrap_or(0);
    secs.div_ceil(60).max(1)
}

fn locked(id: &str, until: OffsetDateTime, now: OffsetDateTime, just_now: bool) -> SignOnRefusal {
    SignOnRefusal::Locked {
        id: id.to_owned(),
        until,
        minutes_left: minutes_left(until, now),
        just_now,
    }
}

/// Locks `id` until `until` and journals it.
fn lock(
    conn: &Connection,
    id: &str,
    until: OffsetDateTime,
    now: OffsetDateTime,
    p: PinPolicy,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE staff SET failed_pins = 0, locked_until = ?2 WHERE staff_id = ?1",
        params![id, to_ms(until)],
    )?;
    let detail = format!(
        "{} wrong PINs; locked until {}",
        p.attempts,
        until
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    );
    log(conn, now, id, "locked", None, Some(&detail))
}

type Found = Option<(String, u32, Option<OffsetDateTime>)>;

fn lockout_state(conn: &Connection, id: &str) -> rusqlite::Result<Found> {
    conn.query_row(
        "SELECT pin_hash, failed_pins, locked_until FROM staff
         WHERE staff_id = ?1 AND removed_at IS NULL",
        [id],
        |r| {
            let failed: i64 = r.get(1)?;
            let until: Option<i64> = r.get(2)?;
            Ok((
                r.get(0)?,
                u32::try_from(failed).unwrap_or(u32::MAX),
                until.and_then(from_ms),
            ))
        },
    )
    .optional()
}

impl Journal {
    /// Sets how many wrong PINs lock an id, and for how long.
    pub fn set_pin_policy(&mut self, policy: PinPolicy) {
        self.pin_policy = policy;
    }

    pub fn pin_policy(&self) -> PinPolicy {
        self.pin_policy
    }

    /// Checks `pin` for staff id `id`: the member, or why not. Wrong PINs are counted and
    /// lock the id per [`PinPolicy`]; a right one clears the count. Blocks for the PIN
    /// check (about 130 ms): run it off the screen's thread.
    pub fn sign_on(
        &self,
        id: &str,
        pin: &Pin,
        now: OffsetDateTime,
    ) -> Result<Result<SignedOn, SignOnRefusal>, JournalError> {
        let Ok(id) = canonical_id(id) else {
            return Ok(Err(SignOnRefusal::UnknownId));
        };
        let policy = self.pin_policy;
        self.staff_writes(|conn| {
            let counted = immediately(conn, |conn| {
                let Some((hash, failed, locked_until)) = lockout_state(conn, &id)? else {
                    return Ok::<_, JournalError>(Err(SignOnRefusal::UnknownId));
                };
                match gate(failed, locked_until, now, policy) {
                    Gate::Locked(until) => Ok(Err(locked(&id, until, now, false))),
                    Gate::LockNow => {
                        let until = now + policy.lockout;
                        lock(conn, &id, until, now, policy)?;
                        Ok(Err(locked(&id, until, now, true)))
                    }
                    Gate::Try => {
                        conn.execute(
                            "UPDATE staff SET failed_pins = failed_pins + 1, locked_until = NULL
                             WHERE staff_id = ?1",
                            [&id],
                        )?;
                        Ok(Ok(hash))
                    }
                }
            })?;
            let hash = match counted {
                Ok(hash) => hash,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let right = pin::matches(pin, &hash);
            immediately(conn, |conn| {
                if right {
                    conn.execute(
                        "UPDATE staff SET failed_pins = 0 WHERE staff_id = ?1",
                        [&id],
                    )?;
                    // Removed while the PIN was being checked: no longer staff.
                    return Ok(match active(conn, &id)? {
                        Some(member) => Ok(SignedOn { member, at: now }),
                        None => Err(SignOnRefusal::UnknownId),
                    });
                }
                let failed = lockout_state(conn, &id)?.map_or(policy.attempts, |s| s.1);
                Ok(match lockout_after_wrong_pin(failed, policy, now) {
                    Ok(attempts_left) => Err(SignOnRefusal::WrongPin {
                        id: id.clone(),
                        attempts_left,
                    }),
                    Err(until) => {
                        lock(conn, &id, until, now, policy)?;
                        Err(locked(&id, until, now, true))
                    }
                })
            })
        })
    }

    /// Journals that `who` signed on at the screen (headless commands do not: each of
    /// their rows names its cashier).
    pub fn log_sign_on(&self, who: &SignedOn) -> Result<(), JournalError> {
        self.staff_writes(|conn| Ok(log(conn, who.at, who.id(), "signed_on", None, None)?))
    }

    /// Journals that `who` signed off at the screen (by hand, or locked out by idling).
    pub fn log_sign_off(
        &self,
        who: &SignedOn,
        now: OffsetDateTime,
        why: &str,
    ) -> Result<(), JournalError> {
        self.staff_writes(|conn| Ok(log(conn, now, who.id(), "signed_off", None, Some(why))?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    #[test]
    fn an_id_is_locked_at_the_fifth_wrong_pin_for_the_lockout() {
        let p = PinPolicy::default();
        assert_eq!(lockout_after_wrong_pin(1, p, NOW), Ok(4));
        assert_eq!(lockout_after_wrong_pin(4, p, NOW), Ok(1));
        assert_eq!(
            lockout_after_wrong_pin(5, p, NOW),
            Err(datetime!(2026-03-02 09:05 UTC))
        );
        let strict = PinPolicy {
            attempts: 3,
            lockout: Duration::from_secs(3600),
        };
        assert_eq!(
            lockout_after_wrong_pin(3, strict, NOW),
            Err(datetime!(2026-03-02 10:00 UTC))
        );
    }

    #[test]
    fn a_lock_holds_until_its_end_and_attempts_under_way_count() {
        let p = PinPolicy::default();
        let until = datetime!(2026-03-02 09:03 UTC);
        assert_eq!(gate(0, Some(until), NOW, p), Gate::Locked(until));
        assert_eq!(gate(0, Some(NOW), NOW, p), Gate::Try, "over at its end");
        assert_eq!(gate(4, None, NOW, p), Gate::Try);
        assert_eq!(gate(5, None, NOW, p), Gate::LockNow);
    }

    #[test]
    fn refusals_say_what_to_do_and_round_minutes_up() {
        let wrong = SignOnRefusal::WrongPin {
            id: "ann".into(),
            attempts_left: 1,
        };
        assert_eq!(
            wrong.to_string(),
            "wrong PIN for ann (1 more wrong PIN locks ann out)"
        );
        let later = locked("ann", datetime!(2026-03-02 09:04:01 UTC), NOW, false);
        assert_eq!(
            later.to_string(),
            "ann is locked after too many wrong PINs, for 5 more minutes; a manager can set a new PIN"
        );
        assert_eq!(
            locked("ann", datetime!(2026-03-02 09:00:30 UTC), NOW, true).to_string(),
            "wrong PIN for ann: too many wrong PINs, ann is locked for 1 minute"
        );
        assert_eq!(
            SignOnRefusal::UnknownId.to_string(),
            "no staff member has that id"
        );
    }
}
