//! The receipt preview: the same text the printer gets (TRAINING / COPY marks included).

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, theme};
use crate::app::App;
use crate::app::keys::Context;

pub fn render(app: &App, frame: &mut Frame, offset: u16) {
    let Some(receipt) = &app.receipt else {
        return;
    };
    let lines: Vec<Line<'static>> = receipt
        .text(&app.issuer, app.mode)
        .lines()
        .map(|l| Line::from(format!(" {l}")))
        .collect();
    let footer = if app.receipts_enabled {
        Vec::new()
    } else {
        vec![
            Line::from(""),
            Line::from(Span::styled(
                " Set receipts_dir in the config to print.",
                theme::dim(),
            )),
        ]
    };
    Dialog {
        title: " Receipt ",
        border: theme::ok(),
        width: 46,
        lines,
        footer,
        hints: Some(Context::Receipt),
        offset,
    }
    .render(app, frame);
}
