//! `recover`: resolve requests whose outcome is unknown (resend them with their journaled
//! bytes), list them, or abandon one with a reason (a manager's call once there are staff).

use time::UtcOffset;

use super::OutputArgs;
use super::headless::{Failure, Printed, bad_input, print_json, print_outcome, recorded};
use super::runtime::open_session;
use super::sign_on::authorize;
use crate::config::Config;
use crate::journal::JournalError;
use crate::outcome::{RowState, exit};
use crate::till::authority::Action;

/// Resends every open request with its journaled bytes (PayWizard de-duplicates by
/// tranOrderNo), lists them, or abandons one with a reason.
pub async fn run(
    config: Config,
    offset: UtcOffset,
    list: bool,
    abandon: Option<String>,
    reason: Option<String>,
    out: OutputArgs,
) -> Result<u8, Failure> {
    let session = open_session(config, offset).await?;
    let till = &session.till;
    let (action, what) = match (&abandon, list) {
        (Some(_), _) => (Action::Abandon, "abandoning a transaction"),
        (None, true) => (Action::Look, "recover --list"),
        (None, false) => (Action::Resend, "recover"),
    };
    let authority = authorize(&till.journal(), &session.config, action, what)?;
    if let Some(order) = abandon {
        let reason = reason.unwrap_or_default();
        if reason.trim().is_empty() {
            return Err(bad_input("--reason", "say why it is abandoned"));
        }
        let row = till
            .journal()
            .find(&order)
            .map_err(|e| Failure::Other(format!("journal: {e}")))?
            .ok_or_else(|| bad_input("--abandon", format!("{order} is not in the journal")))?;
        if !row.state.is_open() {
            return Err(bad_input(
                "--abandon",
                format!("{order} is {}, not unknown", row.state),
            ));
        }
        till.abandon(row.id, reason.trim(), &authority)
            .map_err(|e| match e {
                JournalError::NotPermitted(r) => Failure::NotPermitted(r.to_string()),
                e => Failure::Other(format!("journal: {e}")),
            })?;
        println!("{order} marked abandoned: {}", reason.trim());
        return Ok(0);
    }
    let open = till
        .journal()
        .open_rows()
        .map_err(|e| Failure::Other(format!("journal: {e}")))?;
    if list {
        if out.json {
            let rows: Vec<_> = open.iter().map(|r| r.to_history(offset)).collect();
            print_json(&serde_json::json!({ "open": rows }));
        } else if open.is_empty() {
            println!("Nothing to recover: every request has a known outcome.");
        } else {
            for row in &open {
                let e = row.to_history(offset);
                println!(
                    "{}  {:<13} {:<15} {:>12}  {}",
                    e.tran_order_no.as_deref().unwrap_or("-"),
                    e.operation.label(),
                    e.account_id,
                    e.quantity,
                    e.state
                );
            }
        }
        return Ok(0);
    }
    let mut still_open = 0;
    let mut outcomes = Vec::new();
    for row in &open {
        let finished = till.resend(row, &mut |_| {}).await?;
        let outcome = recorded(till, finished.outcome).await;
        if RowState::from(outcome.status).is_open() {
            still_open += 1;
        }
        outcomes.push((outcome, row.to_history(offset)));
    }
    let outcomes: Vec<Printed<'_>> = outcomes
        .iter()
        .map(|(outcome, entry)| Printed::new(outcome, Some(entry)))
        .collect();
    if out.json {
        print_json(&serde_json::json!({
            "resolved": outcomes.len() - still_open,
            "stillUnknown": still_open,
            "outcomes": outcomes,
        }));
    } else if outcomes.is_empty() {
        println!("Nothing to recover: every request has a known outcome.");
    } else {
        for outcome in &outcomes {
            print_outcome(outcome, till.currency(), out);
        }
        println!(
            "{} resolved, {still_open} still unknown",
            outcomes.len() - still_open
        );
    }
    Ok(if still_open > 0 { exit::UNKNOWN } else { 0 })
}
