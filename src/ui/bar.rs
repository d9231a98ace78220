//! The bottom bar: the keys that matter where the keys go now, from the key table, most
//! important first; what does not fit is left off whole (F1 lists everything).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::App;
use crate::app::keys;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, what) in keys::bar(app, app.context()) {
        let need = key.chars().count() + what.chars().count() + 3;
        if used + need > width {
            break;
        }
        spans.push(Span::styled(format!(" {key} "), theme::key()));
        spans.push(Span::raw(format!(" {what}")));
        used += need;
        if used < width {
            spans.push(Span::raw(" "));
            used += 1;
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
