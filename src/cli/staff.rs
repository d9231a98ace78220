//! `staff add|list|remove|pin`. A PIN comes from the first line of standard input, or is
//! asked for twice on the terminal with echo off: never a flag (the process list shows
//! flags), never printed.
//!
//! The first staff member must be a manager and needs nobody's approval; after that,
//! adding and removing staff needs a manager's credentials in the environment, and a PIN
//! is set by its owner (signed on with the old one) or by a manager. Staff changes write
//! beside a running till when one holds the journal (see `journal::staff`).

use std::io::{BufRead, IsTerminal, Read};

use serde_json::json;
use time::OffsetDateTime;

use clap::Subcommand;

use super::OutputArgs;
use super::headless::{Failure, bad_input, print_json, read_journal};
use super::sign_on::{self, authorize, authorize_reading};
use crate::config::Config;
use crate::journal::{
    Journal, JournalError, PIN_MAX_DIGITS, PIN_MIN_DIGITS, Pin, Role, SignedOn, StaffError,
    StaffMember, canonical_id,
};
use crate::till::authority::Action;

#[derive(Debug, Clone, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member; the first must be a manager, later ones need a manager's
    /// PAYWIZARD_CASHIER and PAYWIZARD_CASHIER_PIN.
    Add {
        /// 1 to 16 letters, digits, - or _ (what they type to sign on).
        #[arg(long, value_name = "ID")]
        id: String,
        /// As shown in the header and the reports.
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "cashier|manager")]
        role: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// The staff: ids, names, roles, lockouts (never a PIN).
    List {
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Remove a staff member (a manager's change); their rows keep their id.
    Remove {
        #[arg(long, value_name = "ID")]
        id: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Set a new PIN: your own (signed on with the old one) or anyone's, as a manager.
    Pin {
        #[arg(long, value_name = "ID")]
        id: String,
        #[command(flatten)]
        out: OutputArgs,
    },
}

pub fn run(command: StaffCommand, config: &Config) -> Result<u8, Failure> {
    match command {
        StaffCommand::Add {
            id,
            name,
            role,
            out,
        } => {
            let role = Role::parse(&role)
                .ok_or_else(|| bad_input("--role", "must be cashier or manager"))?;
            let id = canonical_id(&id).map_err(|e| bad_input("--id", e))?;
            let name = crate::journal::staff_name(&name).map_err(|e| bad_input("--name", e))?;
            let journal = open_for_staff(config)?;
            let authority = authorize(&journal, config, Action::ManageStaff, "adding staff")?;
            let pin = read_pin(&id)?;
            let added = journal
                .add_staff(&id, &name, role, &pin, authority.manager(), now())
                .map_err(staff_failure)?;
            done("added", "added", &added, out.json);
            Ok(0)
        }
        StaffCommand::List { out } => list(config, out.json),
        StaffCommand::Remove { id, out } => {
            let id = canonical_id(&id).map_err(|e| bad_input("--id", e))?;
            let journal = open_for_staff(config)?;
            let authority = authorize(&journal, config, Action::ManageStaff, "removing staff")?;
            let by = authority.manager().ok_or_else(|| no_staff(&id))?;
            let removed = journal
                .remove_staff(&id, by, now())
                .map_err(staff_failure)?;
            done("removed", "removed", &removed, out.json);
            Ok(0)
        }
        StaffCommand::Pin { id, out } => {
            let id = canonical_id(&id).map_err(|e| bad_input("--id", e))?;
            let journal = open_for_staff(config)?;
            // Your own PIN needs only you; anyone else's needs a manager.
            let own = std::env::var(sign_on::CASHIER)
                .ok()
                .and_then(|c| canonical_id(&c).ok())
                .is_some_and(|c| c == id);
            let (action, what) = if own {
                (Action::Look, "setting your PIN")
            } else {
                (Action::ManageStaff, "setting another's PIN")
            };
            let authority = authorize(&journal, config, action, what)?;
            let by: &SignedOn = if own {
                authority.signed_on()
            } else {
                authority.manager()
            }
            .ok_or_else(|| no_staff(&id))?;
            let pin = read_pin(&id)?;
            let changed = journal
                .change_pin(&id, &pin, by, now())
                .map_err(staff_failure)?;
            done("new PIN for", "pinChanged", &changed, out.json);
            Ok(0)
        }
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn no_staff(id: &str) -> Failure {
    bad_input(
        "--id",
        format!("{id} is not on the staff (this till has no staff yet)"),
    )
}

/// The writer, or when a till is running on the journal, a reader whose staff changes go
/// on a connection of their own.
fn open_for_staff(config: &Config) -> Result<Journal, Failure> {
    let mut journal = match Journal::open(&config.journal_path, &config.till_id) {
        Ok(journal) => journal,
        Err(JournalError::Locked { .. }) => read_journal(config)?,
        Err(e) => return Err(Failure::BadConfig(format!("journal: {e}"))),
    };
    journal.set_pin_policy(config.staff.pin_policy());
    Ok(journal)
}

fn staff_failure(e: StaffError) -> Failure {
    match e {
        StaffError::NotPermitted(r) => Failure::NotPermitted(r.to_string()),
        StaffError::Input(m) => Failure::BadInput(m),
        StaffError::Journal(e) => Failure::Other(format!("journal: {e}")),
    }
}

fn done(what: &str, key: &str, member: &StaffMember, json: bool) {
    if json {
        print_json(&json!({ key: member }));
    } else {
        println!("{what} {} ({}), {}", member.id, member.name, member.role);
    }
}

fn list(config: &Config, json: bool) -> Result<u8, Failure> {
    authorize_reading(config, Action::Look, "staff list")?;
    let staff = match Journal::open_read_only(&config.journal_path) {
        Ok(journal) => journal
            .staff(now())
            .map_err(|e| Failure::Other(format!("journal: {e}")))?,
        Err(JournalError::NotFound { .. }) => Vec::new(),
        Err(e) => return Err(Failure::BadConfig(format!("journal: {e}"))),
    };
    if json {
        print_json(&json!({ "staff": staff }));
    } else if staff.is_empty() {
        println!(
            "No staff: the till works without signing on. Add a manager first: paywizard-till staff add --role manager ..."
        );
    } else {
        for s in &staff {
            let locked = s
                .locked_until
                .map(|_| "  (locked: too many wrong PINs)")
                .unwrap_or_default();
            println!("{:<16}  {:<8}  {}{locked}", s.id, s.role, s.name);
        }
    }
    Ok(0)
}

/// The longest line read for a PIN: a PIN is 8 digits; more is not a PIN.
const MAX_PIN_LINE: u64 = 64;

/// The new PIN for `id`: asked twice on a terminal (echo off), else the first line of
/// standard input.
fn read_pin(id: &str) -> Result<Pin, Failure> {
    let stdin = std::io::stdin();
    let bad = |e: &dyn std::fmt::Display| bad_input("PIN", e);
    if stdin.is_terminal() {
        let ask = |prompt: String| {
            rpassword::prompt_password(prompt)
                .map_err(|e| Failure::Other(format!("cannot read the PIN: {e}")))
        };
        let first = ask(format!(
            "New PIN for {id} ({PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits): "
        ))?;
        let pin = Pin::parse(&first).map_err(|e| bad(&e))?;
        let again = ask("The same PIN again: ".into())?;
        if Pin::parse(&again).ok().as_ref() != Some(&pin) {
            return Err(bad(&"the two PINs differ; nothing was changed"));
        }
        return Ok(pin);
    }
    let mut line = String::new();
    stdin
        .lock()
        .take(MAX_PIN_LINE)
        .read_line(&mut line)
        .map_err(|e| Failure::Other(format!("cannot read the PIN from standard input: {e}")))?;
    Pin::parse(&line).map_err(|e| {
        bad_input(
            "PIN",
            format!("{e}, on the first line of standard input (or run it on a terminal)"),
        )
    })
}
