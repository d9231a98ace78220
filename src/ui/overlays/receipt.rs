//! The receipt preview: the receipt model laid out at the paper's width by the same code
//! that lays out the paper (TRAINING / COPY marks included), with where it stands with the
//! printer underneath.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, theme};
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::ReceiptWindow;
use crate::app::printing::Paper;
use crate::receipt::text;
use crate::ui::wrap;

pub fn render(app: &App, window: &ReceiptWindow, frame: &mut Frame) {
    let width = app.printer.width;
    let lines: Vec<Line<'static>> = text::render(&window.receipt, width)
        .lines()
        .map(|l| Line::from(format!(" {l}")))
        .collect();
    // Wrapped here, so every line keeps the margin the receipt has.
    let footer: Vec<Line<'static>> = printer_words(app, window)
        .into_iter()
        .flat_map(|(words, style)| {
            wrap(&words, width + 1)
                .into_iter()
                .map(move |l| Line::from(Span::styled(format!(" {l}"), style)))
        })
        .collect();
    let footer = if footer.is_empty() {
        footer
    } else {
        std::iter::once(Line::from("")).chain(footer).collect()
    };
    Dialog {
        title: if window.row.is_some() {
            " Receipt — reprint "
        } else {
            " Receipt "
        },
        border: theme::ok(),
        width: u16::try_from(width + 4).unwrap_or(u16::MAX),
        lines,
        footer,
        hints: Some(Context::Receipt),
        offset: window.scroll.offset,
    }
    .render(app, frame);
}

/// Where this receipt stands with the printer, when there is something to say.
fn printer_words(app: &App, window: &ReceiptWindow) -> Vec<(String, ratatui::style::Style)> {
    let printer = &app.printer;
    if !printer.configured {
        return vec![(
            "To print: set [printer] address or device in the config, or PAYWIZARD_PRINTER."
                .to_owned(),
            theme::dim(),
        )];
    }
    let mut words = Vec::new();
    match window.paper(app) {
        Paper::Printing => words.push(("Printing…".to_owned(), theme::dim())),
        Paper::Kept => words.push((
            "The printer did not take it; it is kept.".to_owned(),
            theme::warning(),
        )),
        Paper::Unprinted | Paper::HandedOver if printer.kept > 0 => words.push((
            match printer.kept {
                1 => "1 receipt the printer did not take prints first.".to_owned(),
                n => format!("{n} receipts the printer did not take print first."),
            },
            theme::warning(),
        )),
        Paper::Unprinted | Paper::HandedOver => {}
    }
    words
}
