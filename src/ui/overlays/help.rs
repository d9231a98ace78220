//! The full key list, built from the key table (so it lists exactly what works).

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, theme};
use crate::app::App;
use crate::app::keys::{self, Context};
use crate::ui::text::wrap;

pub fn render(app: &App, frame: &mut Frame, offset: u16) {
    let rows = keys::help();
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    // Descriptions wrap under themselves, not under the keys.
    let room = usize::from(frame.area().width.min(78))
        .saturating_sub(2 + key_width + 3)
        .max(20);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (keys, what) in &rows {
        for (i, part) in wrap(what, room).into_iter().enumerate() {
            let keys = if i == 0 { *keys } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!(" {keys:<key_width$} "), theme::bold()),
                Span::raw(format!(" {part}")),
            ]));
        }
    }
    Dialog {
        title: " Keys ",
        border: theme::focused_border(),
        width: 78,
        lines,
        footer: Vec::new(),
        hints: Some(Context::Help),
        offset,
    }
    .render(app, frame);
}
