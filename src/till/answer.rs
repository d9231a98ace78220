//! Turning what came back (an answer, or why none did) into the outcome the cashier sees.

use crate::api::client::ClientError;
use crate::api::echo::{self, Agreement, Asked, Echoed};
use crate::api::{EntryType, Operation, ResponseData};
use crate::money::{Amount, Currency, WireDecimal};
use crate::outcome::{Outcome, Status, nothing_moved};

/// What an outcome needs to know about the request it answers.
#[derive(Debug, Clone)]
pub(super) struct RequestContext {
    pub operation: Operation,
    pub tran_order_no: Option<String>,
    /// The full card number sent; empty for a void.
    pub account: String,
    /// The card as a person sees it: masked; for a void, the card of the sale it reverses.
    pub shown_account: String,
    pub entry_type: EntryType,
    /// The quantity sent (`"10.50"`, `"25"`); for a void, that of the sale it reverses.
    pub amount: Option<String>,
    /// Whether `amount` was on the wire (a void's is only for people).
    pub amount_sent: bool,
    /// A payment sent with `nsfAllowed`: it may be approved for less.
    pub partial_ok: bool,
    /// A second send of a request whose first outcome is unknown.
    pub resend: bool,
}

/// The outcome of one attempt, and the answer's data to journal with it.
pub(super) struct Judged {
    pub outcome: Outcome,
    pub response: Option<ResponseData>,
    /// Whether any answer came back from the server (drives the connection indicator).
    pub reached_server: bool,
}

/// Decides the outcome: approved only when the answer says so *and* answers this request.
pub(super) fn judge(
    context: &RequestContext,
    sent: Result<ResponseData, ClientError>,
    currency: &Currency,
) -> Judged {
    let op = context.operation;
    let mut outcome = Outcome {
        operation: op,
        tran_order_no: context.tran_order_no.clone(),
        account_id: context.shown_account.clone(),
        entry_type: context.entry_type,
        status: Status::Approved,
        code: Some(200),
        msg: String::new(),
        checkout_id: None,
        amount: context.amount.clone(),
        requested_amount: None,
        balances: Vec::new(),
    };
    let reached_server = !matches!(
        &sent,
        Err(ClientError::NotSent(_)) | Err(ClientError::NoAnswer(_))
    );
    let response = match sent {
        Ok(data) => {
            approve(&mut outcome, context, &data, currency);
            Some(data)
        }
        Err(e) => {
            outcome.status = e.status();
            outcome.code = e.code();
            outcome.msg = explain(&e, op);
            if context.resend && outcome.status == Status::Rejected {
                // Refusing the resend (bad token, not sent) says nothing about the first
                // attempt, which may have been applied: the row stays unknown.
                outcome.status = Status::Unknown;
                outcome.msg = format!(
                    "the resend did not get through ({}); whether the first attempt went through is still unknown",
                    outcome.msg
                );
            }
            outcome.checkout_id = e.data().and_then(|d| d.checkout_id.clone());
            e.data().cloned()
        }
    };
    Judged {
        outcome,
        response,
        reached_server,
    }
}

/// An approval, checked against the request (see `api::echo`).
fn approve(
    outcome: &mut Outcome,
    context: &RequestContext,
    data: &ResponseData,
    currency: &Currency,
) {
    let asked = Asked {
        amount: context.amount.as_deref().filter(|_| context.amount_sent),
        account: Some(context.account.as_str()).filter(|a| !a.is_empty()),
        partial_ok: context.partial_ok,
    };
    let echoed = Echoed {
        amount: data.amount.as_ref().map(WireDecimal::as_str),
        account: data.account_id.as_deref(),
    };
    let agreement = echo::check(&asked, &echoed).and_then(|a| match a {
        Agreement::TookLess { taken } => took_less(&taken, asked.amount.unwrap_or(""), currency),
        Agreement::Matches => Ok(None),
    });
    match agreement {
        Ok(partial) => {
            outcome.msg = "approved".into();
            outcome.checkout_id = data.checkout_id.clone();
            outcome.balances = data.balances.clone().unwrap_or_default();
            if let Some(Partial { taken, rest }) = partial {
                let code = currency.code();
                outcome.msg = format!(
                    "approved for {code} {taken} of {asked}: collect {code} {rest} another way",
                    asked = context.amount.as_deref().unwrap_or_default()
                );
                outcome.requested_amount = context.amount.clone();
                outcome.amount = Some(taken);
            }
        }
        Err(mismatch) => {
            // PayWizard answers a repeated tranOrderNo with the first request's result;
            // an answer about something else is no approval of this one. Its checkoutId
            // may be another sale's, so it is not recorded as this row's.
            outcome.status = Status::Unknown;
            outcome.msg = format!(
                "answer does not match the request ({mismatch}); it may or may not have gone through: do NOT repeat it, check the balance in recovery"
            );
        }
    }
}

/// What a partial approval took and what is left to collect, in the currency's decimals.
struct Partial {
    taken: String,
    rest: String,
}

fn took_less(
    taken: &str,
    asked: &str,
    currency: &Currency,
) -> Result<Option<Partial>, echo::Mismatch> {
    let minor =
        |text: &str| WireDecimal::new(text.trim()).and_then(|d| d.to_minor(currency.decimals()));
    match (minor(taken), minor(asked)) {
        (Some(t), Some(a)) if t < a => Ok(Some(Partial {
            taken: Amount::from_minor(t).to_wire(currency),
            rest: Amount::from_minor(a - t).to_wire(currency),
        })),
        _ => Err(echo::Mismatch::Precision {
            echoed: taken.to_owned(),
            currency: currency.code().to_owned(),
        }),
    }
}

/// The cashier's words for a failure: what happened and what to do next. "Nothing was
/// charged" (in the operation's own words) only where it is certain.
pub fn explain(e: &ClientError, op: Operation) -> String {
    let nothing = nothing_moved(op);
    match e {
        ClientError::Declined { msg, .. } => msg.clone(),
        ClientError::Api { code, msg } if e.status() == Status::Rejected => match code {
            401 | 403 => format!("{msg} — check the till's credentials; {nothing}"),
            _ => format!("{msg} (code {code}); {nothing}"),
        },
        ClientError::NotSent(reason) => {
            format!("not sent — {reason}; {nothing}, try again when online")
        }
        ClientError::HttpStatus { .. } if e.status() == Status::Rejected => {
            format!("{e}; {nothing}")
        }
        _ if op.moves_value() => format!(
            "{e} — it may have gone through: do NOT repeat the sale; it is saved in the journal, run recovery or check the balance"
        ),
        _ => format!("{e} — try again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::WireDecimal;

    #[test]
    fn nothing_moved_is_said_only_where_certain_and_in_the_operation_s_words() {
        let not_sent = ClientError::NotSent("connection refused".into());
        assert!(explain(&not_sent, Operation::Pay).contains("nothing was charged"));
        assert!(explain(&not_sent, Operation::IssuePoints).contains("no points moved"));
        let refused = ClientError::Api {
            code: 401,
            msg: "invalid jwt-token".into(),
        };
        assert!(explain(&refused, Operation::TopUp).ends_with("nothing was loaded onto the card"));
        assert!(explain(&refused, Operation::Void).ends_with("nothing was reversed"));
        for maybe in [
            ClientError::NoAnswer("timed out".into()),
            ClientError::HttpStatus {
                status: 502,
                detail: String::new(),
            },
            ClientError::Malformed("truncated".into()),
        ] {
            for op in [Operation::Pay, Operation::RedeemPoints, Operation::Void] {
                let said = explain(&maybe, op);
                assert!(said.contains("do NOT repeat"), "{said}");
                assert!(!said.contains(nothing_moved(op)), "{said}");
            }
        }
    }

    fn context(partial_ok: bool) -> RequestContext {
        RequestContext {
            operation: Operation::Pay,
            tran_order_no: Some("1".into()),
            account: "6274000000000022".into(),
            shown_account: "**** **** 0022".into(),
            entry_type: EntryType::K,
            amount: Some("7.00".into()),
            amount_sent: true,
            partial_ok,
            resend: false,
        }
    }

    fn answer(amount: Option<&str>) -> ResponseData {
        ResponseData {
            checkout_id: Some("933".into()),
            amount: amount.and_then(WireDecimal::new),
            result: Some(0),
            ..ResponseData::default()
        }
    }

    #[test]
    fn a_partial_approval_says_what_was_taken_and_what_is_left() {
        let judged = judge(&context(true), Ok(answer(Some("5.00"))), &Currency::usd());
        let o = judged.outcome;
        assert_eq!(o.status, Status::Approved);
        assert_eq!(o.amount.as_deref(), Some("5.00"));
        assert_eq!(o.requested_amount.as_deref(), Some("7.00"));
        assert_eq!(
            o.msg,
            "approved for USD 5.00 of 7.00: collect USD 2.00 another way"
        );
        assert!(o.is_partial());
        // "5" is 5.00 in the currency's own decimals.
        let o = judge(&context(true), Ok(answer(Some("5"))), &Currency::usd()).outcome;
        assert_eq!(o.amount.as_deref(), Some("5.00"));
    }

    #[test]
    fn an_approval_for_something_else_is_unknown_without_its_checkout_id() {
        for (partial_ok, amount) in [(false, Some("5.00")), (true, None), (true, Some("8.00"))] {
            let o = judge(&context(partial_ok), Ok(answer(amount)), &Currency::usd()).outcome;
            assert_eq!(o.status, Status::Unknown, "{amount:?}");
            assert!(
                o.msg.starts_with("answer does not match the request ("),
                "{}",
                o.msg
            );
            assert_eq!(o.checkout_id, None);
            assert_eq!(o.requested_amount, None);
        }
    }
}
