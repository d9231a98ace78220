//! Typing a staff id and PIN: the sign-on screen, the locked screen and the manager's
//! approval share this form. The PIN is kept only until it is handed to the worker, never
//! drawn (the screen shows one dot per digit) and never printed by `Debug`.
//!
//! Keys reach this form straight from the terminal, never through the scanner: a PIN typed
//! fast would otherwise look like a scan, and a scan's digits are put on screen.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent};

use super::keys::{self, Action, Context};
use super::screen::Screen;
use super::{App, Effect, overlays, staff};
use crate::journal::{PIN_MAX_DIGITS, Pin, Refusal, SignOnRefusal, canonical_id};
use crate::worker::{Command, RequestId, SignOnAnswer};

/// PIN digits as typed.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct PinDigits(String);

impl fmt::Debug for PinDigits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PinDigits({} digits)", self.0.len())
    }
}

impl PinDigits {
    /// How many digits are typed (what the screen shows, as dots).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn push(&mut self, c: char) -> bool {
        let fits = c.is_ascii_digit() && self.0.len() < PIN_MAX_DIGITS;
        if fits {
            self.0.push(c);
        }
        fits
    }

    fn pop(&mut self) {
        self.0.pop();
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    /// The PIN to check, taken out of the form (nothing typed stays behind).
    fn take(&mut self) -> Option<Pin> {
        Pin::parse(&std::mem::take(&mut self.0)).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    #[default]
    Id,
    Pin,
}

/// What the form has to say about the last attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// From the journal: wrong PIN (tries left), locked (until when), no such id.
    Sign(SignOnRefusal),
    /// The engine refused a request because of who was signed on.
    Refused(Refusal),
    /// Approving needs a manager, and this member is not one.
    NotAManager(String),
    /// The PIN could not be checked at all.
    Failed(String),
    IdNeeded,
    /// What was typed is not 4 to 8 digits.
    PinShape,
    /// A character an id or PIN cannot have.
    NotTypable(Field),
}

/// A staff id and PIN being typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignOnForm {
    pub id: String,
    pub pin: PinDigits,
    pub focus: Field,
    /// A check is with the worker: its ticket.
    pub checking: Option<RequestId>,
    pub problem: Option<Problem>,
}

/// What a key did to the form.
pub enum Typed {
    Nothing,
    /// Enter with an id and a PIN of the right shape: check them.
    Check(Command),
}

impl SignOnForm {
    /// The locked screen: the member signed on, their PIN asked for.
    pub fn unlock(id: &str) -> SignOnForm {
        SignOnForm {
            id: id.to_owned(),
            focus: Field::Pin,
            ..SignOnForm::default()
        }
    }

    /// One key, as the key table reads it in `context`. Printable keys are typed.
    pub fn on_key(
        &mut self,
        app_ticket: impl FnOnce() -> RequestId,
        context: Context,
        key: &KeyEvent,
    ) -> Typed {
        if self.checking.is_some() {
            // The answer is seconds away at most; nothing typed meanwhile can be meant for
            // the check under way.
            return Typed::Nothing;
        }
        let action = keys::action(context, key);
        match action {
            Some(Action::SignOn) => return self.enter(app_ticket),
            Some(Action::NextField | Action::PrevField) => self.switch(),
            Some(Action::DeleteField) => self.clear_field(),
            Some(Action::Edit) => match self.focus {
                Field::Id => {
                    self.id.pop();
                }
                Field::Pin => self.pin.pop(),
            },
            Some(Action::Clear) => {
                self.pin.clear();
                self.problem = None;
            }
            _ => {
                if let KeyCode::Char(c) = key.code
                    && !key
                        .modifiers
                        .intersects(crossterm::event::KeyModifiers::CONTROL)
                    && !key
                        .modifiers
                        .intersects(crossterm::event::KeyModifiers::ALT)
                {
                    self.type_char(c);
                }
            }
        }
        Typed::Nothing
    }

    fn type_char(&mut self, c: char) {
        let typed = match self.focus {
            Field::Id => {
                // What the journal takes as an id, checked as it grows (letters, digits,
                // - and _, up to 16).
                let fits = !c.is_whitespace() && canonical_id(&format!("{}{c}", self.id)).is_ok();
                if fits {
                    self.id.push(c);
                }
                fits
            }
            Field::Pin => self.pin.push(c),
        };
        self.problem = if typed {
            None
        } else {
            Some(Problem::NotTypable(self.focus))
        };
    }

    fn switch(&mut self) {
        self.focus = match self.focus {
            Field::Id => Field::Pin,
            Field::Pin => Field::Id,
        };
    }

    fn clear_field(&mut self) {
        match self.focus {
            Field::Id => self.id.clear(),
            Field::Pin => self.pin.clear(),
        }
    }

    /// Enter: on the id, on to the PIN; on the PIN, the check (its digits leave the form).
    fn enter(&mut self, ticket: impl FnOnce() -> RequestId) -> Typed {
        if self.id.trim().is_empty() || canonical_id(&self.id).is_err() {
            self.focus = Field::Id;
            self.problem = Some(Problem::IdNeeded);
            return Typed::Nothing;
        }
        if self.focus == Field::Id && self.pin.is_empty() {
            self.focus = Field::Pin;
            self.problem = None;
            return Typed::Nothing;
        }
        let Some(pin) = self.pin.take() else {
            self.focus = Field::Pin;
            self.problem = Some(Problem::PinShape);
            return Typed::Nothing;
        };
        let ticket = ticket();
        self.checking = Some(ticket);
        self.problem = None;
        Typed::Check(Command::SignOn {
            ticket,
            id: self.id.clone(),
            pin,
        })
    }

    /// Drops the PIN digits typed so far.
    pub fn forget_pin(&mut self) {
        self.pin.clear();
    }

    /// The check came back refused or failed: say why, ready for the next try. An id that is
    /// not a staff member's is cleared too: it may have been a PIN typed in the wrong place.
    pub fn refused(&mut self, problem: Problem) {
        self.checking = None;
        self.pin.clear();
        if matches!(problem, Problem::Sign(SignOnRefusal::UnknownId)) {
            self.id.clear();
            self.focus = Field::Id;
        } else {
            self.focus = Field::Pin;
        }
        self.problem = Some(problem);
    }
}

/// A key on the sign-on or the locked screen (straight from the terminal). Nothing here
/// reaches the till behind it; on the sign-on screen Ctrl+Q still quits.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.overlay == overlays::Overlay::ConfirmQuit {
        return overlays::on_key(app, key);
    }
    let context = app.context();
    if keys::action(context, &key) == Some(Action::Quit) {
        return overlays::quit::request(app);
    }
    let mut next = app.next_id;
    let typed = match &mut app.screen {
        Screen::SignOn(form) | Screen::Locked(form) => form.on_key(
            || {
                next += 1;
                next - 1
            },
            context,
            &key,
        ),
        Screen::Till => Typed::Nothing,
    };
    app.next_id = next;
    match typed {
        Typed::Check(command) => vec![Effect::Worker(command)],
        Typed::Nothing => Vec::new(),
    }
}

/// The worker's answer to a PIN check: for the sign-on or locked screen, or the manager
/// approval, whichever is waiting for that ticket (an answer nobody waits for any more, say
/// after Esc, is dropped: nothing is done with it).
pub(super) fn answered(app: &mut App, ticket: RequestId, answer: SignOnAnswer) -> Vec<Effect> {
    if let Screen::SignOn(form) | Screen::Locked(form) = &mut app.screen
        && form.checking == Some(ticket)
    {
        return match answer {
            SignOnAnswer::SignedOn(who) => staff::signed_on(app, *who),
            SignOnAnswer::Refused(r) => {
                form.refused(Problem::Sign(r));
                Vec::new()
            }
            SignOnAnswer::Failed(e) => {
                form.refused(Problem::Failed(e));
                Vec::new()
            }
        };
    }
    overlays::approval::answered(app, ticket, answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn press(form: &mut SignOnForm, code: KeyCode) -> Typed {
        form.on_key(
            || 7,
            Context::SignOn,
            &KeyEvent::new(code, KeyModifiers::NONE),
        )
    }

    fn type_str(form: &mut SignOnForm, text: &str) {
        for c in text.chars() {
            press(form, KeyCode::Char(c));
        }
    }

    #[test]
    fn enter_moves_from_the_id_to_the_pin_then_checks_and_forgets_the_digits() {
        let mut form = SignOnForm::default();
        type_str(&mut form, "bob");
        assert!(matches!(press(&mut form, KeyCode::Enter), Typed::Nothing));
        assert_eq!(form.focus, Field::Pin);
        type_str(&mut form, "2718");
        assert_eq!(form.pin.len(), 4);
        let Typed::Check(Command::SignOn { ticket, id, pin }) = press(&mut form, KeyCode::Enter)
        else {
            panic!("Enter with an id and a PIN checks them");
        };
        assert_eq!((ticket, id.as_str()), (7, "bob"));
        assert_eq!(pin, Pin::parse("2718").unwrap());
        assert!(form.pin.is_empty(), "the digits left with the command");
        assert_eq!(form.checking, Some(7));
        assert!(
            matches!(press(&mut form, KeyCode::Char('1')), Typed::Nothing) && form.pin.is_empty(),
            "nothing is typed while the check is under way"
        );
    }

    #[test]
    fn a_pin_is_digits_only_and_never_in_debug() {
        let mut form = SignOnForm::unlock("bob");
        type_str(&mut form, "12a");
        assert_eq!(form.pin.len(), 2);
        assert_eq!(form.problem, Some(Problem::NotTypable(Field::Pin)));
        type_str(&mut form, "345678999");
        assert_eq!(form.pin.len(), PIN_MAX_DIGITS, "no more than 8 digits");
        let debug = format!("{form:?}");
        assert!(!debug.contains("1234"), "{debug}");
    }

    #[test]
    fn a_short_pin_or_no_id_is_not_sent() {
        let mut form = SignOnForm::default();
        press(&mut form, KeyCode::Tab);
        type_str(&mut form, "1234");
        assert!(matches!(press(&mut form, KeyCode::Enter), Typed::Nothing));
        assert_eq!(
            (form.focus, form.problem.clone()),
            (Field::Id, Some(Problem::IdNeeded))
        );
        type_str(&mut form, "ann");
        press(&mut form, KeyCode::Tab);
        press(&mut form, KeyCode::Backspace);
        assert!(matches!(press(&mut form, KeyCode::Enter), Typed::Nothing));
        assert_eq!(form.problem, Some(Problem::PinShape));
        assert!(form.pin.is_empty(), "a wrong-shaped PIN is not kept either");
    }

    #[test]
    fn an_unknown_id_is_cleared_in_case_it_was_a_pin() {
        let mut form = SignOnForm::default();
        type_str(&mut form, "48151623");
        form.checking = Some(1);
        form.refused(Problem::Sign(SignOnRefusal::UnknownId));
        assert_eq!((form.id.as_str(), form.focus), ("", Field::Id));
        let mut form = SignOnForm::unlock("bob");
        form.refused(Problem::Sign(SignOnRefusal::WrongPin {
            id: "bob".into(),
            attempts_left: 4,
        }));
        assert_eq!((form.id.as_str(), form.focus), ("bob", Field::Pin));
        assert_eq!(form.checking, None);
    }
}
