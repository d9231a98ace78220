//! The quit question: what quitting now would leave behind, counted.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, theme};
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::quit::Pending;

/// The question's words (the too-small screen shows them too).
pub fn words(pending: Pending) -> Vec<String> {
    let mut lines = Vec::new();
    if pending.sending > 0 {
        lines.push(
            "A request is still being sent. If you quit now its outcome stays in the journal; \
             check it after the restart before repeating anything."
                .to_owned(),
        );
    }
    if pending.unknown > 0 {
        let n = pending.unknown;
        lines.push(format!(
            "{n} request{} with no known outcome {} open. {} stay{} in the journal; the \
             recovery window offers {} at the next start.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" },
            if n == 1 { "It" } else { "They" },
            if n == 1 { "s" } else { "" },
            if n == 1 { "it" } else { "them" },
        ));
    }
    if pending.is_empty() {
        lines.push("Quit the till?".to_owned());
    }
    lines
}

pub fn render(app: &App, frame: &mut Frame) {
    let lines = words(Pending::of(app))
        .into_iter()
        .map(|w| Line::from(Span::styled(w, theme::warning().patch(theme::bold()))))
        .collect();
    Dialog {
        title: " Quit? ",
        border: theme::warning(),
        width: 60,
        lines,
        footer: Vec::new(),
        hints: Some(Context::Quit),
        offset: 0,
    }
    .render(app, frame);
}
