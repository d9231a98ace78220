//! Pure rendering of the app state into a ratatui frame: nothing here changes state or
//! reads the clock, so every screen is a snapshot test.

pub mod dialogs;
pub mod form;
pub mod header;
pub mod help;
pub mod history;
pub mod recovery;
pub mod report;
pub mod status;
pub mod tabs;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::App;

/// The smallest terminal the screen is designed for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let [header_area, tabs_area, body, bar] = area.layout(&Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ]));
    header::render(app, frame, header_area);
    tabs::render(app, frame, tabs_area);

    let view = form::view(app, body.width.saturating_sub(2));
    let status_rows: u16 = if body.height >= 30 && !app.form.customer_open {
        8
    } else {
        6
    };
    // The history gives up rows first when the customer section is open.
    let history_min: u16 = if app.form.customer_open { 4 } else { 6 };
    let wanted = u16::try_from(view.wanted_rows() + 2).unwrap_or(u16::MAX);
    let floor = u16::try_from(view.head_rows() + 2).unwrap_or(u16::MAX);
    let form_rows = wanted
        .min(body.height.saturating_sub(status_rows + history_min))
        .max(floor);
    let [form_area, status_area, history_area] = body.layout(&Layout::vertical([
        Constraint::Length(form_rows),
        Constraint::Length(status_rows),
        Constraint::Fill(1),
    ]));
    form::render(app, view, frame, form_area);
    status::render(app, frame, status_area);
    history::render(app, frame, history_area);
    help::render_bar(app, frame, bar);
    help::render_overlay(app, frame);
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "terminal too small: {}x{}, need at least {MIN_WIDTH}x{MIN_HEIGHT}",
        area.width, area.height
    );
    let lines: Vec<Line> = if text.len() <= usize::from(area.width) {
        vec![Line::from(text).centered()]
    } else {
        vec![
            Line::from(format!(
                "terminal too small: {}x{}",
                area.width, area.height
            ))
            .centered(),
            Line::from(format!("need at least {MIN_WIDTH}x{MIN_HEIGHT}")).centered(),
        ]
    };
    let rows = u16::try_from(lines.len()).unwrap_or(1);
    let middle = area.centered_vertically(Constraint::Length(rows));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), middle);
}

/// Splits `text` into lines of at most `width` columns, on spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let word_len = word.chars().count();
        let line_len = line.chars().count();
        if line_len > 0 && line_len + 1 + word_len > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let rest: String = line.chars().skip(width).collect();
            lines.push(head);
            line = rest;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
