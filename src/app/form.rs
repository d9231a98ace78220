//! The cashier's form: which fields an operation shows, what each accepts as it is typed,
//! the message beside each field, and the `TillRequest` a valid form becomes.

use std::collections::HashMap;

use tui_input::{Input, InputRequest};

use crate::api::customer::FieldKind;
use crate::api::{
    CustomerField, CustomerInfo, EntryType, Operation, Quantity, TillRequest, luhn_ok,
    validate_account,
};
use crate::money::{Amount, Currency, Points};

/// The longest card number the till accepts (`validate_account`).
pub const CARD_MAX: usize = 40;
const QUANTITY_MAX: usize = 20;
const ORIGINAL_MAX: usize = 40;

/// One focusable place on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    Card,
    /// Points or an amount, depending on the operation.
    Quantity,
    /// The original transaction's checkoutId (void, tip).
    Original,
    /// Top-up's "activate card" toggle.
    Activate,
    /// Pay's "allow partial (NSF)" toggle.
    Nsf,
    Customer(CustomerField),
}

impl FieldId {
    /// Whether printable keys are text for this field (so `q` is a letter, not quit).
    pub fn is_text(self) -> bool {
        match self {
            FieldId::Card | FieldId::Quantity | FieldId::Original => true,
            FieldId::Activate | FieldId::Nsf => false,
            FieldId::Customer(f) => !matches!(f.kind(), FieldKind::Choice(_)),
        }
    }
}

/// What the form needs to know about the till to check amounts and points.
#[derive(Debug, Clone)]
pub struct Limits {
    pub currency: Currency,
    pub max_amount: Amount,
    pub max_points: Points,
}

/// Everything on the form that a request is made from, to tell whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    operation: Operation,
    card: String,
    entry: EntryType,
    quantity: String,
    original: String,
    activate: bool,
    nsf_allowed: bool,
    customer: Vec<String>,
}

/// The form's state: one value per field, the focus, and the messages shown beside fields.
#[derive(Debug, Clone)]
pub struct Form {
    pub operation: Operation,
    pub card: Input,
    pub entry: EntryType,
    pub quantity: Input,
    pub original: Input,
    pub activate: bool,
    pub nsf_allowed: bool,
    pub customer_open: bool,
    /// One input per `CustomerField::ALL` entry, same order.
    pub customer: Vec<Input>,
    pub focus: FieldId,
    /// Blocking problems, set when the cashier leaves a field or submits.
    pub errors: HashMap<FieldId, String>,
    /// Changed since the last submit: a form the cashier has touched since sending is not
    /// cleared under their fingers when the answer comes.
    pub dirty: bool,
    /// The card number is whole: read by a scanner or reader, pasted, or typed and left.
    /// The next digit typed into it starts a new card instead of lengthening this one;
    /// an editing key (arrows, Backspace) opens it for correction.
    pub card_complete: bool,
}

impl Form {
    pub fn new(operation: Operation) -> Self {
        let mut form = Self {
            operation,
            card: Input::default(),
            entry: EntryType::K,
            quantity: Input::default(),
            original: Input::default(),
            activate: false,
            nsf_allowed: false,
            customer_open: false,
            customer: CustomerField::ALL
                .iter()
                .map(|_| Input::default())
                .collect(),
            focus: FieldId::Card,
            errors: HashMap::new(),
            dirty: true,
            card_complete: false,
        };
        form.focus = form.first_field();
        form
    }

    pub fn values(&self) -> Values {
        Values {
            operation: self.operation,
            card: self.card.value().to_owned(),
            entry: self.entry,
            quantity: self.quantity.value().to_owned(),
            original: self.original.value().to_owned(),
            activate: self.activate,
            nsf_allowed: self.nsf_allowed,
            customer: self.customer.iter().map(|i| i.value().to_owned()).collect(),
        }
    }

    /// Empties every field for the next customer; the operation stays.
    pub fn clear(&mut self) {
        *self = Form::new(self.operation);
    }

    /// Switches operation, keeping only the card (scan first, pick the operation after):
    /// nothing typed for one operation is ever sent by another.
    pub fn set_operation(&mut self, op: Operation) {
        let mut next = Form::new(op);
        next.card = std::mem::take(&mut self.card);
        next.entry = self.entry;
        next.card_complete = self.card_complete;
        if let Some(problem) = self.errors.remove(&FieldId::Card)
            && next.fields().contains(&FieldId::Card)
        {
            next.errors.insert(FieldId::Card, problem);
        }
        *self = next;
    }

    /// The first field after the card that the operation still needs filled in, if any.
    pub fn first_needed(&self, limits: &Limits) -> Option<FieldId> {
        self.fields()
            .into_iter()
            .filter(|f| matches!(f, FieldId::Quantity | FieldId::Original))
            .find(|f| self.field_error(*f, limits).is_some())
    }

    pub fn has_customer(&self) -> bool {
        matches!(self.operation, Operation::TopUp | Operation::Activate)
    }

    fn first_field(&self) -> FieldId {
        self.fields()[0]
    }

    /// The focus order for the current operation.
    pub fn fields(&self) -> Vec<FieldId> {
        let op = self.operation;
        let mut fields = Vec::with_capacity(24);
        match op {
            Operation::Void => fields.push(FieldId::Original),
            _ => {
                fields.push(FieldId::Card);
                if op.quantity() != Quantity::None {
                    fields.push(FieldId::Quantity);
                }
                if op.needs_original() {
                    fields.push(FieldId::Original);
                }
            }
        }
        match op {
            Operation::TopUp => fields.push(FieldId::Activate),
            Operation::Pay => fields.push(FieldId::Nsf),
            _ => {}
        }
        if self.has_customer() && self.customer_open {
            fields.extend(CustomerField::ALL.iter().map(|f| FieldId::Customer(*f)));
        }
        fields
    }

    /// Moves the focus forward or back, checking the field being left.
    pub fn move_focus(&mut self, forward: bool, limits: &Limits) {
        let fields = self.fields();
        let pos = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = if forward {
            (pos + 1) % fields.len()
        } else {
            (pos + fields.len() - 1) % fields.len()
        };
        self.focus_field(fields[next], limits);
    }

    /// Puts the focus on `field`, checking the one being left. A good card number that is
    /// left is complete: typing into it again starts a new one.
    pub fn focus_field(&mut self, field: FieldId, limits: &Limits) {
        if field != self.focus {
            self.check_field(self.focus, limits);
            if self.focus == FieldId::Card
                && !self.card.value().is_empty()
                && !self.errors.contains_key(&FieldId::Card)
            {
                self.card_complete = true;
            }
            self.focus = field;
        }
    }

    pub fn toggle_customer(&mut self, limits: &Limits) {
        if !self.has_customer() {
            return;
        }
        if self.customer_open && matches!(self.focus, FieldId::Customer(_)) {
            self.check_field(self.focus, limits);
            self.focus = self.first_field();
        }
        self.customer_open = !self.customer_open;
        if self.customer_open {
            self.check_field(self.focus, limits);
            self.focus = FieldId::Customer(CustomerField::ALL[0]);
        }
    }

    pub fn customer_input(&self, field: CustomerField) -> &Input {
        &self.customer[customer_index(field)]
    }

    pub fn customer_value(&self, field: CustomerField) -> &str {
        self.customer_input(field).value()
    }

    fn input_mut(&mut self, field: FieldId) -> Option<&mut Input> {
        match field {
            FieldId::Card => Some(&mut self.card),
            FieldId::Quantity => Some(&mut self.quantity),
            FieldId::Original => Some(&mut self.original),
            FieldId::Customer(f) => Some(&mut self.customer[customer_index(f)]),
            FieldId::Activate | FieldId::Nsf => None,
        }
    }

    /// Replaces the card number (scan, swipe, paste) and records how it arrived.
    pub fn set_card(&mut self, account: &str, entry: EntryType) {
        let digits: String = account
            .chars()
            .filter(char::is_ascii_digit)
            .take(CARD_MAX)
            .collect();
        self.card_complete = !digits.is_empty();
        self.card = Input::new(digits);
        self.entry = entry;
        self.errors.remove(&FieldId::Card);
        self.dirty = true;
    }

    /// A tip with no card typed: the worker takes the card from the journaled sale.
    pub fn tip_card_from_sale(&self) -> bool {
        self.operation == Operation::Tip
            && self.card.value().is_empty()
            && !self.original.value().trim().is_empty()
    }

    pub fn set_original(&mut self, checkout_id: &str) {
        self.original = Input::new(checkout_id.chars().take(ORIGINAL_MAX).collect());
        self.errors.remove(&FieldId::Original);
        self.dirty = true;
    }

    /// Fills first and last name from a magstripe name (`First Middle Last`).
    pub fn accept_name(&mut self, name: &str) {
        let mut words: Vec<&str> = name.split_whitespace().collect();
        let last = words.pop().unwrap_or_default();
        let first = words.join(" ");
        self.customer[customer_index(CustomerField::FirstName)] = Input::new(first);
        self.customer[customer_index(CustomerField::LastName)] = Input::new(last.to_owned());
        self.dirty = true;
    }

    /// A printable character typed into the focused field. Returns a message when the
    /// character was refused (e.g. a letter in the card number).
    pub fn type_char(&mut self, c: char, limits: &Limits) -> Option<&'static str> {
        let field = self.focus;
        match field {
            FieldId::Activate | FieldId::Nsf => {
                let slot = if field == FieldId::Activate {
                    &mut self.activate
                } else {
                    &mut self.nsf_allowed
                };
                match c.to_ascii_lowercase() {
                    ' ' => *slot = !*slot,
                    'y' => *slot = true,
                    'n' => *slot = false,
                    _ => return Some("Space, Y or N switches this"),
                }
                self.dirty = true;
                None
            }
            FieldId::Customer(f) => {
                if let FieldKind::Choice(choices) = f.kind() {
                    self.pick_choice(f, choices, c)
                } else {
                    let accepted = accept_customer_char(f, c);
                    let input = &mut self.customer[customer_index(f)];
                    match accepted {
                        Some(c) if input.value().chars().count() < customer_max(f) => {
                            input.handle(InputRequest::InsertChar(c));
                            self.after_edit(field, limits);
                            None
                        }
                        Some(_) => Some("that field is full"),
                        None => Some(customer_refusal(f)),
                    }
                }
            }
            FieldId::Card => {
                if !c.is_ascii_digit() {
                    return Some("the card number is digits only");
                }
                if self.card_complete {
                    // A new card: the old number goes, whole.
                    self.card = Input::default();
                    self.card_complete = false;
                    self.errors.remove(&FieldId::Card);
                }
                if self.card.value().len() >= CARD_MAX {
                    return Some("the card number is at most 40 digits");
                }
                if self.card.value().is_empty() {
                    // A new number typed by hand: whatever badge a scan left is wrong now.
                    self.entry = EntryType::K;
                }
                self.card.handle(InputRequest::InsertChar(c));
                self.after_edit(field, limits);
                None
            }
            FieldId::Quantity | FieldId::Original => {
                let (len, max) = if field == FieldId::Quantity {
                    (self.quantity.value().chars().count(), QUANTITY_MAX)
                } else {
                    (self.original.value().chars().count(), ORIGINAL_MAX)
                };
                if c.is_control() || (field == FieldId::Original && c == ' ') {
                    return None;
                }
                if len >= max {
                    return Some("that field is full");
                }
                if let Some(input) = self.input_mut(field) {
                    input.handle(InputRequest::InsertChar(c));
                }
                self.after_edit(field, limits);
                None
            }
        }
    }

    fn pick_choice(
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

    /// Editing keys other than printable characters (Backspace, arrows...). Returns whether
    /// the key was used.
    pub fn edit(&mut self, request: InputRequest, limits: &Limits) -> bool {
        let field = self.focus;
        if let FieldId::Customer(f) = field
            && matches!(f.kind(), FieldKind::Choice(_))
        {
            if matches!(
                request,
                InputRequest::DeletePrevChar | InputRequest::DeleteNextChar
            ) {
                self.customer[customer_index(f)].reset();
                self.errors.remove(&field);
                self.dirty = true;
                return true;
            }
            return false;
        }
        if field == FieldId::Card {
            // Editing a read or finished number: the cashier is correcting it.
            self.card_complete = false;
        }
        let Some(input) = self.input_mut(field) else {
            return false;
        };
        let changed = input.handle(request).is_some_and(|r| r.value);
        if changed {
            self.after_edit(field, limits);
        }
        true
    }

    /// After a change: a field that already shows a problem is re-checked as it is typed,
    /// so the message goes away the moment it is fixed.
    fn after_edit(&mut self, field: FieldId, limits: &Limits) {
        self.dirty = true;
        if self.errors.contains_key(&field) {
            self.check_field(field, limits);
        }
    }

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

    fn field_error(&self, field: FieldId, limits: &Limits) -> Option<String> {
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

    fn request(&self, limits: &Limits) -> TillRequest {
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

pub fn customer_index(field: CustomerField) -> usize {
    CustomerField::ALL
        .iter()
        .position(|f| *f == field)
        .expect("every field is in ALL")
}

fn customer_max(field: CustomerField) -> usize {
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
fn accept_customer_char(field: CustomerField, c: char) -> Option<char> {
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

fn customer_refusal(field: CustomerField) -> &'static str {
    match field.kind() {
        FieldKind::Date => "dates are digits: YYYYMMDD",
        FieldKind::Country => "a country is two letters, e.g. US",
        FieldKind::Phone => "a phone is +, digits, spaces and x",
        FieldKind::Email => "an e-mail address has no spaces",
        FieldKind::Postal => "letters, digits, spaces or dashes",
        FieldKind::Text { .. } | FieldKind::Choice(_) => "not allowed here",
    }
}
