//! What to do after a decline, worked out from the outcome: the operation, what was asked,
//! and the card's balances (fetched after the decline when the card could be asked). Only
//! one thing is read from PayWizard's own words, in [`says_inactive`].

use time::OffsetDateTime;

use crate::api::Operation;
use crate::app::keys::operation_keys;
use crate::app::status::Finished;
use crate::outcome::Status;

/// `10:56:12`.
pub fn clock(at: OffsetDateTime) -> String {
    format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second())
}

/// Whether PayWizard's message says the card is not activated. The one place the screen
/// reads a server message to decide what to show.
pub fn says_inactive(msg: &str) -> bool {
    let msg = msg.to_ascii_lowercase();
    msg.contains("not active") || msg.contains("inactive") || msg.contains("not activated")
}

/// The till's own reason for a refusal, without the "nothing was charged" some reasons end
/// with: the status pane says that itself, in the operation's own words.
pub fn reason(msg: &str) -> &str {
    msg.strip_suffix("; nothing was charged")
        .or_else(|| msg.strip_suffix(" (nothing was sent)"))
        .unwrap_or(msg)
}

fn f_key(op: Operation) -> String {
    format!("F{}", operation_keys(op).0)
}

/// Lines of help under a decline; empty when there is nothing useful to add.
pub fn after_decline(finished: &Finished) -> Vec<String> {
    let outcome = &finished.outcome;
    if outcome.status != Status::Declined {
        return Vec::new();
    }
    if says_inactive(&outcome.msg) {
        let line = match outcome.operation {
            Operation::Activate => return Vec::new(),
            Operation::TopUp => format!(
                "The card is not active: switch on \"Activate card\" on Top-up ({}), or Activate it ({}).",
                f_key(Operation::TopUp),
                f_key(Operation::Activate)
            ),
            _ => format!(
                "The card is not active: Activate it first ({}), or Top-up ({}) with \"Activate card\".",
                f_key(Operation::Activate),
                f_key(Operation::TopUp)
            ),
        };
        return vec![line];
    }
    let asked = finished.asked.as_ref();
    match outcome.operation {
        Operation::Pay | Operation::Tip => {
            let Some(balance) = outcome.money_balance() else {
                return Vec::new();
            };
            let holds = format!("Card holds {}", balance.display());
            let decimals = asked.map_or(2, |a| a.currency.decimals());
            let held = balance.amount.to_minor(decimals).unwrap_or(0);
            let short = asked
                .and_then(|a| a.amount)
                .is_some_and(|want| want.minor() > held);
            let can_take_part = outcome.operation == Operation::Pay
                && held > 0
                && short
                && asked.is_some_and(|a| !a.nsf_allowed);
            if can_take_part {
                vec![format!(
                    "{holds} — {} with NSF allowed takes that; collect the rest another way.",
                    f_key(Operation::Pay)
                )]
            } else {
                vec![format!("{holds}.")]
            }
        }
        Operation::RedeemPoints => match outcome.points_balance() {
            Some(points) => vec![format!(
                "Card holds {} — redeem at most that.",
                points.display()
            )],
            None => Vec::new(),
        },
        _ if !outcome.balances.is_empty() => {
            let all: Vec<String> = outcome.balances.iter().map(|b| b.display()).collect();
            vec![format!("Card holds {}.", all.join(" · "))]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Balance, EntryType};
    use crate::app::status::Asked;
    use crate::money::{Amount, Currency, WireDecimal};
    use crate::outcome::Outcome;

    fn declined(op: Operation, msg: &str, balances: &[(&str, &str)]) -> Outcome {
        Outcome {
            operation: op,
            tran_order_no: None,
            account_id: "**** **** 0022".into(),
            entry_type: EntryType::B,
            status: Status::Declined,
            code: Some(200),
            msg: msg.into(),
            checkout_id: None,
            amount: Some("7.00".into()),
            requested_amount: None,
            balances: balances
                .iter()
                .map(|(code, amount)| Balance {
                    value_code: (*code).into(),
                    amount: WireDecimal::new(amount).unwrap(),
                    difference: WireDecimal::default(),
                })
                .collect(),
        }
    }

    fn asked(minor: i64, nsf_allowed: bool) -> Option<Asked> {
        Some(Asked {
            amount: Some(Amount::from_minor(minor)),
            points: None,
            nsf_allowed,
            activate: false,
            currency: Currency::usd(),
        })
    }

    fn help(outcome: Outcome, asked: Option<Asked>) -> Vec<String> {
        after_decline(&Finished {
            outcome,
            asked,
            reverses: None,
        })
    }

    #[test]
    fn a_short_card_offers_nsf_for_pay_with_the_balance() {
        let short = declined(Operation::Pay, "insufficient funds", &[("USD", "5")]);
        assert_eq!(
            help(short.clone(), asked(700, false)),
            ["Card holds USD 5.00 — F4 with NSF allowed takes that; collect the rest another way."]
        );
        // NSF was already allowed (or the card is empty): just the balance.
        assert_eq!(help(short, asked(700, true)), ["Card holds USD 5.00."]);
        let empty = declined(Operation::Pay, "insufficient funds", &[("USD", "0")]);
        assert_eq!(help(empty, asked(700, false)), ["Card holds USD 0.00."]);
    }

    #[test]
    fn an_inactive_card_points_to_activate_and_to_the_top_up_toggle() {
        let pay = declined(Operation::Pay, "card is not active", &[]);
        assert!(help(pay, asked(100, false))[0].contains("Activate it first (F7)"));
        let top_up = declined(Operation::TopUp, "card is not active", &[]);
        assert!(help(top_up, asked(100, false))[0].contains("\"Activate card\" on Top-up (F3)"));
    }

    #[test]
    fn points_short_says_how_many_there_are() {
        let redeem = declined(
            Operation::RedeemPoints,
            "insufficient points",
            &[("Points", "10")],
        );
        assert_eq!(
            help(redeem, None),
            ["Card holds 10 pts — redeem at most that."]
        );
    }

    #[test]
    fn nothing_to_add_without_balances() {
        let plain = declined(Operation::Pay, "do not honour", &[]);
        assert!(help(plain, asked(100, false)).is_empty());
    }
}
