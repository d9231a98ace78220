//! Who may do what: the decision ([`decide`], pure) and its check against the staff as
//! they stand now ([`Journal::permit`]), made in the same transaction as the row it
//! allows, so a member removed a moment ago cannot slip one more row in.

use std::fmt;

use rusqlite::Connection;

use super::{Role, SignedOn, StaffMember, active, any_active};
use crate::journal::{Journal, JournalError};

/// Who is acting: the signed-on cashier and, for one action, the manager who approved it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authority {
    cashier: Option<SignedOn>,
    approver: Option<SignedOn>,
}

impl Authority {
    /// Nobody signed on: enough only while the till has no staff.
    pub fn nobody() -> Authority {
        Authority::default()
    }

    pub fn cashier(cashier: SignedOn) -> Authority {
        Authority {
            cashier: Some(cashier),
            approver: None,
        }
    }

    /// The same cashier, with `manager` approving this one action.
    pub fn approved_by(mut self, manager: SignedOn) -> Authority {
        self.approver = Some(manager);
        self
    }

    pub fn signed_on(&self) -> Option<&SignedOn> {
        self.cashier.as_ref()
    }

    pub fn approver(&self) -> Option<&SignedOn> {
        self.approver.as_ref()
    }

    /// The manager among them, if any: the approver, else a cashier who is one.
    pub fn manager(&self) -> Option<&SignedOn> {
        [&self.approver, &self.cashier]
            .into_iter()
            .flatten()
            .find(|s| s.member().role == Role::Manager)
    }

    /// Whether a manager is among them (as checked at sign-on; [`decide`] checks again).
    pub fn has_manager(&self) -> bool {
        [&self.cashier, &self.approver]
            .into_iter()
            .flatten()
            .any(|s| s.member().role == Role::Manager)
    }
}

/// What an action needs once the till has staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any staff member, signed on.
    Staff,
    /// A manager: signed on, or approving the cashier's action.
    Manager,
}

/// Who a row is recorded under: staff ids, `None` while the till has no staff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    pub cashier: Option<String>,
    pub approved_by: Option<String>,
}

/// Why an action is not permitted. Nothing was done, nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The till has staff and nobody signed on.
    SignOnNeeded,
    /// Signed on, but removed from the staff since.
    NoLongerStaff(String),
    /// It needs a manager, and none signed on or approved it.
    ManagerNeeded,
    /// The approver given is not a manager.
    NotAManager(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::SignOnNeeded => f.write_str("a staff member must sign on first"),
            Refusal::NoLongerStaff(id) => write!(f, "{id} is no longer on the staff"),
            Refusal::ManagerNeeded => f.write_str("it needs a manager's approval"),
            Refusal::NotAManager(id) => write!(f, "{id} is not a manager"),
        }
    }
}

/// A signed-on member as the staff table has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Current {
    Nobody,
    Gone(String),
    Active(StaffMember),
}

/// Whether `need` is met by the cashier and approver as they stand now, and whom the row
/// is recorded under. A manager working alone approves their own void; the approver
/// given wins when there is one.
pub(crate) fn decide(
    has_staff: bool,
    cashier: Current,
    approver: Current,
    need: Need,
) -> Result<Attribution, Refusal> {
    if !has_staff {
        return Ok(Attribution::default());
    }
    let cashier = match cashier {
        Current::Nobody => return Err(Refusal::SignOnNeeded),
        Current::Gone(id) => return Err(Refusal::NoLongerStaff(id)),
        Current::Active(member) => member,
    };
    let approved_by = match (need, approver) {
        (Need::Staff, _) => None,
        (Need::Manager, Current::Active(m)) if m.role == Role::Manager => Some(m.id),
        (Need::Manager, Current::Active(m)) => return Err(Refusal::NotAManager(m.id)),
        (Need::Manager, Current::Gone(id)) => return Err(Refusal::NoLongerStaff(id)),
        (Need::Manager, Current::Nobody) if cashier.role == Role::Manager => {
            Some(cashier.id.clone())
        }
        (Need::Manager, Current::Nobody) => return Err(Refusal::ManagerNeeded),
    };
    Ok(Attribution {
        cashier: Some(cashier.id),
        approved_by,
    })
}

fn current(conn: &Connection, who: Option<&SignedOn>) -> rusqlite::Result<Current> {
    Ok(match who {
        None => Current::Nobody,
        Some(s) => match active(conn, s.id())? {
            Some(member) => Current::Active(member),
            None => Current::Gone(s.id().to_owned()),
        },
    })
}

/// [`decide`] against the staff table on `conn`.
pub(crate) fn check(
    conn: &Connection,
    authority: &Authority,
    need: Need,
) -> rusqlite::Result<Result<Attribution, Refusal>> {
    Ok(decide(
        any_active(conn)?,
        current(conn, authority.signed_on())?,
        current(conn, authority.approver())?,
        need,
    ))
}

impl Journal {
    /// Whether `authority` may do something that needs `need`, against the staff as they
    /// stand now; on a writer, call it inside [`Journal::atomically`] with the write it
    /// allows.
    pub fn permit(
        &self,
        authority: &Authority,
        need: Need,
    ) -> Result<Result<Attribution, Refusal>, JournalError> {
        Ok(check(&self.conn, authority, need)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, role: Role) -> Current {
        Current::Active(StaffMember {
            id: id.into(),
            name: id.to_uppercase(),
            role,
        })
    }

    fn ok(cashier: &str, approved_by: Option<&str>) -> Result<Attribution, Refusal> {
        Ok(Attribution {
            cashier: Some(cashier.into()),
            approved_by: approved_by.map(Into::into),
        })
    }

    #[test]
    fn without_staff_nothing_is_needed_and_nobody_is_recorded() {
        for need in [Need::Staff, Need::Manager] {
            assert_eq!(
                decide(false, Current::Nobody, Current::Nobody, need),
                Ok(Attribution::default())
            );
        }
    }

    #[test]
    fn with_staff_someone_signs_on_and_a_manager_approves_what_needs_one() {
        let cashier = || member("bob", Role::Cashier);
        assert_eq!(
            decide(true, Current::Nobody, Current::Nobody, Need::Staff),
            Err(Refusal::SignOnNeeded)
        );
        assert_eq!(
            decide(true, cashier(), Current::Nobody, Need::Staff),
            ok("bob", None)
        );
        assert_eq!(
            decide(true, cashier(), Current::Nobody, Need::Manager),
            Err(Refusal::ManagerNeeded)
        );
        assert_eq!(
            decide(true, cashier(), member("ann", Role::Manager), Need::Manager),
            ok("bob", Some("ann"))
        );
        assert_eq!(
            decide(true, cashier(), member("cy", Role::Cashier), Need::Manager),
            Err(Refusal::NotAManager("cy".into()))
        );
        assert_eq!(
            decide(
                true,
                member("ann", Role::Manager),
                Current::Nobody,
                Need::Manager
            ),
            ok("ann", Some("ann")),
            "a manager approves their own"
        );
        assert_eq!(
            decide(
                true,
                Current::Gone("bob".into()),
                Current::Nobody,
                Need::Staff
            ),
            Err(Refusal::NoLongerStaff("bob".into()))
        );
        assert_eq!(
            decide(true, cashier(), Current::Gone("ann".into()), Need::Manager),
            Err(Refusal::NoLongerStaff("ann".into()))
        );
        // An approver is not recorded where none was needed.
        assert_eq!(
            decide(true, cashier(), member("ann", Role::Manager), Need::Staff),
            ok("bob", None)
        );
    }
}
