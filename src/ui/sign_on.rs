//! The sign-on and locked screens, and the words for what a PIN check came to (the manager
//! approval window uses them too). A PIN is drawn as one dot per digit, never as digits.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::text::wrap_lines;
use super::{bar, header, theme};
use crate::app::App;
use crate::app::screen::{Fit, Screen};
use crate::app::sign_on::{Field, Problem, SignOnForm};
use crate::journal::{PIN_MAX_DIGITS, Refusal, SignOnRefusal};

/// Width of the box an id or PIN is typed into.
const BOX: usize = 18;
const LABEL: usize = 12;

pub fn render(app: &App, form: &SignOnForm, frame: &mut Frame, area: Rect, fit: Fit) {
    let head = if fit == Fit::Full { 2 } else { 1 };
    let [header_area, body, bar_area] = area.layout(&Layout::vertical([
        Constraint::Length(head),
        Constraint::Fill(1),
        Constraint::Length(1),
    ]));
    if fit == Fit::Full {
        header::render(app, frame, header_area);
    } else {
        header::render_compact(app, frame, header_area);
    }
    bar::render(app, frame, bar_area);

    let locked = matches!(app.screen, Screen::Locked(_));
    let width = body.width.min(66);
    let inner = usize::from(width.saturating_sub(4));
    let mut lines = intro(app, locked);
    lines.push(Line::from(""));
    let fields_at = lines.len();
    lines.extend(fields(form, "Staff ID"));
    lines.push(Line::from(""));
    lines.extend(outro(app, form, locked));
    let lines = wrap_lines(lines, inner);
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(body.height);
    let boxed = body.centered(Constraint::Length(width), Constraint::Length(height));
    let title = if locked { " Locked " } else { " Sign on " };
    let block = Block::bordered()
        .title(Span::styled(title, theme::bold()))
        .border_style(if locked {
            theme::warning()
        } else {
            theme::focused_border()
        });
    let text_area = block.inner(boxed).inner(ratatui::layout::Margin::new(1, 0));
    frame.render_widget(block, boxed);
    frame.render_widget(Paragraph::new(lines), text_area);
    if form.checking.is_none() {
        let row = fields_at
            + match form.focus {
                Field::Id => 0,
                Field::Pin => 1,
            };
        let typed = match form.focus {
            Field::Id => form.id.chars().count(),
            Field::Pin => form.pin.len(),
        };
        let col = LABEL + 2 + typed.min(BOX - 1);
        if let (Ok(row), Ok(col)) = (u16::try_from(row), u16::try_from(col))
            && row < text_area.height
            && col < text_area.width
        {
            frame.set_cursor_position(Position::new(text_area.x + col, text_area.y + row));
        }
    }
}

/// What the screen is: who may sign on, or who is signed on behind the lock.
fn intro(app: &App, locked: bool) -> Vec<Line<'static>> {
    let who = app.staff.signed_on.as_ref().filter(|_| locked);
    match who {
        Some(who) => {
            let m = who.member();
            vec![
                Line::from(Span::styled(
                    format!(
                        "Locked after {} without a key.",
                        duration_words(app.staff.lock_after_ms)
                    ),
                    theme::warning().patch(theme::bold()),
                )),
                Line::from(vec![
                    Span::styled("Signed on: ", theme::dim()),
                    Span::styled(format!("{} ({}, {})", m.name, m.role, m.id), theme::bold()),
                ]),
            ]
        }
        None => vec![Line::from(Span::styled(
            "Sign on with your staff ID and PIN.",
            theme::bold(),
        ))],
    }
}

/// The two fields: the id as typed, the PIN as dots.
pub fn fields(form: &SignOnForm, id_label: &str) -> Vec<Line<'static>> {
    let field = |label: &str, shown: String, which: Field| {
        let focused = form.focus == which && form.checking.is_none();
        Line::from(vec![
            Span::styled(if focused { "› " } else { "  " }, theme::bold()),
            Span::styled(format!("{label:<LABEL$}"), theme::dim()),
            Span::styled(format!("{shown:<BOX$}"), theme::field(focused)),
        ])
    };
    // A card read into the id field by mistake (a scan, a swipe) is not shown whole.
    let card_like = form.id.len() > 10 && form.id.bytes().all(|b| b.is_ascii_digit());
    let id: String = if card_like {
        crate::api::mask_account(&form.id)
    } else {
        form.id.chars().take(BOX).collect()
    };
    let dots = "•".repeat(form.pin.len().min(PIN_MAX_DIGITS));
    vec![
        field(id_label, id, Field::Id),
        field("PIN", dots, Field::Pin),
    ]
}

/// Under the fields: what the last attempt came to, or what to do.
fn outro(app: &App, form: &SignOnForm, locked: bool) -> Vec<Line<'static>> {
    let hint = if locked {
        "Your PIN, then Enter."
    } else {
        "Type your ID, Enter, then your PIN, Enter."
    };
    let mut lines = vec![status_line(form, hint)];
    // What carries on behind the screen first: on a small terminal the explanation below is
    // what gets cut.
    if app.in_flight() {
        lines.push(warning(
            "a request is being sent: its outcome is journaled and shows once signed on",
        ));
    }
    let open = app.recovery.rows.len();
    if open > 0 {
        lines.push(warning(&format!(
            "{open} earlier request{} with no known outcome (Ctrl+R once signed on)",
            if open == 1 { "" } else { "s" }
        )));
    }
    if locked && let Some(who) = &app.staff.signed_on {
        let name = who.member().name.clone();
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                "{name}: your PIN unlocks the till as you left it. Someone else: Tab to \
                 Staff ID and sign on; {name} is then signed off."
            ),
            theme::dim(),
        )));
    }
    lines
}

fn warning(text: &str) -> Line<'static> {
    Line::from(Span::styled(format!("⚠ {text}"), theme::warning()))
}

/// The check under way, the last problem, or `hint`.
pub fn status_line(form: &SignOnForm, hint: &str) -> Line<'static> {
    if form.checking.is_some() {
        return Line::from(Span::styled("checking the PIN…", theme::dim()));
    }
    match &form.problem {
        Some(problem) => Line::from(Span::styled(
            problem_words(problem),
            theme::error().patch(theme::bold()),
        )),
        None => Line::from(Span::styled(hint.to_owned(), theme::dim())),
    }
}

/// A problem in words. Never repeats a PIN, nor an id that is not a staff member's.
pub fn problem_words(problem: &Problem) -> String {
    match problem {
        Problem::Sign(SignOnRefusal::UnknownId) => "No staff member has that ID.".to_owned(),
        Problem::Sign(SignOnRefusal::WrongPin { id, attempts_left }) => format!(
            "Wrong PIN for {id}: {attempts_left} {} left before {id} is locked.",
            if *attempts_left == 1 { "try" } else { "tries" }
        ),
        Problem::Sign(SignOnRefusal::Locked {
            id,
            until,
            just_now,
            ..
        }) => {
            let at = format!("{:02}:{:02}", until.hour(), until.minute());
            let first = if *just_now {
                format!("Wrong PIN for {id}: too many wrong PINs, {id} is locked until {at}.")
            } else {
                format!("{id} is locked until {at} after too many wrong PINs.")
            };
            format!("{first} A manager can set a new PIN (paywizard-till staff pin).")
        }
        Problem::Refused(Refusal::SignOnNeeded) => {
            "This till has staff now: sign on to go on. The last request was not sent.".to_owned()
        }
        Problem::Refused(Refusal::NoLongerStaff(id)) => format!(
            "{id} is no longer on the staff: the last request was not sent. Someone else signs on."
        ),
        Problem::Refused(other) => format!("Not permitted: {other}. Nothing was sent."),
        Problem::NotAManager(id) => format!("{id} is not a manager: a manager must approve this."),
        Problem::Failed(e) => format!("{e}."),
        Problem::IdNeeded => "Type a staff ID first.".to_owned(),
        Problem::PinShape => "A PIN is 4 to 8 digits.".to_owned(),
        Problem::NotTypable(Field::Id) => {
            "A staff ID is letters, digits, - and _ (up to 16).".to_owned()
        }
        Problem::NotTypable(Field::Pin) => "A PIN is digits only (up to 8).".to_owned(),
    }
}

/// `10 minutes`, `1 minute`, `45 seconds`.
pub fn duration_words(ms: u64) -> String {
    let secs = ms / 1000;
    let (n, unit) = if secs >= 60 && secs.is_multiple_of(60) {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_times_read_naturally() {
        assert_eq!(duration_words(600_000), "10 minutes");
        assert_eq!(duration_words(60_000), "1 minute");
        assert_eq!(duration_words(2_000), "2 seconds");
        assert_eq!(duration_words(90_000), "90 seconds");
    }

    #[test]
    fn a_card_number_in_the_id_field_is_masked() {
        let form = SignOnForm {
            id: "6274000000000014".into(),
            ..SignOnForm::default()
        };
        let text: String = fields(&form, "Staff ID")[0]
            .spans
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert!(text.contains("**** **** 0014"), "{text}");
        assert!(!text.contains("627400"), "{text}");
    }

    #[test]
    fn a_pin_shows_as_dots_only() {
        let mut form = SignOnForm::unlock("bob");
        for c in "27182818".chars() {
            form.on_key(
                || 1,
                crate::app::keys::Context::Locked,
                &crossterm::event::KeyEvent::new(
                    crossterm::event::KeyCode::Char(c),
                    crossterm::event::KeyModifiers::NONE,
                ),
            );
        }
        let text: String = fields(&form, "Staff ID")
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
            .collect();
        assert!(text.contains("••••••••"), "{text}");
        assert!(!text.contains("2718"), "{text}");
    }
}
