//! The headless subcommands: the same engine as the TUI, for scripts, support and tests.

use std::fmt;
use std::path::Path;

use time::{Date, OffsetDateTime, UtcOffset};

use super::runtime::{load_config, open_session};
use super::{CardArgs, Command, GlobalArgs, OutputArgs};
use crate::api::{CustomerInfo, EntryType, Operation, Quantity, TillRequest, validate_account};
use crate::config::Config;
use crate::journal::Journal;
use crate::money::{Amount, Points};
use crate::outcome::{Outcome, RowState, Status, exit};
use crate::till::{Till, TillError};

/// Why a command stopped before or instead of sending. The message names the field or
/// setting; it never contains a secret.
#[derive(Debug)]
pub enum Failure {
    /// Exit 64: the input was wrong; nothing was sent.
    BadInput(String),
    /// Exit 78: the configuration (or the journal it names) is wrong; nothing was sent.
    BadConfig(String),
    /// Exit 1: anything else that stopped the command.
    Other(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::BadInput(_) => exit::BAD_INPUT,
            Failure::BadConfig(_) => exit::BAD_CONFIG,
            Failure::Other(_) => exit::DECLINED,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::BadInput(m) => write!(f, "{m} (nothing was sent)"),
            Failure::BadConfig(m) => write!(f, "configuration: {m} (nothing was sent)"),
            Failure::Other(m) => f.write_str(m),
        }
    }
}

pub(super) fn bad_input(flag: &str, reason: impl fmt::Display) -> Failure {
    Failure::BadInput(format!("{flag}: {reason}"))
}

/// Only for errors raised before anything was sent: once a request may have left, the
/// engine answers with an outcome (unknown when the journal could not record it), never
/// with a `TillError`.
impl From<TillError> for Failure {
    fn from(e: TillError) -> Failure {
        match e {
            TillError::BadRequest(e) => Failure::BadInput(e.to_string()),
            TillError::Lookup(m) => Failure::BadInput(format!("--order: {m}")),
            TillError::Journal(e) => Failure::BadConfig(format!("journal: {e}")),
            TillError::Client(e) => Failure::Other(e.to_string()),
        }
    }
}

/// Said on stderr when ORDER is not in this till's journal, so nothing about it (its
/// operation, state, card) could be checked before sending.
fn unchecked(order: &str, what: &str) {
    eprintln!(
        "paywizard-till: note: {order} is not in this till's journal, so it cannot check that it is {what}; PayWizard decides"
    );
}

pub async fn run(command: Command, global: &GlobalArgs, offset: UtcOffset) -> Result<u8, Failure> {
    let (config, _) = load_config(global)?;
    match command {
        Command::IssuePoints { card, points, out } => {
            let mut req = card_request(Operation::IssuePoints, &card)?;
            req.points = Some(parse_points(&points, &config)?);
            transact(config, req, out, offset).await
        }
        Command::RedeemPoints { card, points, out } => {
            let mut req = card_request(Operation::RedeemPoints, &card)?;
            req.points = Some(parse_points(&points, &config)?);
            transact(config, req, out, offset).await
        }
        Command::TopUp {
            card,
            amount,
            activate,
            customer,
            out,
        } => {
            let mut req = card_request(Operation::TopUp, &card)?;
            req.amount = Some(parse_amount(&amount, &config)?);
            req.activate = activate;
            req.customer = customer.as_deref().map(read_customer).transpose()?;
            transact(config, req, out, offset).await
        }
        Command::Pay {
            card,
            amount,
            nsf_allowed,
            out,
        } => {
            let mut req = card_request(Operation::Pay, &card)?;
            req.amount = Some(parse_amount(&amount, &config)?);
            req.nsf_allowed = nsf_allowed;
            transact(config, req, out, offset).await
        }
        Command::Balance { card, out } => {
            let req = card_request(Operation::Balance, &card)?;
            transact(config, req, out, offset).await
        }
        Command::Activate {
            card,
            customer,
            out,
        } => {
            let mut req = card_request(Operation::Activate, &card)?;
            req.customer = customer.as_deref().map(read_customer).transpose()?;
            transact(config, req, out, offset).await
        }
        Command::Void { order, out } => {
            check_order(&order)?;
            let session = open_session(config, offset).await?;
            let original = session.till.resolve_original(&order, Operation::Void)?;
            if original.row.is_none() {
                unchecked(&order, "an approved transaction that can be voided");
            }
            let mut req = TillRequest::new(Operation::Void, "");
            req.original_checkout_id = Some(original.checkout_id);
            finish(&session.till, req, out).await
        }
        Command::Tip {
            order,
            amount,
            account,
            entry,
            out,
        } => {
            check_order(&order)?;
            let tip = parse_amount(&amount, &config)?;
            let entry = parse_entry(&entry)?;
            if let Some(account) = &account {
                validate_account(account).map_err(|e| bad_input("--account", e))?;
            }
            let session = open_session(config, offset).await?;
            let original = session.till.resolve_original(&order, Operation::Tip)?;
            // The tip goes on the payment's own card, read the way the payment read it.
            let (account, entry) = match &original.row {
                Some(row) => crate::till::tip_card(&order, row, account.as_deref())
                    .map_err(|e| bad_input("--account", e))?,
                None => {
                    let account = account.ok_or_else(|| {
                        bad_input(
                            "--account",
                            format!("{order} is not in this till's journal; give the card number of the original payment"),
                        )
                    })?;
                    unchecked(&order, "an approved payment");
                    (account, entry)
                }
            };
            let mut req = TillRequest::new(Operation::Tip, account);
            req.entry = entry;
            req.amount = Some(tip);
            req.original_checkout_id = Some(original.checkout_id);
            finish(&session.till, req, out).await
        }
        Command::History {
            store,
            from,
            to,
            limit,
            out,
        } if store.store => {
            super::store::history(&config, &store, from, to, limit, out, offset).await
        }
        Command::Report {
            from,
            to,
            store,
            out,
        } if store.store => super::store::report(&config, &store, from, to, out, offset).await,
        Command::Sync { out } => super::store::sync(&config, out).await,
        Command::History { limit, out, .. } => {
            let journal = read_journal(&config)?;
            let entries = journal
                .history(None, usize::from(limit), offset)
                .map_err(|e| Failure::Other(format!("journal: {e}")))?;
            if out.json {
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
        Command::Report { from, to, out, .. } => {
            let (from, to) = date_range(from.as_deref(), to.as_deref(), offset)?;
            let journal = read_journal(&config)?;
            let report = journal
                .report(from, to)
                .map_err(|e| Failure::Other(format!("journal: {e}")))?;
            if out.json {
                print_json(&report);
            } else {
                print!("{}", report.render_text());
            }
            Ok(0)
        }
        Command::Export { csv, from, to } => {
            let (from, to) = date_range(from.as_deref(), to.as_deref(), offset)?;
            let journal = read_journal(&config)?;
            let file = std::fs::File::create(&csv)
                .map_err(|e| bad_input("--csv", format!("{}: {e}", csv.display())))?;
            let rows = journal
                .export_csv(std::io::BufWriter::new(file), from, to)
                .map_err(|e| Failure::Other(format!("export: {e}")))?;
            println!("{rows} transactions written to {}", csv.display());
            Ok(0)
        }
        Command::Recover {
            list,
            abandon,
            reason,
            out,
        } => recover(config, offset, list, abandon, reason, out).await,
        Command::Receipt(args) => super::receipt::run(args, config, offset),
        Command::Verify { out } => verify(&config, out),
        Command::Sim(_) => unreachable!("the simulator is started by the runtime"),
    }
}

fn card_request(op: Operation, card: &CardArgs) -> Result<TillRequest, Failure> {
    validate_account(&card.account).map_err(|e| bad_input("--account", e))?;
    let mut req = TillRequest::new(op, card.account.clone());
    req.entry = parse_entry(&card.entry)?;
    Ok(req)
}

fn parse_entry(entry: &str) -> Result<EntryType, Failure> {
    entry.parse().map_err(|e| bad_input("--entry", e))
}

fn parse_points(text: &str, config: &Config) -> Result<Points, Failure> {
    Points::parse(text, config.max_points).map_err(|e| bad_input("--points", e))
}

fn parse_amount(text: &str, config: &Config) -> Result<Amount, Failure> {
    Amount::parse(text, &config.currency, config.max_amount).map_err(|e| bad_input("--amount", e))
}

pub(super) fn check_order(order: &str) -> Result<(), Failure> {
    if !crate::api::clean::is_identifier(order) {
        return Err(bad_input(
            "--order",
            format!(
                "must be a tranOrderNo or checkoutId (letters and digits, at most {})",
                crate::api::clean::MAX_IDENTIFIER_LEN
            ),
        ));
    }
    Ok(())
}

/// The largest `--customer` file read: customerInfo is 19 short strings, a few hundred
/// bytes; anything near this is a wrong file.
const MAX_CUSTOMER_FILE: u64 = 64 * 1024;

/// Reads `--customer`: a regular file only (a FIFO or a device such as /dev/zero is
/// refused before it is opened, and the open itself cannot block), at most
/// [`MAX_CUSTOMER_FILE`] bytes, UTF-8, one JSON object.
fn read_customer(path: &Path) -> Result<CustomerInfo, Failure> {
    use std::io::Read as _;
    let fail = |reason: &dyn fmt::Display| {
        bad_input("--customer", format!("{}: {reason}", path.display()))
    };
    let not_regular = "not a regular file (a pipe, a device or a directory cannot be read)";
    let looked = std::fs::metadata(path).map_err(|e| fail(&e))?;
    if !looked.is_file() {
        return Err(fail(&not_regular));
    }
    let file = open_without_blocking(path).map_err(|e| fail(&e))?;
    // Looked at again through the open handle: the path may have been swapped meanwhile.
    let opened = file.metadata().map_err(|e| fail(&e))?;
    if !opened.is_file() {
        return Err(fail(&not_regular));
    }
    let too_big = format!("larger than {} KiB", MAX_CUSTOMER_FILE / 1024);
    if opened.len() > MAX_CUSTOMER_FILE {
        return Err(fail(&too_big));
    }
    let mut bytes = Vec::new();
    file.take(MAX_CUSTOMER_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(&e))?;
    if bytes.len() as u64 > MAX_CUSTOMER_FILE {
        return Err(fail(&too_big));
    }
    let text = String::from_utf8(bytes).map_err(|_| fail(&"not UTF-8 text"))?;
    CustomerInfo::from_json(&text).map_err(|e| bad_input("--customer", e))
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// One history row for people: time, operation, card, entry type, amount, state, order.
pub(super) fn history_line(e: &crate::outcome::HistoryEntry) -> String {
    format!(
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
    )
}

/// `verify`: read-only, so it can run beside a till that is selling.
fn verify(config: &Config, out: OutputArgs) -> Result<u8, Failure> {
    let journal = read_journal(config)?;
    let found = journal
        .verify()
        .map_err(|e| Failure::Other(format!("journal: {e}")))?;
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

pub(super) fn read_journal(config: &Config) -> Result<Journal, Failure> {
    Journal::open_read_only(&config.journal_path)
        .map_err(|e| Failure::BadConfig(format!("journal: {e}")))
}

async fn transact(
    config: Config,
    req: TillRequest,
    out: OutputArgs,
    offset: UtcOffset,
) -> Result<u8, Failure> {
    let session = open_session(config, offset).await?;
    finish(&session.till, req, out).await
}

/// How often, and how far apart, a headless command tries again to record an answer the
/// journal refused, before it reports the outcome as unknown (exit 2).
const RECORD_ATTEMPTS: usize = 3;
const RECORD_RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(250);

async fn finish(till: &Till, req: TillRequest, out: OutputArgs) -> Result<u8, Failure> {
    let finished = till.execute(&req, &mut |_| {}).await?;
    let outcome = recorded(till, finished.outcome).await;
    print_outcome(&outcome, till.currency(), out);
    Ok(outcome.exit_code())
}

/// `outcome`, unless the journal could not record the answer behind it: then the answer
/// is written again a few times, and the outcome stays unknown (exit 2) if it never goes
/// in. The row is then still open, for `recover`.
async fn recorded(till: &Till, mut outcome: Outcome) -> Outcome {
    for _ in 0..RECORD_ATTEMPTS {
        if till.unrecorded() == 0 {
            break;
        }
        tokio::time::sleep(RECORD_RETRY_DELAY).await;
        if let Some((answered, _)) = till.retry_unrecorded().written.pop() {
            outcome = answered;
        }
    }
    outcome
}

pub(super) fn print_json<T: serde::Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string(value).expect("outcomes always serialize")
    );
}

fn print_outcome(outcome: &Outcome, currency: &str, out: OutputArgs) {
    if out.json {
        print_json(outcome);
        return;
    }
    let headline = match outcome.status {
        Status::Approved => "APPROVED",
        Status::Declined => "DECLINED",
        Status::Unknown => "OUTCOME UNKNOWN",
        Status::Rejected => "REJECTED",
    };
    let mut line = format!("{headline}  {}", outcome.operation.label());
    if let Some(amount) = &outcome.amount {
        match outcome.operation.quantity() {
            Quantity::Points => line.push_str(&format!("  {amount} pts")),
            Quantity::Money => line.push_str(&format!("  {currency} {amount}")),
            Quantity::None => {}
        }
    }
    if !outcome.account_id.is_empty() {
        line.push_str(&format!(
            "  card {} ({})",
            outcome.account_id,
            outcome.entry_type.describe()
        ));
    }
    println!("{line}");
    if outcome.status != Status::Approved || outcome.msg != "approved" {
        println!("  {}", outcome.msg);
    }
    if let Some(order) = &outcome.tran_order_no {
        println!("  tranOrderNo  {order}");
    }
    if let Some(checkout) = &outcome.checkout_id {
        println!("  checkoutId   {checkout}");
    }
    if !outcome.balances.is_empty() {
        let balances: Vec<String> = outcome.balances.iter().map(|b| b.display()).collect();
        println!("  balance      {}", balances.join(" · "));
    }
}

/// `--from`/`--to` as local days; today when absent. The end is exclusive (next midnight).
pub(super) fn date_range(
    from: Option<&str>,
    to: Option<&str>,
    offset: UtcOffset,
) -> Result<(OffsetDateTime, OffsetDateTime), Failure> {
    let today = OffsetDateTime::now_utc().to_offset(offset).date();
    let first = from
        .map(|f| parse_day("--from", f))
        .transpose()?
        .unwrap_or(today);
    let last = to
        .map(|t| parse_day("--to", t))
        .transpose()?
        .unwrap_or(first);
    if last < first {
        return Err(bad_input("--to", "is before --from"));
    }
    Ok(crate::journal::days(first, last, offset))
}

/// The years a date on the command line may fall in: the journal's clock starts at the
/// Unix epoch, and every day up to 9999 prints as `YYYY-MM-DD` (RFC 3339 has no other).
const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// `YYYY-MM-DD` exactly: four-digit year (no sign), two-digit month and day, a real day.
fn parse_day(flag: &str, text: &str) -> Result<Date, Failure> {
    let bad = || {
        bad_input(
            flag,
            format!(
                "must be a date as YYYY-MM-DD from {}-01-01 to {}-12-31",
                YEARS.start(),
                YEARS.end()
            ),
        )
    };
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(bad());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = Date::parse(text, &format).map_err(|_| bad())?;
    if !YEARS.contains(&day.year()) {
        return Err(bad());
    }
    Ok(day)
}

/// Resends every open request with its journaled bytes (PayWizard de-duplicates by
/// tranOrderNo), lists them, or abandons one with a reason.
async fn recover(
    config: Config,
    offset: UtcOffset,
    list: bool,
    abandon: Option<String>,
    reason: Option<String>,
    out: OutputArgs,
) -> Result<u8, Failure> {
    let session = open_session(config, offset).await?;
    let till = &session.till;
    if let Some(order) = abandon {
        let reason = reason.unwrap_or_default();
        if reason.trim().is_empty() {
            return Err(bad_input("--reason", "say why it is abandoned"));
        }
        let mut journal = till.journal();
        let row = journal
            .find(&order)
            .map_err(|e| Failure::Other(format!("journal: {e}")))?
            .ok_or_else(|| bad_input("--abandon", format!("{order} is not in the journal")))?;
        if !row.state.is_open() {
            return Err(bad_input(
                "--abandon",
                format!("{order} is {}, not unknown", row.state),
            ));
        }
        journal
            .mark_abandoned(row.id, reason.trim(), OffsetDateTime::now_utc())
            .map_err(|e| Failure::Other(format!("journal: {e}")))?;
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
        outcomes.push(outcome);
    }
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
