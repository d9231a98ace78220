//! The windows over the screen, one file each (mirroring `app::overlays`), and what they
//! share: a cleared box in the middle, text wrapped to it, scrolling when the terminal is
//! short, and the key hints from the key table.

mod approval;
mod duplicate;
mod help;
mod quit;
mod receipt;
mod recovery;
mod report;
mod shift;
mod void;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::wrap_lines;
use super::theme;
use crate::app::keys::{self, Context};
use crate::app::{App, Overlay};

pub use quit::words as quit_words;

pub fn render(app: &App, frame: &mut Frame) {
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help(scroll) => help::render(app, frame, scroll.offset),
        Overlay::ConfirmQuit => quit::render(app, frame),
        Overlay::ConfirmVoid(target) => void::render(app, target, frame),
        Overlay::Duplicate(guard) => duplicate::render(app, guard, frame),
        Overlay::Receipt(window) => receipt::render(app, window, frame),
        Overlay::Recovery(window) => recovery::render(app, window, frame),
        Overlay::Report(window) => report::render(app, window, frame),
        Overlay::Approval(approval) => approval::render(app, approval, frame),
        Overlay::Shift(window) => shift::render(app, window, frame),
    }
}

/// Clears and returns a `width` x `height` area in the middle of the screen for a window.
pub fn window(frame: &mut Frame, width: u16, height: u16) -> Rect {
    let full = frame.area();
    let area = full.centered(
        Constraint::Length(width.min(full.width)),
        Constraint::Length(height.min(full.height)),
    );
    frame.render_widget(Clear, area);
    area
}

/// The keys of a window, as the key table has them, packed into lines of `width` columns
/// without splitting a key from its words.
pub fn key_hint(app: &App, context: Context, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.saturating_sub(2)).max(1);
    let mut lines = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (key, what) in keys::bar(app, context) {
        let need = key.chars().count() + what.chars().count() + 3;
        let gap = if used == 0 { 0 } else { 3 };
        if used > 0 && used + gap + need > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        } else if gap > 0 {
            spans.push(Span::raw("   "));
            used += gap;
        }
        spans.push(Span::styled(format!(" {key} "), theme::key()));
        spans.push(Span::raw(format!(" {what}")));
        used += need;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

/// A bordered window as wide as `width` (or the screen), as tall as its wrapped lines (or
/// the screen, then scrolled by `offset` with a note of what is out of sight).
pub struct Dialog<'a> {
    pub title: &'a str,
    pub border: Style,
    pub width: u16,
    pub lines: Vec<Line<'static>>,
    /// Kept in sight at the bottom, under the scrolled part.
    pub footer: Vec<Line<'static>>,
    /// Whose keys to list under everything (from the key table).
    pub hints: Option<Context>,
    pub offset: u16,
}

impl Dialog<'_> {
    /// Rows the window takes on a screen of `full` (it never takes more).
    pub fn render(self, app: &App, frame: &mut Frame) {
        let full = frame.area();
        let width = self.width.min(full.width);
        let inner_width = usize::from(width.saturating_sub(2));
        let lines = wrap_lines(self.lines, inner_width);
        let mut footer = wrap_lines(self.footer, inner_width);
        if let Some(context) = self.hints {
            footer.push(Line::from(""));
            footer.extend(key_hint(app, context, width));
        }
        let room = usize::from(full.height.saturating_sub(2)).saturating_sub(footer.len());
        let room = room.max(1);
        let offset = usize::from(self.offset).min(lines.len().saturating_sub(room));
        let hidden_above = offset;
        let hidden_below = lines.len().saturating_sub(offset + room);
        let shown: Vec<Line> = lines.into_iter().skip(offset).take(room).collect();
        let height = u16::try_from(shown.len() + footer.len() + 2).unwrap_or(u16::MAX);
        let mut block = Block::bordered()
            .title(Span::styled(self.title.to_owned(), theme::bold()))
            .border_style(self.border);
        if hidden_above + hidden_below > 0 {
            let mut parts = Vec::new();
            if hidden_above > 0 {
                parts.push(format!("↑ {hidden_above}"));
            }
            if hidden_below > 0 {
                parts.push(format!("↓ {hidden_below} more"));
            }
            block = block.title_bottom(
                Line::from(Span::styled(
                    format!(" {} ", parts.join(" · ")),
                    theme::dim(),
                ))
                .right_aligned(),
            );
        }
        let area = window(frame, width, height);
        let mut all = shown;
        all.extend(footer);
        frame.render_widget(Paragraph::new(all).block(block), area);
    }
}

/// A label column and its value, for the question windows.
pub fn field(label: &str, value: impl Into<String>, style: Style) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<12}"), theme::dim()),
        Span::styled(value.into(), style),
    ])
}
