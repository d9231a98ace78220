//! The built-in PayWizard simulator (axum on loopback): demo mode, tests and `sim`.
//!
//! It checks `jwt-token` and `sign` over the raw bytes, keeps a card ledger, answers all
//! eight loyalty endpoints, de-duplicates by tranOrderNo, and injects faults on request.

pub mod cli;
mod faults;
mod ledger;
mod server;

use std::collections::VecDeque;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::api::{CustomerInfo, Operation};
use crate::money::{Currency, WireDecimal};

pub use faults::{Fault, FaultControl, FaultRates};

/// How many received requests [`SimHandle::received`] keeps.
pub const RECEIVED_LIMIT: usize = 10_000;

/// The credentials the simulator accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct SimCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub jwt_token: String,
}

impl SimCredentials {
    /// Fixed demo values, shaped like real ones (32-character secret and token).
    pub fn demo() -> Self {
        SimCredentials {
            client_id: "100000000001".into(),
            client_secret: "5e0c9a1d2b3f4e5a6b7c8d9e0f1a2b3c".into(),
            jwt_token: "DEMOSIMULATORTOKEN00000000000001".into(),
        }
    }
}

/// Hand-written so a `{:?}` anywhere can never print the secret or the token.
impl fmt::Debug for SimCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("jwt_token", &"<redacted>")
            .finish()
    }
}

/// A card the simulator starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCard {
    pub account: String,
    pub currency: String,
    pub money_minor: i64,
    pub points: u64,
    pub active: bool,
    /// "First Last", or empty for a card nobody has registered.
    pub holder: String,
}

impl DemoCard {
    fn into_state(self) -> CardState {
        let customer = (!self.holder.is_empty()).then(|| {
            let (first, last) = self.holder.split_once(' ').unwrap_or((&self.holder, ""));
            CustomerInfo {
                customer_type: "1".into(),
                first_name: first.into(),
                last_name: last.into(),
                ..CustomerInfo::default()
            }
        });
        CardState {
            account: self.account,
            currency: self.currency,
            money_minor: self.money_minor,
            points: self.points,
            active: self.active,
            customer,
        }
    }
}

/// The cards in `assets/demo-cards.json`.
pub fn demo_cards() -> Vec<DemoCard> {
    parse_cards(include_str!("../../assets/demo-cards.json"))
        .expect("assets/demo-cards.json is valid (checked by a unit test)")
}

fn parse_cards(json: &str) -> Result<Vec<DemoCard>, String> {
    #[derive(Deserialize)]
    struct File {
        cards: Vec<Raw>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        account_id: String,
        active: bool,
        currency: String,
        money: String,
        points: u64,
        #[serde(default)]
        holder: String,
    }
    let file: File = serde_json::from_str(json).map_err(|e| e.to_string())?;
    file.cards
        .into_iter()
        .map(|raw| {
            let currency = Currency::new(&raw.currency)?;
            let money_minor = WireDecimal::new(&raw.money)
                .and_then(|d| d.to_minor(currency.decimals()))
                .ok_or_else(|| format!("{}: bad money {:?}", raw.account_id, raw.money))?;
            Ok(DemoCard {
                account: raw.account_id,
                currency: currency.code().to_owned(),
                money_minor,
                points: raw.points,
                active: raw.active,
                holder: raw.holder,
            })
        })
        .collect()
}

/// One card as the simulator holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardState {
    pub account: String,
    pub currency: String,
    pub money_minor: i64,
    pub points: u64,
    pub active: bool,
    pub customer: Option<CustomerInfo>,
}

/// A request exactly as it arrived at a loyalty endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// The last path segment, e.g. `giftTransaction`.
    pub endpoint: String,
    pub jwt_token: Option<String>,
    pub sign: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Keeps the token out of any `{:?}`, like [`SimCredentials`].
impl fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("endpoint", &self.endpoint)
            .field("jwt_token", &self.jwt_token.as_ref().map(|_| "<redacted>"))
            .field("sign", &self.sign)
            .field("content_type", &self.content_type)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// One applied value movement (approved, or completed after pending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimTransaction {
    pub tran_order_no: String,
    pub checkout_id: String,
    pub trans_index_code: String,
    pub operation: Operation,
    pub account: String,
    pub money_minor_delta: i64,
    pub points_delta: i64,
    /// Set on the original when a void reverses it.
    pub voided: bool,
}

/// How to start the simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub credentials: SimCredentials,
    pub cards: Vec<DemoCard>,
    /// 0 picks a free port.
    pub port: u16,
    /// The only `loyaltyChannel` accepted.
    pub channel: String,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            credentials: SimCredentials::demo(),
            cards: demo_cards(),
            port: 0,
            channel: "FACTOR4".into(),
        }
    }
}

/// State shared by the server tasks and the handle.
struct Shared {
    credentials: SimCredentials,
    channel: String,
    ledger: Mutex<ledger::Ledger>,
    received: Mutex<VecDeque<ReceivedRequest>>,
    faults: FaultControl,
}

impl Shared {
    fn ledger(&self) -> MutexGuard<'_, ledger::Ledger> {
        // Ledger methods validate before they mutate, so a poisoned lock holds a whole state.
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn received(&self) -> MutexGuard<'_, VecDeque<ReceivedRequest>> {
        self.received.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running simulator. Dropping it stops the server too.
pub struct SimHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds `127.0.0.1:port` and serves on a tokio task.
pub async fn spawn(opts: SimOptions) -> std::io::Result<SimHandle> {
    let listener =
        tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, opts.port)).await?;
    let addr = listener.local_addr()?;
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let cards = opts.cards.into_iter().map(DemoCard::into_state).collect();
    let shared = Arc::new(Shared {
        credentials: opts.credentials,
        channel: opts.channel,
        ledger: Mutex::new(ledger::Ledger::new(cards, epoch)),
        received: Mutex::new(VecDeque::new()),
        faults: FaultControl::default(),
    });
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(server::serve(listener, Arc::clone(&shared), stopped));
    Ok(SimHandle {
        addr,
        shared,
        stop: Some(stop),
        task: Some(task),
    })
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn faults(&self) -> FaultControl {
        self.shared.faults.clone()
    }

    pub fn card(&self, account: &str) -> Option<CardState> {
        self.shared.ledger().card(account).cloned()
    }

    pub fn cards(&self) -> Vec<CardState> {
        self.shared.ledger().cards().to_vec()
    }

    /// The last [`RECEIVED_LIMIT`] requests to loyalty endpoints, oldest first.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.shared.received().iter().cloned().collect()
    }

    pub fn transactions(&self) -> Vec<SimTransaction> {
        self.shared.ledger().transactions().to_vec()
    }

    /// Stops accepting, closes every connection and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_asset_parses_into_minor_units() {
        let cards = demo_cards();
        assert_eq!(cards.len(), 5);
        let doc = cards
            .iter()
            .find(|c| c.account == "914639258868515")
            .unwrap();
        assert_eq!(
            (doc.money_minor, doc.points, doc.active),
            (153_410, 53, true)
        );
        let state = doc.clone().into_state();
        let customer = state.customer.unwrap();
        assert_eq!(
            (customer.first_name.as_str(), customer.last_name.as_str()),
            ("Jon", "Doe")
        );
        let blank = cards.iter().find(|c| c.holder.is_empty()).unwrap();
        assert!(blank.clone().into_state().customer.is_none());
    }

    #[test]
    fn bad_card_files_are_refused() {
        let bad = r#"{"cards":[{"accountId":"1","active":true,"currency":"USD","money":"1.234","points":0}]}"#;
        assert!(parse_cards(bad).unwrap_err().contains("bad money"));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let creds = SimCredentials::demo();
        let shown = format!("{:?}", SimOptions::default());
        assert!(!shown.contains(&creds.client_secret) && !shown.contains(&creds.jwt_token));
        assert_eq!(creds.client_secret.len(), 32);
        assert_eq!(creds.jwt_token.len(), 32);
        assert!(
            creds
                .jwt_token
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
    }
}
