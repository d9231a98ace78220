//! The cashier's form: which fields an operation shows, what each accepts as it is typed,
//! the message beside each field, and the `TillRequest` a valid form becomes.

mod check;
mod customer;

use std::collections::HashMap;

use tui_input::{Input, InputRequest};

use crate::api::customer::FieldKind;
use crate::api::{CustomerField, EntryType, Operation, Quantity};

use crate::money::{Amount, Currency, Points};
pub use customer::customer_index;
use customer::{accept_customer_char, customer_max, customer_refusal};

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

    /// The first field, card included, that still stops the form from being sent.
    pub fn first_missing(&self, limits: &Limits) -> Option<FieldId> {
        self.fields()
            .into_iter()
            .filter(|f| matches!(f, FieldId::Card | FieldId::Quantity | FieldId::Original))
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
}
