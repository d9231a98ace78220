//! Who runs a headless command, once the till has staff: the environment's
//! `PAYWIZARD_CASHIER` and `PAYWIZARD_CASHIER_PIN`, and for what needs a manager,
//! `PAYWIZARD_MANAGER` and `PAYWIZARD_MANAGER_PIN` (or a cashier who is one). Environment
//! only: a flag would show the PIN in the process list. Missing or wrong: exit 77, one
//! line, and nothing sent, since this runs before any request is built.

use time::OffsetDateTime;

use super::headless::Failure;
use crate::config::Config;
use crate::journal::{Authority, Journal, JournalError, Need, Pin, Role, SignedOn};
use crate::till::authority::{Action, need};

pub const CASHIER: &str = "PAYWIZARD_CASHIER";
pub const CASHIER_PIN: &str = "PAYWIZARD_CASHIER_PIN";
pub const MANAGER: &str = "PAYWIZARD_MANAGER";
pub const MANAGER_PIN: &str = "PAYWIZARD_MANAGER_PIN";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Signs `id_var` on with the PIN in `pin_var`.
fn sign_on(
    journal: &Journal,
    id_var: &str,
    pin_var: &str,
    missing: impl FnOnce() -> String,
) -> Result<SignedOn, Failure> {
    let (Some(id), Some(pin)) = (var(id_var), var(pin_var)) else {
        return Err(Failure::NotPermitted(missing()));
    };
    // The words never include what was in the variable.
    let pin = Pin::parse(&pin).map_err(|e| Failure::NotPermitted(format!("{pin_var}: {e}")))?;
    match journal.sign_on(&id, &pin, OffsetDateTime::now_utc()) {
        Ok(Ok(signed)) => Ok(signed),
        Ok(Err(refusal)) => Err(Failure::NotPermitted(format!("{id_var}: {refusal}"))),
        Err(e) => Err(Failure::Other(format!("journal: {e}"))),
    }
}

/// Who may do `action` (`what`, for the messages) on `journal`: nobody needed while it
/// has no staff; else the cashier from the environment, and a manager where one is
/// needed. Wrong PINs count towards the lockout.
pub fn authorize(
    journal: &Journal,
    config: &Config,
    action: Action,
    what: &str,
) -> Result<Authority, Failure> {
    let has_staff = journal
        .has_staff()
        .map_err(|e| Failure::Other(format!("journal: {e}")))?;
    if !has_staff {
        return Ok(Authority::nobody());
    }
    let manager_over = config.staff.manager_over.map(|a| a.minor());
    let needed = need(action, manager_over);
    let cashier = sign_on(journal, CASHIER, CASHIER_PIN, || {
        format!("this till has staff: {what} needs {CASHIER} and {CASHIER_PIN} (environment only)")
    })?;
    let is_manager = cashier.member().role == Role::Manager;
    let authority = Authority::cashier(cashier);
    if needed == Need::Staff || is_manager {
        return Ok(authority);
    }
    let manager = sign_on(journal, MANAGER, MANAGER_PIN, || {
        format!("{what} needs a manager: set {MANAGER} and {MANAGER_PIN}, or sign on as a manager")
    })?;
    if manager.member().role != Role::Manager {
        return Err(Failure::NotPermitted(format!(
            "{MANAGER}: {} is not a manager",
            manager.id()
        )));
    }
    Ok(authority.approved_by(manager))
}

/// [`authorize`] for a command that only reads the journal: against the file itself when
/// it exists (a journal that does not, or is too old to have staff, needs nobody).
pub fn authorize_reading(
    config: &Config,
    action: Action,
    what: &str,
) -> Result<Authority, Failure> {
    match Journal::open_read_only(&config.journal_path) {
        Ok(mut journal) => {
            journal.set_pin_policy(config.staff.pin_policy());
            authorize(&journal, config, action, what)
        }
        Err(JournalError::NotFound { .. } | JournalError::OlderSchema { .. }) => {
            Ok(Authority::nobody())
        }
        Err(e) => Err(Failure::BadConfig(format!("journal: {e}"))),
    }
}
