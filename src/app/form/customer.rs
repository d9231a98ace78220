//! What the customer fields accept as they are typed.

use tui_input::Input;

use super::{FieldId, Form};
use crate::api::CustomerField;
use crate::api::customer::FieldKind;

impl Form {
    pub(super) fn pick_choice(
        &mut self,
        field: CustomerField,
        choices: &[(&str, &str)],
        c: char,
    ) -> Option<&'static str> {
        let input = &mut self.customer[customer_index(field)];
        let current = input.value().to_owned();
        let picked = if c == ' ' {
            // Space cycles: empty -> first -> ... -> last -> empty.
            let pos = choices.iter().position(|(code, _)| *code == current);
            match pos {
                None => Some(choices[0].0),
                Some(i) if i + 1 < choices.len() => Some(choices[i + 1].0),
                Some(_) => Some(""),
            }
        } else {
            choices
                .iter()
                .find(|(code, _)| code.eq_ignore_ascii_case(&c.to_string()))
                .map(|(code, _)| *code)
        };
        match picked {
            Some(code) => {
                *input = Input::new(code.to_owned());
                self.errors.remove(&FieldId::Customer(field));
                self.dirty = true;
                None
            }
            None => Some("press one of the listed keys, or Space"),
        }
    }
}

pub fn customer_index(field: CustomerField) -> usize {
    CustomerField::ALL
        .iter()
        .position(|f| *f == field)
        .expect("every field is in ALL")
}

pub(super) fn customer_max(field: CustomerField) -> usize {
    match field.kind() {
        FieldKind::Text { max_len } => max_len,
        FieldKind::Date => 8,
        FieldKind::Country => 2,
        FieldKind::Postal => 10,
        FieldKind::Phone => 25,
        FieldKind::Email => 254,
        FieldKind::Choice(_) => 1,
    }
}

/// Filters a typed character for a customer field; `None` refuses it.
pub(super) fn accept_customer_char(field: CustomerField, c: char) -> Option<char> {
    if c.is_control() {
        return None;
    }
    match field.kind() {
        FieldKind::Date => c.is_ascii_digit().then_some(c),
        // Country codes are upper case; save the cashier the Shift key.
        FieldKind::Country => c.is_ascii_alphabetic().then(|| c.to_ascii_uppercase()),
        FieldKind::Phone => (c.is_ascii_digit() || matches!(c, '+' | ' ' | 'x' | 'X')).then_some(c),
        FieldKind::Email => (!c.is_whitespace()).then_some(c),
        FieldKind::Postal => (c.is_ascii_alphanumeric() || matches!(c, ' ' | '-')).then_some(c),
        FieldKind::Text { .. } | FieldKind::Choice(_) => Some(c),
    }
}

pub(super) fn customer_refusal(field: CustomerField) -> &'static str {
    match field.kind() {
        FieldKind::Date => "dates are digits: YYYYMMDD",
        FieldKind::Country => "a country is two letters, e.g. US",
        FieldKind::Phone => "a phone is +, digits, spaces and x",
        FieldKind::Email => "an e-mail address has no spaces",
        FieldKind::Postal => "letters, digits, spaces or dashes",
        FieldKind::Text { .. } | FieldKind::Choice(_) => "not allowed here",
    }
}
