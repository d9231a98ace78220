//! The commands that only read this till's journal: `history`, `report`, `export` and
//! `verify`. They open it read-only, so they run beside a till that is selling. Once the
//! till has staff, `history` needs a staff member and `report`/`export` a manager (see
//! `till::authority`); `verify` needs nobody: an auditor checks the chain without being
//! staff, and it shows no figures.

use std::path::Path;

use time::UtcOffset;

use super::OutputArgs;
use super::headless::{Failure, bad_input, date_range, print_json, read_journal};
use super::sign_on::authorize_reading;
use crate::config::Config;
use crate::outcome::{HistoryEntry, exit};
use crate::till::authority::Action;

fn journal_failure(e: impl std::fmt::Display) -> Failure {
    Failure::Other(format!("journal: {e}"))
}

/// One history line: time, operation, card, entry, quantity, state, order, cashier.
pub fn history_line(e: &HistoryEntry) -> String {
    let mut line = format!(
        "{}  {:<13} {:<15} {}  {:>12}  {:<9} {}",
        e.at.format(&time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default(),
        e.operation.label(),
        e.account_id,
        e.entry_type,
        e.quantity,
        e.state,
        e.tran_order_no.as_deref().unwrap_or("")
    );
    if let Some(cashier) = &e.cashier {
        line.push_str(&format!("  {cashier}"));
        if let Some(manager) = e.approved_by.as_ref().filter(|m| *m != cashier) {
            line.push_str(&format!(" (approved by {manager})"));
        }
    }
    line
}

pub fn history(config: &Config, limit: u16, json: bool, offset: UtcOffset) -> Result<u8, Failure> {
    authorize_reading(config, Action::Look, "history")?;
    let journal = read_journal(config)?;
    let entries = journal
        .history(None, usize::from(limit), offset)
        .map_err(journal_failure)?;
    if json {
        print_json(&serde_json::json!({ "entries": entries }));
    } else if entries.is_empty() {
        println!("No transactions in {}", config.journal_path.display());
    } else {
        for e in &entries {
            println!("{}", history_line(e));
        }
    }
    Ok(0)
}

pub fn report(
    config: &Config,
    from: Option<String>,
    to: Option<String>,
    by_cashier: bool,
    out: OutputArgs,
    offset: UtcOffset,
) -> Result<u8, Failure> {
    let (from, to) = date_range(from.as_deref(), to.as_deref(), offset)?;
    authorize_reading(config, Action::Figures, "report")?;
    let journal = read_journal(config)?;
    if by_cashier {
        let report = journal
            .report_by_cashier(from, to)
            .map_err(journal_failure)?;
        if out.json {
            print_json(&report);
        } else {
            print!("{}", report.render_text());
        }
        return Ok(0);
    }
    let report = journal.report(from, to).map_err(journal_failure)?;
    if out.json {
        print_json(&report);
    } else {
        print!("{}", report.render_text());
    }
    Ok(0)
}

pub fn export(
    config: &Config,
    csv: &Path,
    from: Option<String>,
    to: Option<String>,
    offset: UtcOffset,
) -> Result<u8, Failure> {
    let (from, to) = date_range(from.as_deref(), to.as_deref(), offset)?;
    authorize_reading(config, Action::Figures, "export")?;
    let journal = read_journal(config)?;
    let file = std::fs::File::create(csv)
        .map_err(|e| bad_input("--csv", format!("{}: {e}", csv.display())))?;
    let rows = journal
        .export_csv(std::io::BufWriter::new(file), from, to)
        .map_err(|e| Failure::Other(format!("export: {e}")))?;
    println!("{rows} transactions written to {}", csv.display());
    Ok(0)
}

/// `verify`: read-only, so it can run beside a till that is selling.
pub fn verify(config: &Config, out: OutputArgs) -> Result<u8, Failure> {
    let journal = read_journal(config)?;
    let found = journal.verify().map_err(journal_failure)?;
    if out.json {
        print_json(&found);
    } else {
        match &found.problem {
            None => println!("{} entries, chain intact", found.entries),
            Some(problem) => println!("chain broken: {problem}"),
        }
    }
    Ok(if found.intact() { 0 } else { exit::DECLINED })
}
