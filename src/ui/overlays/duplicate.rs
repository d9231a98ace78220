//! The duplicate guard's question: this looks like a repeat of a sale made moments ago.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, field, theme};
use crate::api::mask_account;
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::DuplicateGuard;
use crate::outcome::RowState;
use crate::ui::advice::clock;

fn ago(seconds: i64) -> String {
    match seconds {
        ..0 => "just now".to_owned(),
        0..60 => format!("{seconds} s ago"),
        _ => format!("{} min {} s ago", seconds / 60, seconds % 60),
    }
}

pub fn render(app: &App, guard: &DuplicateGuard, frame: &mut Frame) {
    let earlier = &guard.earlier;
    let request = &guard.request;
    let card = if request.account.is_empty() {
        earlier.account_id.clone()
    } else {
        mask_account(&request.account)
    };
    let what = format!(
        "{} · {} · {card}",
        request.operation.label(),
        request.quantity_display(&app.limits.currency)
    );
    let state = match earlier.state {
        RowState::Approved => "was approved",
        _ => "has no known outcome yet (it may have gone through)",
    };
    let when = match guard.ago_s {
        Some(s) => format!("{} ({})", clock(earlier.at), ago(s)),
        None => clock(earlier.at),
    };
    let mut lines = vec![
        Line::from(Span::styled(
            "Send this again? The same sale was just made.",
            theme::warning().patch(theme::bold()),
        )),
        Line::from(""),
        field("Now", what, theme::bold()),
        field(
            "Earlier",
            format!(
                "{} · {} · {}",
                earlier.operation.label(),
                earlier.quantity,
                earlier.account_id
            ),
            theme::bold(),
        ),
        field("At", when, theme::bold()),
    ];
    if let Some(order) = &earlier.tran_order_no {
        lines.push(field("tranOrderNo", order.clone(), theme::dim()));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!("The earlier one {state}. Only y sends this one too."),
        theme::warning(),
    )));
    Dialog {
        title: " Same sale again? ",
        border: theme::warning(),
        width: 64,
        lines,
        footer: Vec::new(),
        hints: Some(Context::Duplicate),
        offset: 0,
    }
    .render(app, frame);
}
