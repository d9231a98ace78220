//! What PayWizard answers, read liberally: unknown keys are ignored, `null` reads as absent
//! wherever a value is optional, and a field the till only records or shows is never a
//! reason to lose an answer. Fields the till acts on (`code`, `data`, `result`, amounts,
//! balances, checkoutIds) keep their documented types, and a wrong type there makes the
//! answer unreadable, which the client reports as unknown. Every string is cleaned on the
//! way in ([`clean`](super::clean)). docs/protocol.md, "Reading answers", has the list.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::clean;
use super::customer::CustomerField;
use crate::money::{Currency, WireDecimal};

/// The envelope around every answer. `data` is null on error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub code: i64,
    /// Shown to the cashier; absent, `null` or not a string reads as empty.
    #[serde(default, deserialize_with = "text_or_empty")]
    pub msg: String,
    /// Not used by the till (the journal keeps its own clock); kept when it is text.
    #[serde(default, deserialize_with = "clean::lenient_text")]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub data: Option<ResponseData>,
}

fn text_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(clean::lenient_text(deserializer)?.unwrap_or_default())
}

/// `data.result`: the outcome of a value-moving request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnResult {
    Success,
    Failure,
    Pending,
}

impl TxnResult {
    pub fn from_code(code: i64) -> Option<TxnResult> {
        match code {
            0 => Some(TxnResult::Success),
            1 => Some(TxnResult::Failure),
            2 => Some(TxnResult::Pending),
            _ => None,
        }
    }

    pub fn code(self) -> i64 {
        match self {
            TxnResult::Success => 0,
            TxnResult::Failure => 1,
            TxnResult::Pending => 2,
        }
    }
}

/// Every field any loyalty answer carries, all optional: transaction answers (Pay, Top-up,
/// points, Void, Tip) fill the first group, Activate and Query the second. The operation
/// decides which must be present (see `client`).
///
/// `checkoutId`, `oriCheckoutId`, `amount`, `result` and `balances` keep their documented
/// types (`null` is absent); the rest are record-only and lenient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseData {
    #[serde(
        default,
        deserialize_with = "clean::lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub mid: Option<String>,
    #[serde(
        default,
        deserialize_with = "clean::lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub paywizard_id: Option<String>,
    /// Checked to be a plain identifier by the client before anything uses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "clean::lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub trans_index_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<WireDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<i64>,
    /// Checked like `checkout_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ori_checkout_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "clean::lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub ori_trans_index_code: Option<String>,
    #[serde(
        default,
        deserialize_with = "clean::lenient_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balances: Option<Vec<Balance>>,
    /// The stored customer details echoed by Activate and Query. Informational only.
    #[serde(
        default,
        deserialize_with = "clean::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_info: Option<CustomerEcho>,
}

/// One balance a card holds: a currency or `"Points"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    #[serde(deserialize_with = "clean::required_text")]
    pub value_code: String,
    pub amount: WireDecimal,
    /// Undocumented meaning (the docs' sentence is cut off); shown nowhere, kept if sent.
    /// Absent, `null` or not a number reads as empty.
    #[serde(
        default,
        deserialize_with = "decimal_or_empty",
        skip_serializing_if = "WireDecimal::is_empty"
    )]
    pub difference: WireDecimal,
}

fn decimal_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<WireDecimal, D::Error> {
    Ok(clean::lenient(deserializer)?.unwrap_or_default())
}

impl Balance {
    pub const POINTS: &'static str = "Points";

    pub fn is_points(&self) -> bool {
        self.value_code.eq_ignore_ascii_case(Self::POINTS)
    }

    /// `USD 61.50` or `145 pts`.
    pub fn display(&self) -> String {
        if self.is_points() {
            format!("{} pts", self.amount.display(0))
        } else {
            let decimals = Currency::new(&self.value_code).map_or(2, |c| c.decimals());
            format!("{} {}", self.value_code, self.amount.display(decimals))
        }
    }
}

/// customerInfo as PayWizard echoes it back: the documented keys that came as text,
/// cleaned. Unknown keys, `null` and values of other types are left out. This is the
/// reading side only; what the till sends is the strict
/// [`CustomerInfo`](super::CustomerInfo).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct CustomerEcho(BTreeMap<&'static str, String>);

impl CustomerEcho {
    pub fn get(&self, field: CustomerField) -> Option<&str> {
        self.0.get(field.wire_name()).map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for CustomerEcho {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::deserialize(deserializer)?;
        Ok(CustomerEcho(
            CustomerField::ALL
                .iter()
                .filter_map(|f| {
                    let value = map.get(f.wire_name())?.as_str()?;
                    Some((f.wire_name(), clean::line(value)))
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_responses_parse() {
        let pay = r#"{"code":200,"msg":"success","timestamp":"2025-07-24 13:06:10","data":{"mid":"202507081058","paywizardId":"10020000080","checkoutId":"933392815902294016","transIndexCode":"100200000807293844967","amount":"10000","result":0}}"#;
        let env: Envelope = serde_json::from_str(pay).unwrap();
        let data = env.data.unwrap();
        assert_eq!(data.checkout_id.as_deref(), Some("933392815902294016"));
        assert_eq!(data.result, Some(0));
        let query = r#"{"code":200,"msg":"success","timestamp":"2025-07-24 15:34:05","data":{"accountId":"914639258868515","balances":[{"valueCode":"USD","amount":1534.1,"difference":0},{"valueCode":"Points","amount":53,"difference":0}],"customerInfo":{"customerType":"1","firstName":"Jon1"}}}"#;
        let env: Envelope = serde_json::from_str(query).unwrap();
        let data = env.data.unwrap();
        let balances = data.balances.unwrap();
        assert_eq!(balances[0].display(), "USD 1534.10");
        assert_eq!(balances[1].display(), "53 pts");
        let echo = data.customer_info.unwrap();
        assert_eq!(echo.get(CustomerField::FirstName), Some("Jon1"));
        assert_eq!(echo.get(CustomerField::LastName), None);
        let err: Envelope =
            serde_json::from_str(r#"{"code":401,"msg":"bad sign","data":null}"#).unwrap();
        assert_eq!((err.code, err.data), (401, None));
    }

    #[test]
    fn the_customer_echo_keeps_documented_text_only() {
        let echo: CustomerEcho = serde_json::from_str(
            r#"{"firstName":"Ann\u001b[2J","middleName":null,"postal":26000,"loyaltyTier":"gold"}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&echo).unwrap(),
            r#"{"firstName":"Ann [2J"}"#
        );
    }

    #[test]
    fn record_only_fields_of_another_type_read_as_absent() {
        let data: ResponseData = serde_json::from_str(
            r#"{"mid":12,"paywizardId":null,"transIndexCode":["x"],"result":0,"customerInfo":"n/a"}"#,
        )
        .unwrap();
        assert_eq!(
            (data.mid, data.paywizard_id, data.trans_index_code),
            (None, None, None)
        );
        assert_eq!((data.result, data.customer_info), (Some(0), None));
    }

    #[test]
    fn fields_the_money_depends_on_keep_their_type() {
        for body in [
            r#"{"result":"0"}"#,
            r#"{"checkoutId":933392815902294016}"#,
            r#"{"amount":"ten"}"#,
            r#"{"balances":[{"valueCode":"USD","amount":null}]}"#,
            r#"{"balances":[{"valueCode":7,"amount":1}]}"#,
            r#"{"balances":"none"}"#,
        ] {
            assert!(
                serde_json::from_str::<ResponseData>(body).is_err(),
                "{body} must not read"
            );
        }
    }
}
