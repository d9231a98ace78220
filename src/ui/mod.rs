//! Pure rendering of the app state into a ratatui frame: nothing here changes state or
//! reads the clock, so every screen is a snapshot test.

pub mod advice;
pub mod bar;
pub mod form;
pub mod header;
pub mod history;
pub mod overlays;
pub mod sign_on;
pub mod status;
pub mod tabs;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Borders, Paragraph};

use crate::app::screen::{Fit, MIN, Screen};
use crate::app::{App, Overlay};
pub use text::wrap;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let fit = Fit::of(area.width, area.height);
    if fit == Fit::TooSmall {
        too_small(app, frame, area);
        return;
    }
    match &app.screen {
        Screen::Till if fit == Fit::Full => full(app, frame, area),
        Screen::Till => compact(app, frame, area),
        Screen::SignOn(form) | Screen::Locked(form) => {
            sign_on::render(app, form, frame, area, fit);
            // Nothing of the till shows behind sign-on or the lock; only the quit question
            // can be asked there.
            if app.overlay == Overlay::ConfirmQuit && matches!(app.screen, Screen::SignOn(_)) {
                overlays::render(app, frame);
            }
            return;
        }
    }
    overlays::render(app, frame);
}

/// Rows a pane of `content` lines takes with `frame` rows of border, within bounds.
fn rows(content: usize, frame: u16) -> u16 {
    u16::try_from(content)
        .unwrap_or(u16::MAX)
        .saturating_add(frame)
}

/// 80x24 and up: two header lines, the tabs, the form, the status, the history, the keys.
fn full(app: &App, frame: &mut Frame, area: Rect) {
    let [header_area, tabs_area, body, bar] = area.layout(&Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ]));
    header::render(app, frame, header_area);
    tabs::render(app, frame, tabs_area);

    let inner = usize::from(body.width.saturating_sub(2));
    let view = form::view(app, body.width.saturating_sub(2));
    let status_lines = status::lines(app, inner);
    // The history gives up rows first when the customer section is open.
    let history_min: u16 = if app.form.customer_open { 4 } else { 6 };
    let form_floor = rows(view.head_rows(), 2);
    let roomy = if body.height >= 30 && !app.form.customer_open {
        8
    } else {
        6
    };
    // The status says everything it has, before the history keeps more than its header
    // and one row.
    let status_rows = rows(status_lines.len(), 2)
        .max(roomy)
        .min(body.height.saturating_sub(form_floor + 4).max(4));
    let form_rows = rows(view.wanted_rows(), 2)
        .min(body.height.saturating_sub(status_rows + history_min))
        .max(form_floor);
    let [form_area, status_area, history_area] = body.layout(&Layout::vertical([
        Constraint::Length(form_rows),
        Constraint::Length(status_rows),
        Constraint::Fill(1),
    ]));
    form::render(app, view, frame, form_area, Borders::ALL);
    status::render(app, status_lines, frame, status_area, Borders::ALL);
    history::render(app, frame, history_area, Borders::ALL);
    bar::render(app, frame, bar);
}

/// Down to 60x15: one header line, top borders only, the history only if rows are left.
fn compact(app: &App, frame: &mut Frame, area: Rect) {
    let [header_area, tabs_area, body, bar] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ]));
    header::render_compact(app, frame, header_area);
    tabs::render(app, frame, tabs_area);

    let view = form::view(app, body.width);
    let status_lines = status::lines(app, usize::from(body.width));
    let form_floor = rows(view.head_rows(), 1);
    let status_rows = rows(status_lines.len(), 1)
        .max(3)
        .min(body.height.saturating_sub(form_floor).max(2));
    let form_rows = rows(view.wanted_rows(), 1)
        .min(body.height.saturating_sub(status_rows))
        .max(form_floor);
    let left = body.height.saturating_sub(form_rows + status_rows);
    // A history with room for its header and one row, or none at all.
    let (status_rows, history_rows) = if left >= 3 {
        (status_rows, left)
    } else {
        (status_rows + left, 0)
    };
    let [form_area, status_area, history_area] = body.layout(&Layout::vertical([
        Constraint::Length(form_rows),
        Constraint::Length(status_rows),
        Constraint::Length(history_rows),
    ]));
    form::render(app, view, frame, form_area, Borders::TOP);
    status::render(app, status_lines, frame, status_area, Borders::TOP);
    if history_rows > 0 {
        history::render(app, frame, history_area, Borders::TOP);
    }
    bar::render(app, frame, bar);
}

/// Below the smallest usable size: say so, and nothing else (no key but quit works, so
/// nothing can happen that is not on screen). The quit question shows here too.
fn too_small(app: &App, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let locked = matches!(app.screen, Screen::Locked(_));
    let mut text = vec![
        format!("terminal too small: {}x{}", area.width, area.height),
        format!("need at least {}x{}", MIN.0, MIN.1),
        if locked {
            "the till is locked".to_owned()
        } else {
            "Ctrl+Q quits".to_owned()
        },
    ];
    if app.overlay == Overlay::ConfirmQuit {
        text = overlays_quit_words(app);
        text.push("y quits · n stays".to_owned());
    }
    let lines: Vec<Line> = text
        .iter()
        .flat_map(|t| wrap(t, width))
        .map(|l| Line::from(l).centered())
        .collect();
    let n = u16::try_from(lines.len()).unwrap_or(1);
    let middle = area.centered_vertically(Constraint::Length(n));
    frame.render_widget(Paragraph::new(lines), middle);
}

fn overlays_quit_words(app: &App) -> Vec<String> {
    overlays::quit_words(crate::app::overlays::quit::Pending::of(app))
}
