//! The operation selector: one key each, the selected one highlighted. Narrow terminals get
//! shorter names, and the narrowest only the selected one's name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::api::Operation;
use crate::app::App;
use crate::app::keys::operation_keys;

/// Short names, so all eight fit in 80 columns.
fn short_label(op: Operation) -> &'static str {
    match op {
        Operation::IssuePoints => "Issue pts",
        Operation::RedeemPoints => "Redeem",
        other => other.label(),
    }
}

#[derive(Clone, Copy)]
enum Names {
    Full,
    Short,
    /// Only the selected operation's name; the others by F-key.
    SelectedOnly,
}

fn line(app: &App, names: Names, gap: &'static str) -> Line<'static> {
    let mut spans = Vec::with_capacity(Operation::ALL.len() * 2);
    for (i, op) in Operation::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(gap));
        }
        let (f, _) = operation_keys(op);
        let label = match names {
            Names::Full => op.label(),
            Names::Short | Names::SelectedOnly => short_label(op),
        };
        if op == app.form.operation {
            spans.push(Span::styled(
                format!("▶F{f} {label}"),
                theme::selected_tab(),
            ));
        } else {
            spans.push(Span::styled(format!("F{f}"), theme::key()));
            if !matches!(names, Names::SelectedOnly) {
                spans.push(Span::raw(format!(" {label}")));
            }
        }
    }
    Line::from(spans)
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let chosen = [
        (Names::Full, "  "),
        (Names::Short, " "),
        (Names::SelectedOnly, " "),
    ]
    .into_iter()
    .map(|(names, gap)| line(app, names, gap))
    .find(|l| l.width() <= width)
    .unwrap_or_else(|| line(app, Names::SelectedOnly, " "));
    frame.render_widget(Paragraph::new(chosen), area);
}
