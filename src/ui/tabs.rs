//! The operation selector: one key each, the selected one highlighted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::api::Operation;
use crate::app::App;
use crate::app::keymap::operation_keys;

/// Short names for narrow terminals, so all eight fit in 80 columns.
fn short_label(op: Operation) -> &'static str {
    match op {
        Operation::IssuePoints => "Issue pts",
        Operation::RedeemPoints => "Redeem",
        other => other.label(),
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 120;
    let gap = if wide { "  " } else { " " };
    let mut spans = Vec::with_capacity(Operation::ALL.len() * 2);
    for (i, op) in Operation::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(gap));
        }
        let (f, _) = operation_keys(op);
        let label = if wide { op.label() } else { short_label(op) };
        if op == app.form.operation {
            spans.push(Span::styled(
                format!("▶F{f} {label}"),
                theme::selected_tab(),
            ));
        } else {
            spans.push(Span::styled(format!("F{f}"), theme::key()));
            spans.push(Span::raw(format!(" {label}")));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
