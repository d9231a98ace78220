//! Pure application state and update (Elm style): no I/O, no terminal, no clock.
//!
//! Terminal and worker events arrive as [`Msg`]s stamped with a monotonic time; [`update`]
//! changes the [`App`] and returns the [`Effect`]s the runtime must carry out.

mod events;
pub mod form;
pub mod history;
mod input;
pub mod keys;
pub mod magstripe;
pub mod overlays;
pub mod printing;
pub mod recovery;
pub mod scanner;
pub mod screen;
pub mod sign_on;
pub mod staff;
pub mod status;
mod submit;
mod till_keys;

use crossterm::event::KeyEventKind;
use time::OffsetDateTime;

use crate::api::{Operation, TillRequest};
use crate::config::{Config, Mode};
use crate::receipt::Issuer;
use crate::worker::{Command, Connection, Event, RequestId};

use form::{Form, Limits};
use history::{History, PAGE};
use keys::Context;
pub use overlays::Overlay;
use printing::{LastReceipt, PrinterView};
use recovery::Recovery;
use scanner::Scanner;
use screen::{Fit, Screen};
use staff::Staff;
use status::StatusView;

pub use staff::closing;

/// Something that happened, with the time it happened (ms since the till started).
// A worker event (a history row with its cashier) is the big one; messages are moved once
// each, a few per second, so boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key {
        key: crossterm::event::KeyEvent,
        at_ms: u64,
    },
    /// A bracketed paste.
    Paste {
        text: String,
        at_ms: u64,
    },
    /// Time passed: spinners, elapsed seconds, the scanner's quiet time.
    Tick {
        at_ms: u64,
    },
    Resize {
        w: u16,
        h: u16,
    },
    /// The wall clock at a monotonic instant, so journal times (wall clock) can be compared
    /// with the monotonic times on the other messages. The runtime sends it at start and
    /// with every batch of events.
    WallClock {
        at_ms: u64,
        now: OffsetDateTime,
    },
    Worker(Event),
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Worker(Command),
    Quit,
}

/// Where keys go when no window is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Form,
    History,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
    Error,
}

/// How long a notice stays true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lasts {
    /// Until the next key.
    NextKey,
    /// Until the next key or the end of the request in flight ("already sending…").
    WhileSending,
}

/// A message about the last key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub tone: Tone,
    pub lasts: Lasts,
}

/// The wall clock at one monotonic instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    pub at_ms: u64,
    pub now: OffsetDateTime,
}

impl WallClock {
    /// The wall clock at monotonic `ms`.
    pub fn at(&self, ms: u64) -> OffsetDateTime {
        let delta = i64::try_from(ms).unwrap_or(i64::MAX) - i64::try_from(self.at_ms).unwrap_or(0);
        self.now + time::Duration::milliseconds(delta)
    }
}

/// Everything the screen shows.
#[derive(Debug, Clone)]
pub struct App {
    pub screen: Screen,
    /// Who is signed on, and what needs a manager (nothing while the till has no staff).
    pub staff: Staff,
    pub mode: Mode,
    pub store_name: String,
    pub till_id: String,
    pub channel: String,
    pub limits: Limits,
    pub connection: Connection,
    pub form: Form,
    pub focus: Focus,
    pub status: StatusView,
    pub history: History,
    pub overlay: Overlay,
    pub notice: Option<Notice>,
    /// A problem the worker reported (e.g. the journal failed); stays until Esc.
    pub problem: Option<String>,
    /// The store's central database, when this till has one (`None`: stands alone, or
    /// not heard from yet).
    pub store: Option<crate::store::background::SyncStatus>,
    /// The cardholder name from the last swipe, offered for the customer info.
    pub name_offer: Option<String>,
    pub recovery: Recovery,
    /// The last approved operation's receipt, as a model.
    pub receipt: Option<LastReceipt>,
    pub issuer: Issuer,
    /// A receipts directory is configured, so receipts can be saved for a spooler.
    pub receipts_enabled: bool,
    pub printer: PrinterView,
    /// The same operation, card and amount again within this many seconds asks first.
    pub duplicate_window_s: u64,
    pub now_ms: u64,
    /// The wall clock, once the runtime has said what it is.
    pub wall: Option<WallClock>,
    /// The terminal's size; (0, 0) until the runtime reports it.
    pub size: (u16, u16),
    /// A key or a paste has arrived since the till started.
    pub touched: bool,
    /// A request checked at Enter in the same update that changed the form (keys released
    /// by the scanner with the Enter, or a scan that submits): it goes out on the next tick,
    /// after the screen has shown the form it was made from.
    pub deferred: Option<Box<TillRequest>>,
    /// The form as it was when the current update began.
    form_before: Option<form::Values>,
    scanner: Scanner,
    next_id: RequestId,
}

impl App {
    /// Builds the screen state from the configuration. Only what the cashier should see is
    /// copied: never the client secret or the jwt-token.
    pub fn new(config: &Config) -> App {
        App {
            screen: Screen::Till,
            staff: Staff::new(config),
            mode: config.mode,
            store_name: config.store_name.clone(),
            till_id: config.till_id.clone(),
            channel: config.channel.clone(),
            limits: Limits {
                currency: config.currency.clone(),
                max_amount: config.max_amount,
                max_points: config.max_points,
            },
            connection: Connection::default(),
            form: Form::new(Operation::IssuePoints),
            focus: Focus::Form,
            status: StatusView::Ready,
            history: History::default(),
            overlay: Overlay::None,
            notice: None,
            problem: None,
            store: None,
            name_offer: None,
            recovery: Recovery::default(),
            receipt: None,
            issuer: Issuer {
                store: config.store_name.clone(),
                till_id: config.till_id.clone(),
                currency: config.currency.code().to_owned(),
            },
            receipts_enabled: config.receipts_dir.is_some(),
            printer: PrinterView::new(config),
            duplicate_window_s: config.duplicate_window.as_secs(),
            now_ms: 0,
            wall: None,
            size: (0, 0),
            touched: false,
            deferred: None,
            form_before: None,
            scanner: Scanner::new(&config.scanner),
            next_id: 1,
        }
    }

    /// The till has staff (the journal says so at start): the screen opens on sign-on.
    pub fn with_staff(mut self, has_staff: bool) -> App {
        if has_staff {
            staff::require_sign_on(&mut self);
        }
        self
    }

    pub fn in_flight(&self) -> bool {
        self.status.in_flight().is_some()
    }

    /// Who has the keys right now.
    pub fn context(&self) -> Context {
        match (&self.screen, self.overlay.context()) {
            (Screen::Locked(_), _) => Context::Locked,
            (Screen::SignOn(_), Some(Context::Quit)) => Context::Quit,
            (Screen::SignOn(_), _) => Context::SignOn,
            (Screen::Till, Some(context)) => context,
            (Screen::Till, None) => match self.focus {
                Focus::Form => Context::Form,
                Focus::History => Context::History,
            },
        }
    }

    /// How the screen fits the terminal; a size not reported yet counts as roomy.
    pub fn fit(&self) -> Fit {
        match self.size {
            (0, 0) => Fit::Full,
            (w, h) => Fit::of(w, h),
        }
    }

    /// When the runtime should send the next `Tick`: every 100 ms while a request is in
    /// flight (spinner, elapsed time), when the scanner's quiet time runs out, at once
    /// when a window that opened by itself needs to know when it was first on screen, and
    /// when the till screen is due to lock itself.
    pub fn next_deadline(&self) -> Option<u64> {
        let till = self.screen == Screen::Till;
        let spinner = self.in_flight().then(|| (self.now_ms / 100 + 1) * 100);
        // A window waiting for the till screen (the recovery offer) waits without ticking.
        let unseen = (till && (self.overlay.waits_to_be_seen() || self.recovery.offer_due))
            .then_some(self.now_ms);
        let deferred = self.deferred.is_some().then_some(self.now_ms);
        let lock = self.staff.lock_due_at().filter(|_| till);
        [
            spinner,
            self.scanner.next_deadline(),
            unseen,
            deferred,
            lock,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.notice = Some(Notice {
            text: text.into(),
            tone,
            lasts: Lasts::NextKey,
        });
    }

    fn say_while_sending(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            tone: Tone::Warning,
            lasts: Lasts::WhileSending,
        });
    }

    /// The form changed during this update: anything sent now would not have been on
    /// screen yet.
    fn form_changed_unseen(&self) -> bool {
        self.form_before
            .as_ref()
            .is_some_and(|before| *before != self.form.values())
    }

    fn next_request_id(&mut self) -> RequestId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

/// What the runtime asks for when the screen opens: the newest history, and the requests
/// left without an outcome (the recovery window opens by itself if there are any and the
/// cashier has not started typing).
pub fn start(app: &mut App) -> Vec<Effect> {
    app.history.loading = true;
    vec![
        Effect::Worker(Command::LoadHistory {
            before: None,
            limit: PAGE,
        }),
        Effect::Worker(Command::LoadOpenRows),
    ]
}

/// The one way state changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    app.form_before = Some(app.form.values());
    let effects = step(app, msg);
    app.form_before = None;
    effects
}

fn step(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key { key, at_ms } => {
            if key.kind != KeyEventKind::Press {
                return Vec::new();
            }
            app.now_ms = app.now_ms.max(at_ms);
            app.notice = None;
            app.touched = true;
            staff::input_at(app, at_ms);
            input::on_key(app, key, at_ms)
        }
        Msg::Paste { text, at_ms } => {
            app.now_ms = app.now_ms.max(at_ms);
            app.notice = None;
            app.touched = true;
            staff::input_at(app, at_ms);
            input::on_paste(app, &text)
        }
        Msg::Tick { at_ms } => {
            app.now_ms = app.now_ms.max(at_ms);
            staff::lock_if_idle(app, at_ms);
            if app.screen == Screen::Till {
                app.overlay.seen_at(at_ms);
            }
            input::on_tick(app, at_ms)
        }
        Msg::Resize { w, h } => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::WallClock { at_ms, now } => {
            app.wall = Some(WallClock { at_ms, now });
            Vec::new()
        }
        Msg::Worker(event) => events::on_worker(app, event),
    }
}

#[cfg(test)]
mod tests;
