//! The sale a void reverses or a tip adds to, checked before anything is sent.
//!
//! A void is only for an approved top-up, payment, tip or points operation that is not
//! already voided (never a void, a balance check or an activation); a tip only for an
//! approved payment, on that payment's card and with its entry type. An original this
//! till's journal does not have cannot be checked here: PayWizard decides.

use crate::api::{EntryType, Operation, mask_account};
use crate::journal::Row;
use crate::outcome::RowState;

use super::{Till, TillError, account_of};

/// What `ORDER` (a tranOrderNo or checkoutId) refers to.
#[derive(Debug, Clone)]
pub struct Original {
    /// The checkoutId to send as `oriOrderNo`.
    pub checkout_id: String,
    /// Its row in this till's journal; `None` when the journal does not have it (another
    /// till's sale, or an older journal), so nothing about it could be checked.
    pub row: Option<Row>,
}

/// What a journal row was, with its article: "a payment", "an activation".
fn kind(op: Operation) -> &'static str {
    match op {
        Operation::IssuePoints => "a points issuance",
        Operation::RedeemPoints => "a points redemption",
        Operation::TopUp => "a top-up",
        Operation::Pay => "a payment",
        Operation::Balance => "a balance check",
        Operation::Activate => "an activation",
        Operation::Void => "a void",
        Operation::Tip => "a tip",
    }
}

/// Why `row` cannot be the original of `op` (a void or a tip), in one line.
pub fn refuse(op: Operation, order: &str, row: &Row) -> Option<String> {
    let what = kind(row.operation);
    match op {
        Operation::Void => {
            let voidable = matches!(
                row.operation,
                Operation::TopUp
                    | Operation::Pay
                    | Operation::Tip
                    | Operation::IssuePoints
                    | Operation::RedeemPoints
            );
            if !voidable {
                return Some(format!(
                    "{order} is {what}; only a top-up, payment, tip or points operation can be voided"
                ));
            }
            match row.state {
                RowState::Approved => None,
                RowState::Voided => Some(format!("{order} is already voided")),
                state => Some(format!(
                    "{order} is {state}; only an approved transaction can be voided"
                )),
            }
        }
        Operation::Tip => {
            if row.operation != Operation::Pay {
                return Some(format!(
                    "{order} is {what}; a tip can only be added to an approved payment"
                ));
            }
            match row.state {
                RowState::Approved => None,
                state => Some(format!(
                    "{order} is {state}; a tip can only be added to an approved payment"
                )),
            }
        }
        other => Some(format!("{other} does not refer to an earlier transaction")),
    }
}

/// The card and entry type a tip on `row` must carry. `given` is a card number the cashier
/// typed; it must be the payment's card. Once the tip window is over the journal keeps only
/// the masked card, and the full number has to be given again.
pub fn tip_card(
    order: &str,
    row: &Row,
    given: Option<&str>,
) -> Result<(String, EntryType), String> {
    let card = match (account_of(row), given) {
        (Some(held), None) => held,
        (Some(held), Some(given)) if held == given => held,
        (None, Some(given)) if mask_account(given) == row.account_masked => given.to_owned(),
        (_, Some(_)) => {
            return Err(format!(
                "that card is not the card of {order}'s payment ({})",
                row.account_masked
            ));
        }
        (None, None) => {
            return Err(format!(
                "the journal no longer holds the card of {order}'s payment ({}): the tip window is over; give the card number",
                row.account_masked
            ));
        }
    };
    Ok((card, row.entry_type))
}

impl Till {
    /// Resolves `order` (a tranOrderNo or checkoutId) to the original of a void or tip,
    /// refusing, before anything is sent, one that cannot be voided or tipped. An order
    /// this journal does not have is passed on as a checkoutId, unchecked.
    pub fn resolve_original(&self, order: &str, op: Operation) -> Result<Original, TillError> {
        let journal = self.journal();
        let Some(row) = journal.find(order)? else {
            return Ok(Original {
                checkout_id: order.to_owned(),
                row: None,
            });
        };
        if let Some(reason) = refuse(op, order, &row) {
            return Err(TillError::Lookup(reason));
        }
        let checkout_id = row.checkout_id.clone().ok_or_else(|| {
            TillError::Lookup(format!(
                "{order} has no checkoutId in the journal; it cannot be referred to"
            ))
        })?;
        if op == Operation::Void && journal.open_void_of(&checkout_id)?.is_some() {
            return Err(TillError::Lookup(format!(
                "a void of {order} was sent and its outcome is still unknown; resolve it in recovery first"
            )));
        }
        Ok(Original {
            checkout_id,
            row: Some(row),
        })
    }

    /// The checks of [`Till::resolve_original`] again, on the request about to be
    /// journaled: whatever built it (the screen, a script), a void or tip of an original in
    /// this journal that cannot take one is refused here, before anything is sent.
    pub(super) fn check_original(
        &self,
        op: Operation,
        checkout: &str,
        account: &str,
    ) -> Result<Option<Row>, TillError> {
        let journal = self.journal();
        let Some(row) = journal.original_of(checkout)? else {
            return Ok(None);
        };
        if let Some(reason) = refuse(op, checkout, &row) {
            return Err(TillError::Lookup(reason));
        }
        if op == Operation::Void && journal.open_void_of(checkout)?.is_some() {
            return Err(TillError::Lookup(format!(
                "a void of {checkout} was sent and its outcome is still unknown; resolve it in recovery first"
            )));
        }
        if op == Operation::Tip {
            tip_card(checkout, &row, Some(account)).map_err(TillError::Lookup)?;
        }
        Ok(Some(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn row(op: Operation, state: RowState) -> Row {
        Row {
            id: 1,
            created_at: datetime!(2025-07-24 13:06:10 UTC),
            finished_at: None,
            till_id: "1".into(),
            operation: op,
            tran_order_no: Some("42".into()),
            account_masked: "**** **** 0014".into(),
            entry_type: EntryType::B,
            amount_minor: Some(100),
            requested_minor: None,
            points: None,
            currency: "USD".into(),
            state,
            code: Some(200),
            msg: String::new(),
            checkout_id: Some("933".into()),
            trans_index_code: None,
            original_checkout_id: None,
            voided_by: None,
            void_of: None,
            abandon_reason: None,
            cashier: None,
            approved_by: None,
            abandoned_by: None,
            body: br#"{"accountId":"6274000000000014"}"#.to_vec(),
        }
    }

    #[test]
    fn only_approved_money_and_points_operations_can_be_voided() {
        for op in [
            Operation::TopUp,
            Operation::Pay,
            Operation::Tip,
            Operation::IssuePoints,
            Operation::RedeemPoints,
        ] {
            assert_eq!(
                refuse(Operation::Void, "42", &row(op, RowState::Approved)),
                None
            );
        }
        for op in [Operation::Void, Operation::Balance, Operation::Activate] {
            let why = refuse(Operation::Void, "42", &row(op, RowState::Approved)).unwrap();
            assert!(
                why.contains("only a top-up, payment, tip or points operation"),
                "{why}"
            );
        }
        assert_eq!(
            refuse(
                Operation::Void,
                "42",
                &row(Operation::Pay, RowState::Voided)
            )
            .as_deref(),
            Some("42 is already voided")
        );
        for state in [RowState::Declined, RowState::Unknown, RowState::Abandoned] {
            assert!(refuse(Operation::Void, "42", &row(Operation::Pay, state)).is_some());
        }
    }

    #[test]
    fn a_tip_goes_only_on_an_approved_payment_with_its_card_and_entry_type() {
        assert_eq!(
            refuse(
                Operation::Tip,
                "42",
                &row(Operation::Pay, RowState::Approved)
            ),
            None
        );
        let why = refuse(
            Operation::Tip,
            "42",
            &row(Operation::IssuePoints, RowState::Approved),
        );
        assert_eq!(
            why.as_deref(),
            Some("42 is a points issuance; a tip can only be added to an approved payment")
        );
        assert!(refuse(Operation::Tip, "42", &row(Operation::Pay, RowState::Voided)).is_some());

        let pay = row(Operation::Pay, RowState::Approved);
        assert_eq!(
            tip_card("42", &pay, None),
            Ok(("6274000000000014".into(), EntryType::B))
        );
        assert!(tip_card("42", &pay, Some("6274000000000022")).is_err());
        let mut scrubbed = pay.clone();
        scrubbed.body = br#"{"accountId":"**** **** 0014"}"#.to_vec();
        assert!(
            tip_card("42", &scrubbed, None)
                .unwrap_err()
                .contains("tip window")
        );
        assert_eq!(
            tip_card("42", &scrubbed, Some("6274000000000014")),
            Ok(("6274000000000014".into(), EntryType::B))
        );
        assert!(tip_card("42", &scrubbed, Some("6274000000009999")).is_err());
    }
}
