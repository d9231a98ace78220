//! The headless subcommands: the same engine as the TUI, for scripts, support and tests.

use std::fmt;
use std::path::Path;

use time::{Date, OffsetDateTime, UtcOffset};

use super::runtime::{load_config, open_session};
use super::sign_on::{authorize, authorize_reading};
use super::{CardArgs, Command, GlobalArgs, OutputArgs};
use crate::api::{CustomerInfo, EntryType, Operation, Quantity, TillRequest, validate_account};
use crate::config::Config;
use crate::journal::{Authority, Journal};
use crate::money::{Amount, Points};
use crate::outcome::{HistoryEntry, Outcome, Status, exit};
use crate::till::authority::{Action, sending};
use crate::till::{Till, TillError};

/// Why a command stopped before or instead of sending. The message names the field or
/// setting; it never contains a secret.
#[derive(Debug)]
pub enum Failure {
    /// Exit 64: the input was wrong; nothing was sent.
    BadInput(String),
    /// Exit 78: the configuration (or the journal it names) is wrong; nothing was sent.
    BadConfig(String),
    /// Exit 77: nobody, or a wrong PIN, or not a manager where one is needed; nothing was
    /// sent. The message never holds a PIN.
    NotPermitted(String),
    /// Exit 1: anything else that stopped the command.
    Other(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::BadInput(_) => exit::BAD_INPUT,
            Failure::BadConfig(_) => exit::BAD_CONFIG,
            Failure::NotPermitted(_) => exit::NOT_PERMITTED,
            Failure::Other(_) => exit::DECLINED,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::BadInput(m) => write!(f, "{m} (nothing was sent)"),
            Failure::BadConfig(m) => write!(f, "configuration: {m} (nothing was sent)"),
            Failure::NotPermitted(m) => write!(f, "not permitted: {m} (nothing was sent)"),
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
            TillError::NotPermitted(r) => Failure::NotPermitted(r.to_string()),
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
            let mut req = TillRequest::new(Operation::Void, "");
            let authority = authorize(
                &session.till.journal(),
                &session.config,
                sending(&req),
                "a void",
            )?;
            let original = session.till.resolve_original(&order, Operation::Void)?;
            if original.row.is_none() {
                unchecked(&order, "an approved transaction that can be voided");
            }
            req.original_checkout_id = Some(original.checkout_id);
            finish(&session.till, req, &authority, out).await
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
            let action = Action::Send {
                operation: Operation::Tip,
                amount_minor: Some(tip.minor()),
            };
            let authority = authorize(&session.till.journal(), &session.config, action, "a tip")?;
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
            finish(&session.till, req, &authority, out).await
        }
        Command::History {
            store,
            from,
            to,
            limit,
            out,
        } if store.store => {
            authorize_reading(&config, Action::Look, "history")?;
            super::store::history(&config, &store, from, to, limit, out, offset).await
        }
        Command::Report {
            from,
            to,
            store,
            out,
            ..
        } if store.store => {
            authorize_reading(&config, Action::Figures, "report")?;
            super::store::report(&config, &store, from, to, out, offset).await
        }
        Command::Sync { out } => super::store::sync(&config, out).await,
        Command::History { limit, out, .. } => {
            super::reading::history(&config, limit, out.json, offset)
        }
        Command::Report {
            from,
            to,
            by_cashier,
            out,
            ..
        } => super::reading::report(&config, from, to, by_cashier, out, offset),
        Command::Export { csv, from, to } => {
            super::reading::export(&config, &csv, from, to, offset)
        }
        Command::Recover {
            list,
            abandon,
            reason,
            out,
        } => super::recover::run(config, offset, list, abandon, reason, out).await,
        Command::Receipt(args) => {
            authorize_reading(&config, Action::Look, "a receipt")?;
            super::receipt::run(args, config, offset)
        }
        Command::Verify { out } => super::reading::verify(&config, out),
        Command::Staff(args) => super::staff::run(args, &config),
        Command::Shift(args) => super::shift::run(args, &config, offset),
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

pub(super) fn read_journal(config: &Config) -> Result<Journal, Failure> {
    let mut journal = Journal::open_read_only(&config.journal_path)
        .map_err(|e| Failure::BadConfig(format!("journal: {e}")))?;
    journal.set_pin_policy(config.staff.pin_policy());
    Ok(journal)
}

async fn transact(
    config: Config,
    req: TillRequest,
    out: OutputArgs,
    offset: UtcOffset,
) -> Result<u8, Failure> {
    let session = open_session(config, offset).await?;
    let what = req.operation.label().to_lowercase();
    let authority = authorize(
        &session.till.journal(),
        &session.config,
        sending(&req),
        &what,
    )?;
    finish(&session.till, req, &authority, out).await
}

/// How often, and how far apart, a headless command tries again to record an answer the
/// journal refused, before it reports the outcome as unknown (exit 2).
const RECORD_ATTEMPTS: usize = 3;
const RECORD_RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(250);

async fn finish(
    till: &Till,
    req: TillRequest,
    authority: &Authority,
    out: OutputArgs,
) -> Result<u8, Failure> {
    let finished = till.execute_as(&req, authority, &mut |_| {}).await?;
    let outcome = recorded(till, finished.outcome).await;
    print_outcome(
        &Printed::new(&outcome, finished.entry.as_ref()),
        till.currency(),
        out,
    );
    Ok(outcome.exit_code())
}

/// An outcome as a command prints it: with who ran it (and who approved it).
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Printed<'a> {
    #[serde(flatten)]
    outcome: &'a Outcome,
    cashier: Option<&'a str>,
    approved_by: Option<&'a str>,
}

impl<'a> Printed<'a> {
    pub(super) fn new(outcome: &'a Outcome, entry: Option<&'a HistoryEntry>) -> Printed<'a> {
        Printed {
            outcome,
            cashier: entry.and_then(|e| e.cashier.as_deref()),
            approved_by: entry.and_then(|e| e.approved_by.as_deref()),
        }
    }
}

/// `outcome`, unless the journal could not record the answer behind it: then the answer
/// is written again a few times, and the outcome stays unknown (exit 2) if it never goes
/// in. The row is then still open, for `recover`.
pub(super) async fn recorded(till: &Till, mut outcome: Outcome) -> Outcome {
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

pub(super) fn print_outcome(printed: &Printed<'_>, currency: &str, out: OutputArgs) {
    if out.json {
        print_json(printed);
        return;
    }
    let outcome = printed.outcome;
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
    if let Some(cashier) = printed.cashier {
        match printed.approved_by.filter(|m| *m != cashier) {
            Some(manager) => println!("  cashier      {cashier} (approved by {manager})"),
            None => println!("  cashier      {cashier}"),
        }
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
