//! Small windows over the screen: the void question and the receipt.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme;
use crate::app::App;

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

fn key_hint(items: &[(&'static str, &'static str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, what) in items {
        spans.push(Span::styled(format!(" {key} "), theme::key()));
        spans.push(Span::raw(format!(" {what}    ")));
    }
    Line::from(spans)
}

pub fn confirm_void(app: &App, frame: &mut Frame) {
    let Some(confirm) = &app.void_confirm else {
        return;
    };
    let checkout = confirm
        .request
        .original_checkout_id
        .as_deref()
        .unwrap_or_default();
    let mut lines = vec![Line::from(Span::styled(
        "Void this sale? The money or points go back to the card.",
        theme::warning().patch(theme::bold()),
    ))];
    lines.push(Line::from(""));
    match &confirm.original {
        Some(sale) => {
            let time = sale
                .at
                .format(time::macros::format_description!(
                    "[hour]:[minute]:[second]"
                ))
                .unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "Sale"), theme::dim()),
                Span::styled(
                    format!("{} · {}", sale.operation.label(), sale.quantity),
                    theme::bold(),
                ),
            ]));
            lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "Card"), theme::dim()),
                Span::raw(format!(
                    "{} ({})",
                    sale.account_id,
                    sale.entry_type.describe()
                )),
            ]));
            lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "At"), theme::dim()),
                Span::raw(time),
            ]));
        }
        None => lines.push(Line::from(Span::styled(
            "Not in this till's loaded history: check the checkoutId on the receipt.",
            theme::warning(),
        ))),
    }
    lines.push(Line::from(vec![
        Span::styled(format!("{:<12}", "checkoutId"), theme::dim()),
        Span::raw(checkout.to_owned()),
    ]));
    lines.push(Line::from(""));
    lines.push(key_hint(&[("y", "void it"), ("n", "keep the sale")]));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let block = Block::bordered()
        .title(Span::styled(" Void? ", theme::bold()))
        .border_style(theme::warning());
    let area = window(frame, 64, height);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

pub fn receipt(app: &App, frame: &mut Frame) {
    let Some(receipt) = &app.receipt else {
        return;
    };
    let mut lines: Vec<Line> = receipt
        .text
        .lines()
        .map(|l| Line::from(format!(" {l}")))
        .collect();
    lines.push(Line::from(""));
    if app.receipts_enabled {
        lines.push(key_hint(&[("S", "save for the printer"), ("Esc", "close")]));
    } else {
        lines.push(Line::from(Span::styled(
            " Set receipts_dir in the config to print.",
            theme::dim(),
        )));
    }
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let block = Block::bordered()
        .title(Span::styled(" Receipt ", theme::bold()))
        .border_style(theme::ok());
    let area = window(frame, 46, height);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
