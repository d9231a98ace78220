//! The recovery window: each request with no known outcome, what the cashier can do about
//! it, and what the last action came to. Sentences wrap; the list scrolls with the
//! selection so the selected row is always in sight.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, theme};
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::RecoveryWindow;
use crate::app::recovery::BalanceCheck;
use crate::ui::advice::clock;
use crate::ui::text::wrap_lines;

pub fn render(app: &App, window: &RecoveryWindow, frame: &mut Frame) {
    let recovery = &app.recovery;
    let area = frame.area();
    let width = area
        .width
        .saturating_sub(4)
        .min(100)
        .max(area.width.min(40));
    let inner_width = usize::from(width.saturating_sub(2));
    let mut head = Vec::new();
    let mut tail = Vec::new();
    if !recovery.loaded {
        head.push(Line::from(Span::styled(
            "reading the journal…",
            theme::dim(),
        )));
    } else if recovery.rows.is_empty() {
        head.push(Line::from(Span::styled(
            "✓ Every request has a known outcome. Nothing to recover.",
            theme::ok().patch(theme::bold()),
        )));
    } else {
        let n = recovery.rows.len();
        head.push(Line::from(Span::styled(
            format!(
                "{n} request{} may have gone through, or not. Never repeat one as a new sale.",
                if n == 1 { "" } else { "s" },
            ),
            theme::warning().patch(theme::bold()),
        )));
        head.push(Line::from(Span::styled(
            "R resends it as it was (same tranOrderNo): PayWizard applies it once.",
            theme::dim(),
        )));
        head.push(Line::from(""));
        if let Some(row) = recovery.selected_row() {
            let what = match recovery.balances.get(&row.id) {
                None => None,
                Some(BalanceCheck::Asking) => Some(("asking PayWizard…".to_owned(), theme::dim())),
                Some(BalanceCheck::Known(b)) if b.is_empty() => {
                    Some(("no balances returned".to_owned(), theme::dim()))
                }
                Some(BalanceCheck::Known(b)) => Some((
                    b.iter()
                        .map(|b| b.display())
                        .collect::<Vec<_>>()
                        .join(" · "),
                    theme::ok().patch(theme::bold()),
                )),
                Some(BalanceCheck::Failed(e)) => Some((e.clone(), theme::error())),
            };
            if let Some((text, style)) = what {
                tail.push(Line::from(vec![
                    Span::raw(format!("Card balance now ({}): ", row.account_id)),
                    Span::styled(text, style),
                ]));
            }
        }
    }
    if let Some((_, row)) = recovery.resending {
        let order = recovery
            .rows
            .iter()
            .find(|r| r.id == row)
            .and_then(|r| r.tran_order_no.clone())
            .unwrap_or_default();
        tail.push(Line::from(Span::styled(
            format!("Resending {order}…"),
            theme::warning(),
        )));
    }
    if let Some(last) = &recovery.last {
        tail.push(Line::from(Span::styled(last.clone(), theme::bold())));
    }
    if let Some(reason) = &window.reason {
        tail.push(Line::from(vec![
            Span::styled("Why abandon it? ", theme::warning().patch(theme::bold())),
            Span::styled(format!("{}▏", reason.value()), theme::field(true)),
        ]));
    }
    let context = if window.reason.is_some() {
        Context::Reason
    } else {
        Context::Recovery
    };
    let head = wrap_lines(head, inner_width);
    let tail = wrap_lines(tail, inner_width);
    let hint_rows = 1 + super::key_hint(app, context, width).len();
    // Rows: whatever the screen has left, at least one.
    let fixed = head.len() + tail.len() + hint_rows + 2 + usize::from(!tail.is_empty());
    let room = usize::from(area.height).saturating_sub(fixed).max(1);
    let first = recovery.selected.saturating_sub(room - 1);
    let mut lines = head;
    for (i, row) in recovery.rows.iter().enumerate().skip(first).take(room) {
        let selected = i == recovery.selected;
        // A table row: cut at the edge rather than wrapped, so the columns stay columns.
        let text: String = format!(
            "{}{}  {:<12} {:<14} {:>10} {}",
            if selected { "› " } else { "  " },
            clock(row.at),
            row.operation.label(),
            row.account_id,
            row.quantity,
            row.tran_order_no.as_deref().unwrap_or("-"),
        )
        .chars()
        .take(inner_width)
        .collect();
        lines.push(if selected {
            Line::from(Span::styled(text, theme::selected_row()))
        } else {
            Line::from(text)
        });
    }
    if !tail.is_empty() {
        lines.push(Line::from(""));
        lines.extend(tail);
    }
    Dialog {
        title: " Recovery — outcome unknown ",
        border: theme::warning(),
        width,
        lines,
        footer: Vec::new(),
        hints: Some(context),
        offset: 0,
    }
    .render(app, frame);
}
