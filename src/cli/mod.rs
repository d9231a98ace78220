//! Command line: clap definitions and the dispatch to the TUI or a headless command.
//!
//! Exit codes (docs/ARCHITECTURE.md, "Contract"): 0 approved, 1 declined/API error, 2
//! unknown, 64 bad input (clap's usage errors included, never clap's default 2, which here
//! means unknown), 77 not permitted (staff sign-on), 78 bad configuration.

mod headless;
mod reading;
mod receipt;
mod recover;
mod runtime;
mod shift;
mod sign_on;
mod staff;
mod store;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Overrides, Secret};
use crate::outcome::exit;

pub use headless::Failure;
pub use shift::ShiftCommand;
pub use staff::StaffCommand;

#[derive(Debug, Parser)]
#[command(
    name = "paywizard-till",
    version,
    about = "Till terminal for PayWizard loyalty and gift cards. With no subcommand: the cashier screen.",
    after_help = "Without credentials it runs in demo mode against a built-in simulator."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Target and credentials: each a flag or an environment variable (flags win), then the
/// config file, then defaults.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Till options (any subcommand)")]
pub struct GlobalArgs {
    /// Config file (TOML); see assets/config.example.toml.
    #[arg(
        long,
        global = true,
        env = "PAYWIZARD_TILL_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// demo (built-in simulator), sandbox or production.
    #[arg(long = "env", global = true, env = "PAYWIZARD_ENV", value_name = "ENV")]
    pub mode: Option<String>,
    /// Overrides the PayWizard host (https, or http to a loopback address).
    #[arg(long, global = true, env = "PAYWIZARD_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    #[arg(long, global = true, env = "PAYWIZARD_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// Prefer the environment variable: flags show up in the process list.
    #[arg(
        long,
        global = true,
        env = "PAYWIZARD_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
    /// Prefer the environment variable: flags show up in the process list.
    #[arg(
        long,
        global = true,
        env = "PAYWIZARD_JWT_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub jwt_token: Option<String>,
    /// loyaltyChannel (default FACTOR4).
    #[arg(long, global = true, env = "PAYWIZARD_CHANNEL")]
    pub channel: Option<String>,
    /// ISO 4217 code for money operations (default USD).
    #[arg(long, global = true, env = "PAYWIZARD_CURRENCY")]
    pub currency: Option<String>,
    /// Till identifier, digits; part of every tranOrderNo.
    #[arg(long, global = true, env = "PAYWIZARD_TILL_ID")]
    pub till_id: Option<String>,
    /// SQLite journal file.
    #[arg(
        long,
        global = true,
        env = "PAYWIZARD_TILL_JOURNAL",
        value_name = "PATH"
    )]
    pub journal: Option<PathBuf>,
    /// Receipt printer: tcp://HOST:PORT, HOST[:PORT] (raw ESC/POS, port 9100) or a device
    /// or file path (/dev/usb/lp0).
    #[arg(
        long,
        global = true,
        env = "PAYWIZARD_PRINTER",
        value_name = "ADDRESS|PATH"
    )]
    pub printer: Option<String>,
}

impl GlobalArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config_file: self.config.clone(),
            env: self.mode.clone(),
            base_url: self.base_url.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone().map(Secret::new),
            jwt_token: self.jwt_token.clone().map(Secret::new),
            channel: self.channel.clone(),
            currency: self.currency.clone(),
            till_id: self.till_id.clone(),
            journal: self.journal.clone(),
            printer: self.printer.clone(),
            store_db: std::env::var("PAYWIZARD_STORE_DB")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(Secret::new),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct CardArgs {
    /// Card number (accountId), digits.
    #[arg(long, value_name = "ID")]
    pub account: String,
    /// How the card number was read: B scanned, K keyed, M swiped, P contactless.
    #[arg(long, default_value = "K", value_name = "B|K|M|P")]
    pub entry: String,
}

/// Reading the store's central database instead of this till's journal.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Every till, from the store's central database (PAYWIZARD_STORE_DB).
    #[arg(long)]
    pub store: bool,
    /// With --store: one till only.
    #[arg(long, value_name = "ID", requires = "store")]
    pub till: Option<String>,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add loyalty points to a card (loyaltyIssuance).
    IssuePoints {
        #[command(flatten)]
        card: CardArgs,
        #[arg(long, value_name = "N")]
        points: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Add money to a gift card (giftIssuance).
    TopUp {
        #[command(flatten)]
        card: CardArgs,
        #[arg(long, value_name = "10.50")]
        amount: String,
        /// Activate the card in the same request.
        #[arg(long)]
        activate: bool,
        /// customerInfo as a JSON file: one object, the 19 documented keys, at most 64 KiB.
        #[arg(long, value_name = "FILE.json")]
        customer: Option<PathBuf>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Take a payment from a card (giftTransaction).
    Pay {
        #[command(flatten)]
        card: CardArgs,
        #[arg(long, value_name = "10.50")]
        amount: String,
        /// Let the payment go ahead for what the card holds if it holds less.
        #[arg(long)]
        nsf_allowed: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Take loyalty points from a card (loyaltyRedemption).
    RedeemPoints {
        #[command(flatten)]
        card: CardArgs,
        #[arg(long, value_name = "N")]
        points: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Show a card's balances (giftInquiry).
    Balance {
        #[command(flatten)]
        card: CardArgs,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Activate a card and attach customer details (giftActivate).
    Activate {
        #[command(flatten)]
        card: CardArgs,
        #[arg(long, value_name = "FILE.json")]
        customer: Option<PathBuf>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Void an approved transaction (giftVoid).
    Void {
        /// A tranOrderNo from this till's journal, or a checkoutId.
        #[arg(long, value_name = "ORDER")]
        order: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Add a tip to an approved payment (giftTip).
    Tip {
        /// A tranOrderNo from this till's journal, or a checkoutId.
        #[arg(long, value_name = "ORDER")]
        order: String,
        #[arg(long, value_name = "2.00")]
        amount: String,
        /// The card of the original payment; needed only when ORDER is not in this journal.
        #[arg(long, value_name = "ID")]
        account: Option<String>,
        #[arg(long, default_value = "K", value_name = "B|K|M|P")]
        entry: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// This till's transactions, newest first.
    History {
        /// How many rows, 1 to 10000.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=10_000))]
        limit: u16,
        #[command(flatten)]
        store: StoreArgs,
        /// With --store: first day, YYYY-MM-DD.
        #[arg(long, requires = "store")]
        from: Option<String>,
        /// With --store: last day, YYYY-MM-DD.
        #[arg(long, requires = "store")]
        to: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Totals by operation and outcome (today, or a date range).
    Report {
        /// First day, YYYY-MM-DD, 1970 to 9999 (default today).
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD, 1970 to 9999 (default the same as --from).
        #[arg(long)]
        to: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        /// One section per cashier.
        #[arg(long, conflicts_with = "store")]
        by_cashier: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Push this till's journal to the store's central database (PAYWIZARD_STORE_DB).
    Sync {
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Write transactions as CSV (masked card numbers).
    Export {
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// Walk the journal's hash chain: exit 0 when every entry matches, 1 naming the first
    /// that does not (an edit, a deleted or reordered row made outside the till).
    Verify {
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Resolve requests whose outcome is unknown (left by a crash or a timeout).
    Recover {
        /// Only list them.
        #[arg(long)]
        list: bool,
        /// Give up on one journal row (by tranOrderNo) instead of resending it.
        #[arg(long, value_name = "ORDER", requires = "reason")]
        abandon: Option<String>,
        /// Why it is abandoned (kept in the journal).
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Show or print the receipt of an approved operation, or print the receipts waiting.
    Receipt(ReceiptArgs),
    /// Staff who may work this till: add, list, remove, set a PIN. PINs are read from the
    /// first line of standard input, or asked for on the terminal; never a flag.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The shift: X (totals so far) or Z (close it; a manager's).
    #[command(subcommand)]
    Shift(ShiftCommand),
    /// Run the PayWizard simulator alone.
    Sim(crate::sim::cli::SimArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ReceiptArgs {
    /// The operation's tranOrderNo or checkoutId (from this till's journal). A receipt
    /// made this way is a reprint and says COPY.
    #[arg(
        long,
        value_name = "ORDER",
        required_unless_present = "flush",
        conflicts_with = "flush"
    )]
    pub order: Option<String>,
    /// Print it on the receipt printer (after anything still waiting) instead of showing it.
    #[arg(long, requires = "order")]
    pub print: bool,
    /// Print every receipt still waiting for the printer, oldest first.
    #[arg(long)]
    pub flush: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Parses the process arguments and runs; the exit code follows the contract.
pub fn main() -> ExitCode {
    ExitCode::from(run(std::env::args_os()))
}

pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::BAD_INPUT } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match runtime::dispatch(cli) {
        Ok(code) => code,
        Err(failure) => {
            let _ = writeln!(std::io::stderr(), "paywizard-till: {failure}");
            failure.exit_code()
        }
    }
}

/// The cashier screen: the worker on a background task, the TUI on this one.
pub(crate) async fn tui_main(global: &GlobalArgs, offset: time::UtcOffset) -> Result<u8, Failure> {
    let (config, _) = runtime::load_config(global)?;
    let session = runtime::open_session(config, offset).await?;
    let (command_tx, command_rx) = tokio::sync::mpsc::unbounded_channel();
    let (event_tx, event_rx) = tokio::sync::mpsc::unbounded_channel();
    // The store sync reads the journal on its own connection and reports by event; no
    // sale waits on it, and it stops with the screen.
    let sync = session.config.store.clone().map(|settings| {
        // Weak: the events channel still closes when the worker stops, which the screen
        // reports; the sync alone must not keep it open.
        let events = event_tx.downgrade();
        let source = crate::store::Source {
            journal: session.config.journal_path.clone(),
            till_id: session.config.till_id.clone(),
            store_name: session.config.store_name.clone(),
        };
        crate::store::background::spawn(source, settings, move |status| {
            if let Some(events) = events.upgrade() {
                let _ = events.send(crate::worker::Event::Sync(status));
            }
        })
    });
    let printing =
        crate::printer::Printing::new(&session.config, std::sync::Arc::clone(&session.till));
    let worker = crate::worker::spawn_with_printer(
        std::sync::Arc::clone(&session.till),
        session.config.receipts_dir.clone(),
        Some(printing),
        command_rx,
        event_tx,
    );
    // With staff, the screen opens on sign-on; without, it works as it always did.
    let has_staff = session
        .till
        .has_staff()
        .map_err(|e| Failure::Other(format!("journal: {e}")))?;
    let app = crate::app::App::new(&session.config).with_staff(has_staff);
    let shown = crate::tui::run(app, command_tx, event_rx).await;
    if let Some(sync) = sync {
        sync.abort();
    }
    // The worker finishes in-flight requests (their outcomes reach the journal) first.
    let _ = worker.await;
    // Then the shift goes into the journal's main file, so a lost -wal loses nothing.
    if let Err(e) = session.till.checkpoint() {
        eprintln!(
            "paywizard-till: the journal's -wal could not be folded into its main file: {e}; keep both files together"
        );
    }
    shown.map_err(|e| Failure::Other(format!("terminal: {e}")))?;
    Ok(0)
}
