//! The PayWizard Open API loyalty endpoints: operations and request bodies here, answers
//! in [`answer`].
//!
//! Field names and their order follow PayWizard's endpoint pages exactly; docs/protocol.md
//! restates what the till relies on, endpoint by endpoint. Be strict in what you send: a
//! request body is serialized once by [`build_body`], and those bytes are what gets
//! signed, journaled and sent. Be liberal in what you read: see [`answer`].

pub mod answer;
pub mod clean;
pub mod client;
pub mod customer;
pub mod echo;
pub mod order_no;
pub mod sign;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use answer::{Balance, CustomerEcho, Envelope, ResponseData, TxnResult};
pub use customer::{CustomerField, CustomerInfo};

use crate::money::{Amount, Currency, Points};

/// The path every loyalty endpoint sits under.
pub const LOYALTY_PATH: &str = "/ovstrade/openLoyaltyPay/";

/// The eight loyalty operations, in the order the cashier sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    IssuePoints,
    TopUp,
    Pay,
    RedeemPoints,
    Balance,
    Activate,
    Void,
    Tip,
}

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::IssuePoints,
        Operation::TopUp,
        Operation::Pay,
        Operation::RedeemPoints,
        Operation::Balance,
        Operation::Activate,
        Operation::Void,
        Operation::Tip,
    ];

    /// The endpoint name PayWizard uses in the URL.
    pub fn endpoint(self) -> &'static str {
        match self {
            Operation::IssuePoints => "loyaltyIssuance",
            Operation::TopUp => "giftIssuance",
            Operation::Pay => "giftTransaction",
            Operation::RedeemPoints => "loyaltyRedemption",
            Operation::Balance => "giftInquiry",
            Operation::Activate => "giftActivate",
            Operation::Void => "giftVoid",
            Operation::Tip => "giftTip",
        }
    }

    pub fn from_endpoint(endpoint: &str) -> Option<Operation> {
        Operation::ALL
            .into_iter()
            .find(|op| op.endpoint() == endpoint)
    }

    /// The path after the host, e.g. `/ovstrade/openLoyaltyPay/loyaltyIssuance`.
    pub fn path(self) -> String {
        format!("{LOYALTY_PATH}{}", self.endpoint())
    }

    /// The subcommand name and the `operation` in `--json` output.
    pub fn cli_name(self) -> &'static str {
        match self {
            Operation::IssuePoints => "issue-points",
            Operation::TopUp => "top-up",
            Operation::Pay => "pay",
            Operation::RedeemPoints => "redeem-points",
            Operation::Balance => "balance",
            Operation::Activate => "activate",
            Operation::Void => "void",
            Operation::Tip => "tip",
        }
    }

    pub fn from_cli_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.cli_name() == name)
    }

    /// What a cashier calls it.
    pub fn label(self) -> &'static str {
        match self {
            Operation::IssuePoints => "Issue points",
            Operation::TopUp => "Top-up",
            Operation::Pay => "Pay",
            Operation::RedeemPoints => "Redeem points",
            Operation::Balance => "Balance",
            Operation::Activate => "Activate",
            Operation::Void => "Void",
            Operation::Tip => "Tip",
        }
    }

    /// Whether the request carries a `tranOrderNo` (everything that moves value).
    pub fn has_order_no(self) -> bool {
        !matches!(self, Operation::Balance | Operation::Activate)
    }

    /// Whether a lost answer leaves money or points in doubt.
    pub fn moves_value(self) -> bool {
        self.has_order_no()
    }

    /// What the operation asks the cashier for.
    pub fn quantity(self) -> Quantity {
        match self {
            Operation::IssuePoints | Operation::RedeemPoints => Quantity::Points,
            Operation::TopUp | Operation::Pay | Operation::Tip => Quantity::Money,
            Operation::Balance | Operation::Activate | Operation::Void => Quantity::None,
        }
    }

    /// Void and tip refer to an earlier transaction by its checkoutId.
    pub fn needs_original(self) -> bool {
        matches!(self, Operation::Void | Operation::Tip)
    }

    /// Void is the one operation with no card number on the wire.
    pub fn needs_account(self) -> bool {
        self != Operation::Void
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What an operation moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Points,
    Money,
    None,
}

/// How the card number reached the till.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum EntryType {
    /// Barcode scanner.
    B,
    /// Keyed by hand.
    #[default]
    K,
    /// Magnetic stripe.
    M,
    /// Proximity (contactless).
    P,
}

impl EntryType {
    pub const ALL: [EntryType; 4] = [EntryType::K, EntryType::B, EntryType::M, EntryType::P];

    pub fn code(self) -> &'static str {
        match self {
            EntryType::B => "B",
            EntryType::K => "K",
            EntryType::M => "M",
            EntryType::P => "P",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            EntryType::B => "scanned",
            EntryType::K => "keyed",
            EntryType::M => "swiped",
            EntryType::P => "contactless",
        }
    }

    /// The next badge when the cashier overrides it: K -> B -> M -> P -> K.
    pub fn cycle(self) -> EntryType {
        match self {
            EntryType::K => EntryType::B,
            EntryType::B => EntryType::M,
            EntryType::M => EntryType::P,
            EntryType::P => EntryType::K,
        }
    }
}

impl fmt::Display for EntryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for EntryType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "B" => Ok(EntryType::B),
            "K" => Ok(EntryType::K),
            "M" => Ok(EntryType::M),
            "P" => Ok(EntryType::P),
            _ => Err("entry type must be B, K, M or P".into()),
        }
    }
}

/// Checks a card number (accountId) the way the till accepts it: 6 to 40 characters,
/// digits only. PayWizard does not document the format; gift cards are not always Luhn.
pub fn validate_account(account: &str) -> Result<(), String> {
    if account.is_empty() {
        return Err("enter the card number".into());
    }
    if !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err("card number must be digits only".into());
    }
    if account.len() < 6 {
        return Err("card number is too short (at least 6 digits)".into());
    }
    if account.len() > 40 {
        return Err("card number is too long (at most 40 digits)".into());
    }
    Ok(())
}

/// The Luhn check, used only to warn: gift cards may not carry a Luhn digit.
pub fn luhn_ok(account: &str) -> bool {
    if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = account
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Masks a card number for anything a person or a log can see: `**** **** 3456`.
pub fn mask_account(account: &str) -> String {
    let chars: Vec<char> = account.chars().collect();
    if chars.len() <= 4 {
        return "****".into();
    }
    let last4: String = chars[chars.len() - 4..].iter().collect();
    format!("**** **** {last4}")
}

/// What the till wants done, before it becomes a PayWizard body. Built by the form or a
/// subcommand, validated, then turned into bytes by [`build_body`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillRequest {
    pub operation: Operation,
    /// The card number; empty for a void.
    pub account: String,
    pub entry: EntryType,
    pub amount: Option<Amount>,
    pub points: Option<Points>,
    /// Top-up's "activate card" toggle; Activate always sends `Y`.
    pub activate: bool,
    pub customer: Option<CustomerInfo>,
    pub nsf_allowed: bool,
    /// checkoutId of the original transaction for void and tip.
    pub original_checkout_id: Option<String>,
}

impl TillRequest {
    pub fn new(operation: Operation, account: impl Into<String>) -> Self {
        Self {
            operation,
            account: account.into(),
            entry: EntryType::K,
            amount: None,
            points: None,
            activate: false,
            customer: None,
            nsf_allowed: false,
            original_checkout_id: None,
        }
    }

    /// What the request moves, for people: `25 pts`, `USD 10.50`, or empty.
    pub fn quantity_display(&self, currency: &Currency) -> String {
        match (self.points, self.amount) {
            (Some(p), _) => format!("{p} pts"),
            (None, Some(a)) => a.display(currency),
            (None, None) => String::new(),
        }
    }
}

/// The fixed parts of every body: who we are and which channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyContext {
    pub client_id: String,
    pub channel: String,
    pub currency: Currency,
}

/// Why a till request cannot become a body. Every message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("{0} needs a tranOrderNo")]
    MissingOrderNo(Operation),
    #[error("{op} needs {field}")]
    MissingField { op: Operation, field: &'static str },
    #[error("account: {0}")]
    Account(String),
}

/// Serializes the body for `req` exactly once. These bytes are signed, journaled and sent.
pub fn build_body(
    req: &TillRequest,
    ctx: &BodyContext,
    tran_order_no: Option<&str>,
) -> Result<Vec<u8>, BuildError> {
    let op = req.operation;
    if op.needs_account() {
        validate_account(&req.account).map_err(BuildError::Account)?;
    }
    let order_no = || {
        tran_order_no
            .map(str::to_owned)
            .ok_or(BuildError::MissingOrderNo(op))
    };
    let amount = || {
        req.amount
            .map(|a| a.to_wire(&ctx.currency))
            .ok_or(BuildError::MissingField {
                op,
                field: "an amount",
            })
    };
    let points = || {
        req.points
            .map(Points::to_wire)
            .ok_or(BuildError::MissingField {
                op,
                field: "points",
            })
    };
    let original = || {
        req.original_checkout_id
            .clone()
            .ok_or(BuildError::MissingField {
                op,
                field: "the original checkoutId",
            })
    };
    let client_id = ctx.client_id.clone();
    let channel = ctx.channel.clone();
    let account = req.account.clone();
    let entry = req.entry;
    let currency = ctx.currency.code().to_owned();
    let body = match op {
        Operation::Activate => to_vec(&ActivateRequest {
            client_id,
            loyalty_channel: channel,
            account_id: account,
            entry_type: entry,
            activating: YesNo::Y,
            customer_info: req.customer.clone().unwrap_or_default(),
        }),
        Operation::Balance => to_vec(&InquiryRequest {
            client_id,
            loyalty_channel: channel,
            account_id: account,
            entry_type: entry,
        }),
        Operation::TopUp => to_vec(&TopUpRequest {
            client_id,
            tran_order_no: order_no()?,
            loyalty_channel: channel,
            account_id: account,
            entry_type: entry,
            amount: amount()?,
            tran_currency: currency,
            activating: req.activate.then_some(YesNo::Y),
            customer_info: req.customer.clone(),
        }),
        Operation::Pay => to_vec(&PayRequest {
            client_id,
            tran_order_no: order_no()?,
            loyalty_channel: channel,
            amount: amount()?,
            tran_currency: currency,
            account_id: account,
            entry_type: entry,
            nsf_allowed: req.nsf_allowed.then_some(true),
        }),
        Operation::Void => to_vec(&VoidRequest {
            client_id,
            tran_order_no: order_no()?,
            ori_order_no: original()?,
        }),
        Operation::IssuePoints | Operation::RedeemPoints => to_vec(&PointsRequest {
            client_id,
            tran_order_no: order_no()?,
            loyalty_channel: channel,
            account_id: account,
            entry_type: entry,
            amount: points()?,
        }),
        Operation::Tip => to_vec(&TipRequest {
            client_id,
            tran_order_no: order_no()?,
            account_id: account,
            entry_type: entry,
            amount: amount()?,
            tran_currency: currency,
            ori_order_no: original()?,
        }),
    };
    Ok(body)
}

fn to_vec<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("request types always serialize")
}

/// `"Y"` / `"N"` as PayWizard spells its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum YesNo {
    Y,
    N,
}

/// `giftActivate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateRequest {
    pub client_id: String,
    pub loyalty_channel: String,
    pub account_id: String,
    pub entry_type: EntryType,
    pub activating: YesNo,
    pub customer_info: CustomerInfo,
}

/// `giftInquiry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryRequest {
    pub client_id: String,
    pub loyalty_channel: String,
    pub account_id: String,
    pub entry_type: EntryType,
}

/// `giftIssuance` (top-up / reload). `amount` and `tranCurrency` are not in PayWizard's
/// page; we send them like Pay (docs/protocol.md, "Top-up"). This struct is the one place
/// to change if PayWizard names them differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopUpRequest {
    pub client_id: String,
    pub tran_order_no: String,
    pub loyalty_channel: String,
    pub account_id: String,
    pub entry_type: EntryType,
    pub amount: String,
    pub tran_currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activating: Option<YesNo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_info: Option<CustomerInfo>,
}

/// `giftTransaction` (pay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayRequest {
    pub client_id: String,
    pub tran_order_no: String,
    pub loyalty_channel: String,
    pub amount: String,
    pub tran_currency: String,
    pub account_id: String,
    pub entry_type: EntryType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsf_allowed: Option<bool>,
}

/// `giftVoid`. `oriOrderNo` carries the original's checkoutId, despite its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoidRequest {
    pub client_id: String,
    pub tran_order_no: String,
    pub ori_order_no: String,
}

/// `loyaltyIssuance` and `loyaltyRedemption`: `amount` is a whole number of points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsRequest {
    pub client_id: String,
    pub tran_order_no: String,
    pub loyalty_channel: String,
    pub account_id: String,
    pub entry_type: EntryType,
    pub amount: String,
}

/// `giftTip`. No `loyaltyChannel`, as documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TipRequest {
    pub client_id: String,
    pub tran_order_no: String,
    pub account_id: String,
    pub entry_type: EntryType,
    pub amount: String,
    pub tran_currency: String,
    pub ori_order_no: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> BodyContext {
        BodyContext {
            client_id: "825429536610058240".into(),
            channel: "FACTOR4".into(),
            currency: Currency::usd(),
        }
    }

    fn body(req: &TillRequest) -> String {
        String::from_utf8(build_body(req, &ctx(), Some("20250401123534801")).unwrap()).unwrap()
    }

    #[test]
    fn issue_points_body_matches_the_seed_example() {
        let mut req = TillRequest::new(Operation::IssuePoints, "914639258868515");
        req.points = Some(Points::new(1));
        assert_eq!(
            body(&req),
            r#"{"clientId":"825429536610058240","tranOrderNo":"20250401123534801","loyaltyChannel":"FACTOR4","accountId":"914639258868515","entryType":"K","amount":"1"}"#
        );
    }

    #[test]
    fn top_up_carries_amount_currency_activation_and_customer() {
        let mut req = TillRequest::new(Operation::TopUp, "914639258868515");
        req.amount = Some(Amount::from_minor(1050));
        req.activate = true;
        req.customer = Some(CustomerInfo {
            first_name: "Jon1".into(),
            ..CustomerInfo::default()
        });
        let json: serde_json::Value = serde_json::from_str(&body(&req)).unwrap();
        assert_eq!(json["amount"], "10.50");
        assert_eq!(json["tranCurrency"], "USD");
        assert_eq!(json["activating"], "Y");
        assert_eq!(json["customerInfo"]["firstName"], "Jon1");
        assert_eq!(json["customerInfo"].as_object().unwrap().len(), 19);
        let plain = TillRequest {
            activate: false,
            customer: None,
            ..req
        };
        let json: serde_json::Value = serde_json::from_str(&body(&plain)).unwrap();
        assert!(json.get("activating").is_none() && json.get("customerInfo").is_none());
    }

    #[test]
    fn void_and_tip_refer_to_the_original_checkout_id() {
        let mut void = TillRequest::new(Operation::Void, "");
        void.original_checkout_id = Some("933392815902294016".into());
        assert_eq!(
            body(&void),
            r#"{"clientId":"825429536610058240","tranOrderNo":"20250401123534801","oriOrderNo":"933392815902294016"}"#
        );
        let mut tip = TillRequest::new(Operation::Tip, "914639258868515");
        tip.amount = Some(Amount::from_minor(200));
        tip.original_checkout_id = Some("927994263952818176".into());
        assert_eq!(
            body(&tip),
            r#"{"clientId":"825429536610058240","tranOrderNo":"20250401123534801","accountId":"914639258868515","entryType":"K","amount":"2.00","tranCurrency":"USD","oriOrderNo":"927994263952818176"}"#
        );
    }

    #[test]
    fn pay_sends_nsf_allowed_only_when_set() {
        let mut pay = TillRequest::new(Operation::Pay, "914639258868515");
        pay.amount = Some(Amount::from_minor(1050));
        assert!(!body(&pay).contains("nsfAllowed"));
        pay.nsf_allowed = true;
        assert!(body(&pay).ends_with(r#""entryType":"K","nsfAllowed":true}"#));
    }

    #[test]
    fn balance_and_activate_have_no_order_number() {
        let req = TillRequest::new(Operation::Balance, "914639258868515");
        let b = String::from_utf8(build_body(&req, &ctx(), None).unwrap()).unwrap();
        assert_eq!(
            b,
            r#"{"clientId":"825429536610058240","loyaltyChannel":"FACTOR4","accountId":"914639258868515","entryType":"K"}"#
        );
        let act = TillRequest::new(Operation::Activate, "914639258868515");
        let json: serde_json::Value =
            serde_json::from_slice(&build_body(&act, &ctx(), None).unwrap()).unwrap();
        assert_eq!(json["activating"], "Y");
        assert_eq!(json["customerInfo"].as_object().unwrap().len(), 19);
    }

    #[test]
    fn missing_pieces_name_the_field() {
        let req = TillRequest::new(Operation::Pay, "914639258868515");
        let err = build_body(&req, &ctx(), Some("1")).unwrap_err();
        assert_eq!(err.to_string(), "Pay needs an amount");
        let bad = TillRequest::new(Operation::Balance, "12ab");
        let err = build_body(&bad, &ctx(), None).unwrap_err();
        assert_eq!(err.to_string(), "account: card number must be digits only");
    }

    #[test]
    fn masks_and_checks_card_numbers() {
        assert_eq!(mask_account("6274000000003456"), "**** **** 3456");
        assert_eq!(mask_account("123"), "****");
        assert!(luhn_ok("4111111111111111"));
        assert!(!luhn_ok("4111111111111112"));
        assert!(validate_account("12345").is_err());
        assert!(validate_account("123456").is_ok());
    }

    #[test]
    fn operation_names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_endpoint(op.endpoint()), Some(op));
            assert_eq!(Operation::from_cli_name(op.cli_name()), Some(op));
        }
        assert_eq!(
            Operation::IssuePoints.path(),
            "/ovstrade/openLoyaltyPay/loyaltyIssuance"
        );
    }
}
