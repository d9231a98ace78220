//! The recovery window: each request with no known outcome, what the cashier can do about
//! it, and what the last action came to.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::dialogs::window;
use super::theme;
use crate::app::App;
use crate::app::recovery::BalanceCheck;

pub fn render(app: &App, frame: &mut Frame) {
    let recovery = &app.recovery;
    let area = frame.area();
    let width = area.width.saturating_sub(4).min(100);
    let inner_width = usize::from(width.saturating_sub(2));
    let mut lines = Vec::new();
    if !recovery.loaded {
        lines.push(Line::from(Span::styled(
            "reading the journal…",
            theme::dim(),
        )));
    } else if recovery.rows.is_empty() {
        lines.push(Line::from(Span::styled(
            "✓ Every request has a known outcome. Nothing to recover.",
            theme::ok().patch(theme::bold()),
        )));
    } else {
        let n = recovery.rows.len();
        lines.push(Line::from(Span::styled(
            format!(
                "{n} request{} may have gone through, or not. Never repeat one as a new sale.",
                if n == 1 { "" } else { "s" },
            ),
            theme::warning().patch(theme::bold()),
        )));
        lines.push(Line::from(Span::styled(
            "R resends it as it was (same tranOrderNo): PayWizard applies it once.",
            theme::dim(),
        )));
        lines.push(Line::from(""));
        // Room for the rows: the screen less the window's own lines.
        let room = usize::from(area.height.saturating_sub(14)).max(3);
        let first = recovery.selected.saturating_sub(room - 1);
        for (i, row) in recovery.rows.iter().enumerate().skip(first).take(room) {
            let selected = i == recovery.selected;
            let at = row.at;
            let text = format!(
                "{}{:02}:{:02}:{:02}  {:<12} {:<14} {:>10} {}",
                if selected { "› " } else { "  " },
                at.hour(),
                at.minute(),
                at.second(),
                row.operation.label(),
                row.account_id,
                row.quantity,
                row.tran_order_no.as_deref().unwrap_or("-"),
            );
            let text: String = text.chars().take(inner_width).collect();
            lines.push(if selected {
                Line::from(Span::styled(text, theme::selected_row()))
            } else {
                Line::from(text)
            });
        }
        lines.push(Line::from(""));
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
                lines.push(Line::from(vec![
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
        lines.push(Line::from(Span::styled(
            format!("Resending {order}…"),
            theme::warning(),
        )));
    }
    if let Some(last) = &recovery.last {
        lines.push(Line::from(Span::styled(last.clone(), theme::bold())));
    }
    if let Some(reason) = &recovery.reason {
        lines.push(Line::from(vec![
            Span::styled("Why abandon it? ", theme::warning().patch(theme::bold())),
            Span::styled(format!("{}▏", reason.value()), theme::field(true)),
        ]));
    }
    // Unwrapped, each line takes one screen row (anything longer is cut), so the height
    // is exact.
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let block = Block::bordered()
        .title(Span::styled(" Recovery — outcome unknown ", theme::bold()))
        .title_bottom(
            Line::from(if recovery.rows.is_empty() {
                " Esc closes "
            } else {
                " R resend same · B balance · A abandon · Esc later "
            })
            .right_aligned(),
        )
        .border_style(theme::warning());
    let area = window(frame, width, height);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
