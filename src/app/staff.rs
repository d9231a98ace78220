//! Who is signed on at the screen, what needs a manager on top of them, and when the
//! screen locks itself. Pure decisions: the journal checks them again with the row.
//!
//! With no staff, nothing here applies: nobody signs on, nothing locks, nothing asks for a
//! manager (the demo and a first run work as they always did).

use super::screen::Screen;
use super::sign_on::SignOnForm;
use super::status::StatusView;
use super::{App, Effect, Focus, Overlay, Tone};
use crate::api::TillRequest;
use crate::config::Config;
use crate::journal::{Authority, Need, Refusal, Role, SignedOn};
use crate::till::authority::{self, Action};
use crate::worker::{Command, SignOff};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// The till has staff: every request needs someone signed on.
    pub required: bool,
    pub signed_on: Option<SignedOn>,
    /// Money amounts above this (minor units) need a manager; `None`: no limit.
    pub manager_over: Option<i64>,
    /// The screen locks after this long without a key or a paste.
    pub lock_after_ms: u64,
    /// The last key or paste (ms since start): the idle lock counts from it.
    pub last_input_ms: u64,
}

impl Staff {
    pub fn new(config: &Config) -> Staff {
        Staff {
            required: false,
            signed_on: None,
            manager_over: config.staff.manager_over.map(|a| a.minor()),
            lock_after_ms: u64::try_from(config.staff.lock_after.as_millis()).unwrap_or(u64::MAX),
            last_input_ms: 0,
        }
    }

    /// Who acts: the signed-on member, or nobody (enough only while there are no staff).
    pub fn authority(&self) -> Authority {
        self.signed_on
            .clone()
            .map_or_else(Authority::nobody, Authority::cashier)
    }

    pub fn is_manager(&self) -> bool {
        self.signed_on
            .as_ref()
            .is_some_and(|s| s.member().role == Role::Manager)
    }

    /// Whether `action` needs a manager to approve it on top of who is signed on: never
    /// without staff, never for a manager.
    pub fn approval_needed(&self, action: Action) -> bool {
        self.required
            && !self.is_manager()
            && authority::need(action, self.manager_over) == Need::Manager
    }

    /// [`Staff::approval_needed`] for sending `request`.
    pub fn approval_needed_to_send(&self, request: &TillRequest) -> bool {
        self.approval_needed(authority::sending(request))
    }

    /// When the screen locks if no key comes first: only while someone is signed on.
    pub fn lock_due_at(&self) -> Option<u64> {
        self.signed_on
            .as_ref()
            .map(|_| self.last_input_ms.saturating_add(self.lock_after_ms))
    }
}

/// The till's staff, as the journal said at start: with staff the screen opens on the
/// sign-on form.
pub fn require_sign_on(app: &mut App) {
    app.staff.required = true;
    if app.staff.signed_on.is_none() {
        app.screen = Screen::SignOn(Box::default());
    }
}

/// A key or paste at `at_ms`: first the lock, if the till sat idle long enough before it
/// (the key then goes to the lock screen), then the idle time starts again.
pub(super) fn input_at(app: &mut App, at_ms: u64) {
    lock_if_idle(app, at_ms);
    app.staff.last_input_ms = app.staff.last_input_ms.max(at_ms);
}

/// Locks the till screen once it has had no key for the configured time. Nothing else
/// changes: a request in flight, the recovery queue and any open window carry on behind
/// the lock and are there when the same member unlocks it.
pub(super) fn lock_if_idle(app: &mut App, at_ms: u64) {
    if app.screen != Screen::Till {
        return;
    }
    let (Some(due), Some(who)) = (app.staff.lock_due_at(), &app.staff.signed_on) else {
        return;
    };
    if at_ms >= due {
        app.screen = Screen::Locked(Box::new(SignOnForm::unlock(who.id())));
        // A manager's PIN half typed into an approval is not kept behind the lock.
        if let Overlay::Approval(approval) = &mut app.overlay {
            approval.form.forget_pin();
        }
    }
}

/// Ctrl+X: back to the sign-on screen, journaled. Not while a request is out: it must
/// finish (and be journaled) with its cashier's screen still up.
pub(super) fn sign_off(app: &mut App) -> Vec<Effect> {
    if !app.staff.required {
        app.say(
            "nobody signs on at this till: it has no staff (paywizard-till staff add)",
            Tone::Info,
        );
        return Vec::new();
    }
    if app.in_flight() || app.recovery.resending.is_some() {
        app.say_while_sending(
            "a request is being sent: sign off after its answer (it is journaled either way)",
        );
        return Vec::new();
    }
    let Some(who) = app.staff.signed_on.take() else {
        return Vec::new();
    };
    fresh_screen(app);
    app.screen = Screen::SignOn(Box::default());
    vec![Effect::Worker(Command::RecordSignOff {
        who: Box::new(who),
        why: SignOff::ByHand,
    })]
}

/// The next member starts clean: no half-typed form, no window left open by the last one.
/// A request in flight keeps its status pane (its outcome still shows).
pub(super) fn fresh_screen(app: &mut App) {
    app.form.clear();
    app.name_offer = None;
    app.overlay = Overlay::None;
    app.focus = Focus::Form;
    app.deferred = None;
    if !app.in_flight() {
        app.status = StatusView::Ready;
    }
}

/// `who` checked their PIN at the sign-on or lock screen. Journaled as a sign-on unless
/// they are unlocking their own screen; someone else at the lock signs the first off.
pub(super) fn signed_on(app: &mut App, who: SignedOn) -> Vec<Effect> {
    let mut effects = Vec::new();
    let same = app
        .staff
        .signed_on
        .as_ref()
        .is_some_and(|s| s.id() == who.id());
    if !same {
        if let Some(before) = app.staff.signed_on.take() {
            effects.push(Effect::Worker(Command::RecordSignOff {
                who: Box::new(before),
                why: SignOff::Replaced,
            }));
            fresh_screen(app);
        }
        effects.push(Effect::Worker(Command::RecordSignOn(Box::new(who.clone()))));
        // A window that waited for the till screen (the recovery offer) may open now.
        app.touched = false;
    }
    app.staff.signed_on = Some(who);
    app.staff.last_input_ms = app.now_ms;
    app.screen = Screen::Till;
    effects
}

/// The engine refused a request because of who asked: the till gained staff since the
/// screen opened, or the member signed on was removed. Either way, someone must sign on.
pub(super) fn refused(app: &mut App, refusal: Refusal) {
    let gone = match &refusal {
        Refusal::SignOnNeeded => true,
        Refusal::NoLongerStaff(id) => app
            .staff
            .signed_on
            .as_ref()
            .is_some_and(|s| s.id() == id.as_str()),
        Refusal::ManagerNeeded | Refusal::NotAManager(_) => false,
    };
    if !gone {
        return;
    }
    app.staff.required = true;
    app.staff.signed_on = None;
    fresh_screen(app);
    app.screen = Screen::SignOn(Box::new(SignOnForm {
        problem: Some(super::sign_on::Problem::Refused(refusal)),
        ..SignOnForm::default()
    }));
}

/// What the till must journal as it closes: the member signed on signs off.
pub fn closing(app: &mut App) -> Vec<Effect> {
    match app.staff.signed_on.take() {
        Some(who) => vec![Effect::Worker(Command::RecordSignOff {
            who: Box::new(who),
            why: SignOff::Closed,
        })],
        None => Vec::new(),
    }
}
