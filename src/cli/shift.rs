//! `shift x` (the open shift's totals so far) and `shift z` (close it: a manager's, and
//! refused while any outcome is unknown). The Z needs the journal's writer: close the
//! till's screen first.

use serde_json::json;
use time::{OffsetDateTime, UtcOffset};

use clap::Subcommand;

use super::OutputArgs;
use super::headless::{Failure, print_json, read_journal};
use super::runtime::open_journal;
use super::sign_on::{authorize, authorize_reading};
use crate::config::Config;
use crate::journal::{ZAttempt, ZRefusal};
use crate::outcome::exit;
use crate::till::authority::Action;

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum ShiftCommand {
    /// Totals of the open shift so far, per cashier and per operation, and what the cards
    /// hold more or less because of it.
    X {
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Close the shift under the next Z number and journal its totals (needs a manager;
    /// refused while any outcome is unknown).
    Z {
        #[command(flatten)]
        out: OutputArgs,
    },
}

pub fn run(command: ShiftCommand, config: &Config, offset: UtcOffset) -> Result<u8, Failure> {
    let journal_failure = |e: crate::journal::JournalError| Failure::Other(format!("journal: {e}"));
    match command {
        ShiftCommand::X { out } => {
            authorize_reading(config, Action::Look, "the X report")?;
            let totals = read_journal(config)?.shift_x().map_err(journal_failure)?;
            if out.json {
                print_json(&totals);
            } else {
                print!("X report\n{}", totals.render_text(offset));
            }
            Ok(0)
        }
        ShiftCommand::Z { out } => {
            let mut journal = open_journal(config)?;
            journal.set_pin_policy(config.staff.pin_policy());
            let authority = authorize(
                &journal,
                config,
                Action::CloseShift,
                "closing the shift (Z)",
            )?;
            let attempt = journal
                .close_shift(&authority, OffsetDateTime::now_utc())
                .map_err(journal_failure)?;
            let refusal = match attempt {
                ZAttempt::Closed(z) => {
                    if out.json {
                        print_json(&z);
                    } else {
                        print!("{}", z.render_text(offset));
                    }
                    return Ok(0);
                }
                ZAttempt::Refused(ZRefusal::NotPermitted(r)) => {
                    return Err(Failure::NotPermitted(r.to_string()));
                }
                ZAttempt::Refused(refusal) => refusal,
            };
            if out.json {
                let (code, unknown) = match &refusal {
                    ZRefusal::Unknown { count } => ("unknownOutcomes", *count),
                    _ => ("nothingToClose", 0),
                };
                print_json(&json!({
                    "z": null,
                    "refused": code,
                    "unknown": unknown,
                    "msg": refusal.to_string(),
                }));
            } else {
                println!("Z REFUSED  {refusal}");
            }
            Ok(exit::DECLINED)
        }
    }
}
