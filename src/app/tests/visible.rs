//! Nothing is sent that the screen did not show: random keys, scans, pastes, resizes and
//! worker answers, with the screen drawn after every message as the runtime draws it, and
//! every request that goes to the worker compared with what was on screen when Enter (or
//! the `y` of a question) was pressed, or in the draw right after it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::app::screen::Fit;
use crate::outcome::{HistoryEntry, RowState};

const T0: time::OffsetDateTime = time::macros::datetime!(2026-11-23 10:00:00 UTC);

#[derive(Debug, Clone)]
enum Op {
    Key(KeyCode, KeyModifiers),
    Type(String),
    /// Typed and sent in one rush: keys 20 ms apart, Enter right after.
    Rush(String),
    Scan(String, bool),
    Burst(String),
    Paste(String),
    Resize(u16, u16),
    Wait(u64),
    Answer(u8, bool),
    Stage,
    History(u8),
    OpenRows(u8),
}

fn key_op() -> impl Strategy<Value = Op> {
    let plain = prop_oneof![
        Just(KeyCode::Enter),
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Esc),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Backspace),
        Just(KeyCode::Home),
        (1u8..=9).prop_map(KeyCode::F),
        prop::sample::select(vec![
            'y', 'n', 'q', 'v', 't', 'a', 'r', 'b', 's', ' ', '?', '1', '5'
        ])
        .prop_map(KeyCode::Char),
    ]
    .prop_map(|code| Op::Key(code, KeyModifiers::NONE));
    let ctrl = prop::sample::select(vec!['l', 'o', 'r', 't', 'p', 'e', 'n', 'u', 'w', 'q'])
        .prop_map(|c| Op::Key(KeyCode::Char(c), KeyModifiers::CONTROL));
    let alt = prop::sample::select(vec!['p', 'u', 'i', 'h'])
        .prop_map(|c| Op::Key(KeyCode::Char(c), KeyModifiers::ALT));
    prop_oneof![6 => plain, 2 => ctrl, 1 => alt]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => key_op(),
        3 => prop_oneof![Just("1".to_owned()), Just("25".to_owned()), Just("7.5".to_owned()), "[0-9a-z. ]{1,4}"]
            .prop_map(Op::Type),
        1 => prop_oneof![Just("1".to_owned()), Just("25".to_owned()), "[0-9]{1,3}"].prop_map(Op::Rush),
        3 => (prop_oneof![Just(CARD.to_owned()), Just("6274000000000022".to_owned()), "[0-9]{6,19}"], any::<bool>())
            .prop_map(|(d, e)| Op::Scan(d, e)),
        1 => prop_oneof![Just("Margaret".to_owned()), "[A-Za-z]{6,10}"].prop_map(Op::Burst),
        1 => prop_oneof![Just(CARD.to_owned()), Just("12.50".to_owned()), Just("Ada Lovelace".to_owned())]
            .prop_map(Op::Paste),
        1 => prop::sample::select(vec![(40, 10), (59, 15), (60, 15), (70, 20), (80, 24), (120, 40)])
            .prop_map(|(w, h)| Op::Resize(w, h)),
        2 => prop_oneof![0u64..200, 200u64..3_000].prop_map(Op::Wait),
        2 => (0u8..4, any::<bool>()).prop_map(|(s, e)| Op::Answer(s, e)),
        1 => Just(Op::Stage),
        1 => (0u8..4).prop_map(Op::History),
        1 => (0u8..3).prop_map(Op::OpenRows),
    ]
}

/// One drawn screen: what it showed, and the state it was drawn from.
#[derive(Clone)]
struct Drawn {
    text: String,
    fit: Fit,
    app: App,
}

fn draw(app: &App) -> Drawn {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| crate::ui::render(app, f)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..h {
        for x in 0..w {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    Drawn {
        text,
        fit: Fit::of(w, h),
        app: app.clone(),
    }
}

impl Drawn {
    /// Whether this screen showed `request` as what Enter or `y` would send.
    fn shows(&self, request: &TillRequest) -> Result<(), String> {
        if self.fit == Fit::TooSmall {
            return Err("the screen was the too-small message".into());
        }
        let app = &self.app;
        match &app.overlay {
            Overlay::ConfirmVoid(target) if target.request == *request => {
                let checkout = request.original_checkout_id.as_deref().unwrap_or("");
                return (self.text.contains("Void?") && self.text.contains(checkout))
                    .then_some(())
                    .ok_or_else(|| "the void question did not name it".into());
            }
            Overlay::Duplicate(guard) if guard.request == *request => {
                return self
                    .text
                    .contains("Same sale again?")
                    .then_some(())
                    .ok_or_else(|| "the question was not on screen".into());
            }
            Overlay::None => {}
            other => return Err(format!("a window was open: {other:?}")),
        }
        let mut form = app.form.clone();
        let shown = form
            .validate(&app.limits)
            .map_err(|f| format!("{f:?} was bad"))?;
        if shown != *request {
            return Err(format!("the form held {shown:?}"));
        }
        if !self.text.contains(request.operation.label()) {
            return Err("the operation was not on screen".into());
        }
        if !request.account.is_empty() {
            let last4 = &request.account[request.account.len() - 4..];
            if !self.text.contains(last4) {
                return Err("the card was not on screen".into());
            }
        }
        let figure = app.form.quantity.value().trim();
        if (request.amount.is_some() || request.points.is_some()) && !self.text.contains(figure) {
            return Err(format!("the figure {figure:?} was not on screen"));
        }
        Ok(())
    }
}

/// The history row a finished request leaves, so the duplicate guard has something to find.
fn entry_for(app: &App, id: i64, state: RowState) -> Option<HistoryEntry> {
    let f = app.status.in_flight()?;
    Some(HistoryEntry {
        id,
        at: app.wall.map_or(T0, |w| w.at(app.now_ms)),
        operation: f.operation,
        tran_order_no: Some(format!("0001{id:010}")),
        account_id: f.account.clone(),
        entry_type: EntryType::K,
        quantity: f.quantity.clone(),
        state,
        checkout_id: (state == RowState::Approved).then(|| format!("91795431368{id:07}")),
        msg: String::new(),
        requested_amount: None,
        cashier: None,
        approved_by: None,
    })
}

fn messages(op: &Op, app: &App, next_row: &mut i64) -> Vec<Msg> {
    let now = app.now_ms;
    let key = |code, mods, at_ms| Msg::Key {
        key: KeyEvent::new(code, mods),
        at_ms,
    };
    match op {
        Op::Key(code, mods) => vec![key(*code, *mods, now + 150)],
        Op::Type(text) => text
            .chars()
            .zip(1u64..)
            .map(|(c, i)| key(KeyCode::Char(c), KeyModifiers::NONE, now + 120 * i))
            .collect(),
        Op::Rush(text) => text
            .chars()
            .map(KeyCode::Char)
            .chain([KeyCode::Enter])
            .zip(1u64..)
            .map(|(code, i)| key(code, KeyModifiers::NONE, now + 150 + 20 * i))
            .collect(),
        Op::Scan(digits, enter) => {
            let mut keys: Vec<KeyCode> = digits.chars().map(KeyCode::Char).collect();
            if *enter {
                keys.push(KeyCode::Enter);
            }
            keys.into_iter()
                .zip(0u64..)
                .map(|(code, i)| key(code, KeyModifiers::NONE, now + 300 + 2 * i))
                .collect()
        }
        Op::Burst(text) => text
            .chars()
            .zip(0u64..)
            .map(|(c, i)| key(KeyCode::Char(c), KeyModifiers::NONE, now + 300 + 2 * i))
            .collect(),
        Op::Paste(text) => vec![Msg::Paste {
            text: text.clone(),
            at_ms: now + 200,
        }],
        Op::Resize(w, h) => vec![Msg::Resize { w: *w, h: *h }],
        Op::Wait(ms) => vec![Msg::Tick { at_ms: now + ms }],
        Op::Answer(status, with_entry) => {
            let Some(f) = app.status.in_flight() else {
                return Vec::new();
            };
            let status = [
                Status::Approved,
                Status::Declined,
                Status::Unknown,
                Status::Rejected,
            ][usize::from(*status)];
            *next_row += 1;
            let entry = with_entry
                .then(|| entry_for(app, *next_row, RowState::from(status)))
                .flatten();
            let mut outcome = outcome(status);
            outcome.operation = f.operation;
            vec![Msg::Worker(Event::Finished {
                id: f.id,
                outcome: Box::new(outcome),
                entry,
            })]
        }
        Op::Stage => match app.status.in_flight() {
            Some(f) => vec![Msg::Worker(Event::Stage {
                id: f.id,
                stage: crate::worker::Stage::Waiting,
            })],
            None => Vec::new(),
        },
        Op::History(kind) => {
            *next_row += 1;
            let (operation, quantity) = match kind {
                0 => (Operation::Pay, "USD 1.00"),
                1 => (Operation::IssuePoints, "25 pts"),
                2 => (Operation::TopUp, "USD 7.50"),
                _ => (Operation::Pay, "USD 25.00"),
            };
            let entry = HistoryEntry {
                id: *next_row,
                at: app.wall.map_or(T0, |w| w.at(now)) - time::Duration::seconds(20),
                operation,
                tran_order_no: Some(format!("0002{:010}", *next_row)),
                account_id: mask_account(CARD),
                entry_type: EntryType::B,
                quantity: quantity.into(),
                state: RowState::Approved,
                checkout_id: Some(format!("91795431368{:07}", *next_row)),
                msg: String::new(),
                requested_amount: None,
                cashier: None,
                approved_by: None,
            };
            vec![Msg::Worker(Event::RowChanged(entry))]
        }
        Op::OpenRows(n) => {
            let rows = (0..i64::from(*n))
                .map(|i| row(900 + i, RowState::Unknown))
                .collect();
            vec![Msg::Worker(Event::OpenRows(rows))]
        }
    }
}

fn is_answer_key(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Key { key, .. } if matches!(key.code, KeyCode::Enter | KeyCode::Char('y' | 'Y'))
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn nothing_is_sent_that_the_screen_did_not_show(
        size in prop::sample::select(vec![(40u16, 10u16), (60, 15), (80, 24), (120, 40)]),
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let mut app = app();
        update(&mut app, Msg::Resize { w: size.0, h: size.1 });
        update(&mut app, Msg::WallClock { at_ms: 0, now: T0 });
        start(&mut app);
        let mut next_row = 0;
        let mut last = draw(&app);
        // The screen Enter or y was pressed on, and the one drawn right after it.
        let mut at_answer: Vec<Drawn> = vec![last.clone()];
        for op in &ops {
            let mut msgs: std::collections::VecDeque<Msg> =
                messages(op, &app, &mut next_row).into();
            // Then the runtime's ticks that are due (scanner quiet time, a held request).
            let mut ticks = 0;
            loop {
                let msg = match msgs.pop_front() {
                    Some(msg) => msg,
                    None => match app.next_deadline() {
                        Some(due) if ticks < 4 && due <= app.now_ms + 150 => {
                            ticks += 1;
                            Msg::Tick { at_ms: due.max(app.now_ms) }
                        }
                        _ => break,
                    },
                };
                let answer = is_answer_key(&msg);
                if answer {
                    at_answer = vec![last.clone()];
                }
                let mut sent = Vec::new();
                for effect in update(&mut app, msg) {
                    if let Effect::Worker(Command::Submit { request, .. }) = effect {
                        sent.push(*request);
                    }
                }
                for request in sent {
                    let reasons: Vec<String> = at_answer
                        .iter()
                        .filter_map(|d| d.shows(&request).err())
                        .collect();
                    prop_assert!(
                        reasons.len() < at_answer.len(),
                        "sent {:?}, which the screen did not show at the key: {:?}\nlast screen:\n{}",
                        request, reasons, last.text
                    );
                }
                last = draw(&app);
                if answer {
                    at_answer.push(last.clone());
                }
            }
        }
    }
}
