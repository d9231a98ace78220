//! Checking the form: the message beside each field, the advice about a card number, and
//! the `TillRequest` a valid form becomes.

use super::{FieldId, Form, Limits};
use crate::api::{
    CustomerField, CustomerInfo, Operation, Quantity, TillRequest, luhn_ok, validate_account,
};
use crate::money::{Amount, Points};

impl Form {
    /// Checks one field and records or clears its message.
    pub fn check_field(&mut self, field: FieldId, limits: &Limits) {
        match self.field_error(field, limits) {
            Some(msg) => {
                self.errors.insert(field, msg);
            }
            None => {
                self.errors.remove(&field);
            }
        }
        // A postal code is checked against the country, so re-check it when that changes.
        if field == FieldId::Customer(CustomerField::Country) {
            let postal = FieldId::Customer(CustomerField::Postal);
            if !self.customer_value(CustomerField::Postal).is_empty() {
                self.check_field(postal, limits);
            }
        }
    }

    pub(super) fn field_error(&self, field: FieldId, limits: &Limits) -> Option<String> {
        match field {
            FieldId::Card if self.tip_card_from_sale() => None,
            FieldId::Card => validate_account(self.card.value()).err(),
            FieldId::Quantity => match self.operation.quantity() {
                Quantity::Points => Points::parse(self.quantity.value(), limits.max_points)
                    .err()
                    .map(|e| e.to_string()),
                Quantity::Money => {
                    Amount::parse(self.quantity.value(), &limits.currency, limits.max_amount)
                        .err()
                        .map(|e| e.to_string())
                }
                Quantity::None => None,
            },
            FieldId::Original => {
                let v = self.original.value().trim();
                if v.is_empty() {
                    Some(
                        "enter the original checkoutId (select it in the history, then V or T)"
                            .into(),
                    )
                } else if !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    Some("a checkoutId is letters and digits only".into())
                } else {
                    None
                }
            }
            FieldId::Activate | FieldId::Nsf => None,
            FieldId::Customer(f) => f
                .validate(
                    self.customer_value(f),
                    self.customer_value(CustomerField::Country),
                )
                .err(),
        }
    }

    /// Advice about the card number that does not block sending: gift cards are not always
    /// Luhn-valid, and some are longer or shorter than payment cards.
    pub fn card_warning(&self) -> Option<&'static str> {
        let card = self.card.value();
        if card.len() < 6 || self.errors.contains_key(&FieldId::Card) {
            return None;
        }
        if !(13..=19).contains(&card.len()) {
            Some("unusual length; check the number")
        } else if !luhn_ok(card) {
            Some("check digit fails; check the number")
        } else {
            None
        }
    }

    /// Checks every visible field. On success, the request to send; otherwise every
    /// problem is recorded beside its field and the first bad field is returned.
    pub fn validate(&mut self, limits: &Limits) -> Result<TillRequest, FieldId> {
        let mut fields = self.fields();
        if self.has_customer() && !self.customer_open {
            // Closed does not mean unchecked: what was typed is still sent.
            fields.extend(CustomerField::ALL.iter().map(|f| FieldId::Customer(*f)));
        }
        let mut first_bad = None;
        for field in fields {
            self.check_field(field, limits);
            if first_bad.is_none() && self.errors.contains_key(&field) {
                first_bad = Some(field);
            }
        }
        if let Some(bad) = first_bad {
            if matches!(bad, FieldId::Customer(_)) {
                self.customer_open = true;
            }
            return Err(bad);
        }
        self.card_complete = !self.card.value().is_empty();
        Ok(self.request(limits))
    }

    pub(super) fn request(&self, limits: &Limits) -> TillRequest {
        let op = self.operation;
        let account = if op.needs_account() {
            self.card.value().to_owned()
        } else {
            String::new()
        };
        let mut req = TillRequest::new(op, account);
        req.entry = self.entry;
        match op.quantity() {
            Quantity::Points => {
                req.points = Points::parse(self.quantity.value(), limits.max_points).ok()
            }
            Quantity::Money => {
                req.amount =
                    Amount::parse(self.quantity.value(), &limits.currency, limits.max_amount).ok()
            }
            Quantity::None => {}
        }
        if op.needs_original() {
            req.original_checkout_id = Some(self.original.value().trim().to_owned());
        }
        req.activate = op == Operation::TopUp && self.activate;
        req.nsf_allowed = op == Operation::Pay && self.nsf_allowed;
        if self.has_customer() {
            let info = self.customer_info();
            // Activate always carries customerInfo; top-up only when something was given.
            if op == Operation::Activate || !info.is_empty() {
                req.customer = Some(info);
            }
        }
        req
    }

    pub fn customer_info(&self) -> CustomerInfo {
        let mut info = CustomerInfo::default();
        for (field, input) in CustomerField::ALL.iter().zip(&self.customer) {
            info.set(*field, input.value().to_owned());
        }
        info
    }
}
