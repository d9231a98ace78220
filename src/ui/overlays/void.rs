//! The void question: exactly what will be reversed (operation, card, amount, time,
//! checkoutId), from the row the cashier picked.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, field, theme};
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::VoidTarget;
use crate::ui::advice::clock;

pub fn render(app: &App, target: &VoidTarget, frame: &mut Frame) {
    let checkout = target
        .request
        .original_checkout_id
        .clone()
        .unwrap_or_default();
    let mut lines = vec![
        Line::from(Span::styled(
            "Void this sale? What it moved goes back.",
            theme::warning().patch(theme::bold()),
        )),
        Line::from(""),
    ];
    match &target.sale {
        Some(sale) => {
            let at = sale
                .at
                .format(time::macros::format_description!("[year]-[month]-[day] "))
                .unwrap_or_default();
            lines.push(field(
                "Sale",
                format!("{} · {}", sale.operation.label(), sale.quantity),
                theme::bold(),
            ));
            lines.push(field(
                "Card",
                format!("{} ({})", sale.account_id, sale.entry_type.describe()),
                theme::bold(),
            ));
            lines.push(field(
                "At",
                format!("{at}{}", clock(sale.at)),
                theme::bold(),
            ));
            if let Some(order) = &sale.tran_order_no {
                lines.push(field("tranOrderNo", order.clone(), theme::dim()));
            }
        }
        None => lines.push(Line::from(Span::styled(
            "Not in this till's loaded history: check the checkoutId on the receipt.",
            theme::warning(),
        ))),
    }
    lines.push(field("checkoutId", checkout, theme::bold()));
    Dialog {
        title: " Void? ",
        border: theme::warning(),
        width: 64,
        lines,
        footer: Vec::new(),
        hints: Some(Context::Void),
        offset: 0,
    }
    .render(app, frame);
}
