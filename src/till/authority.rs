//! Who must sign on, and who must approve, for each thing done at the till: pure
//! decisions, shared by the screen and the headless commands. The journal checks them
//! again against the staff as they stand, in the transaction that records the action.
//!
//! With no staff set up, nothing is needed. Once there are staff:
//!
//! | action | needs |
//! |---|---|
//! | a sale, a balance check, an activation, a resend (`recover`) | any staff member |
//! | a void; any money amount over `manager_over` | a manager (or a manager's approval) |
//! | abandoning a row whose outcome is unknown | a manager |
//! | history, a receipt, the open rows, the X report, `staff list` | any staff member |
//! | `report`, `export` (every cashier's figures, any period) | a manager |
//! | the Z report; adding and removing staff, another's PIN | a manager |
//! | `verify`, `sync` | nobody: an auditor's check, and a push to the store's own database |

use crate::api::{Operation, Quantity, TillRequest};
use crate::journal::Need;

/// Something done at the till, as far as permission goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new request; money amounts in minor units of the till's currency.
    Send {
        operation: Operation,
        amount_minor: Option<i64>,
    },
    /// Send a journaled request again (recovery): the row keeps who ran it.
    Resend,
    /// Close a row whose outcome is unknown by hand.
    Abandon,
    /// Read the journal: history, receipts, open rows, the X report, the staff list.
    Look,
    /// Every cashier's figures over any period: `report`, `export`.
    Figures,
    /// The Z report.
    CloseShift,
    /// Add or remove staff, or set someone else's PIN.
    ManageStaff,
}

/// Whether a request needs a manager: a void always; a money amount over `manager_over`
/// (minor units; `None`: no limit). Points are not limited.
pub fn needs_manager(
    operation: Operation,
    amount_minor: Option<i64>,
    manager_over: Option<i64>,
) -> bool {
    match operation {
        Operation::Void => true,
        op if op.quantity() == Quantity::Money => {
            matches!((amount_minor, manager_over), (Some(amount), Some(limit)) if amount > limit)
        }
        _ => false,
    }
}

/// What `action` needs once the till has staff.
pub fn need(action: Action, manager_over: Option<i64>) -> Need {
    let manager = match action {
        Action::Send {
            operation,
            amount_minor,
        } => needs_manager(operation, amount_minor, manager_over),
        Action::Resend | Action::Look => false,
        Action::Abandon | Action::Figures | Action::CloseShift | Action::ManageStaff => true,
    };
    if manager { Need::Manager } else { Need::Staff }
}

/// [`Action::Send`] for `request`.
pub fn sending(request: &TillRequest) -> Action {
    Action::Send {
        operation: request.operation,
        amount_minor: request.amount.map(|a| a.minor()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_void_always_needs_a_manager_and_money_only_over_the_limit() {
        assert!(needs_manager(Operation::Void, None, None));
        for op in [Operation::TopUp, Operation::Pay, Operation::Tip] {
            assert!(!needs_manager(op, Some(100_000), None), "no limit set");
            assert!(
                !needs_manager(op, Some(10_000), Some(10_000)),
                "at the limit"
            );
            assert!(needs_manager(op, Some(10_001), Some(10_000)), "over it");
        }
        for op in [
            Operation::IssuePoints,
            Operation::RedeemPoints,
            Operation::Balance,
            Operation::Activate,
        ] {
            assert!(!needs_manager(op, Some(1_000_000), Some(1)), "{op}");
        }
    }

    #[test]
    fn reading_needs_staff_and_managing_needs_a_manager() {
        let pay = |minor| Action::Send {
            operation: Operation::Pay,
            amount_minor: Some(minor),
        };
        assert_eq!(need(pay(500), Some(1_000)), Need::Staff);
        assert_eq!(need(pay(5_000), Some(1_000)), Need::Manager);
        for staff in [Action::Resend, Action::Look] {
            assert_eq!(need(staff, Some(0)), Need::Staff);
        }
        for manager in [
            Action::Abandon,
            Action::Figures,
            Action::CloseShift,
            Action::ManageStaff,
        ] {
            assert_eq!(need(manager, None), Need::Manager);
        }
    }
}
