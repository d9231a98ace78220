//! Today's totals: the headline figures a manager asks for, then every operation by
//! outcome. The same numbers as the `report` command, from the same journal query.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, theme};
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::ReportWindow;
use crate::journal::MoneyTotal;

/// `USD 12.50 · 5 pts`, or `—` when nothing moved.
fn amounts(money: &[MoneyTotal], points: u64) -> String {
    let mut parts: Vec<String> = money
        .iter()
        .map(|t| format!("{} {}", t.currency, t.amount))
        .collect();
    if points > 0 {
        parts.push(format!("{points} pts"));
    }
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn money(totals: &[MoneyTotal]) -> String {
    amounts(totals, 0)
}

fn figure(label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {label:<18}"), theme::dim()),
        Span::styled(value, theme::bold()),
    ])
}

pub fn render(app: &App, window: &ReportWindow, frame: &mut Frame) {
    let mut lines = Vec::new();
    let title = match &window.report {
        None => {
            lines.push(Line::from(Span::styled(
                " reading the journal…",
                theme::dim(),
            )));
            " Today's totals ".to_owned()
        }
        Some(report) => {
            let h = &report.headline;
            let day = report
                .from
                .format(time::macros::format_description!("[year]-[month]-[day]"))
                .unwrap_or_default();
            lines.push(figure(
                "Transactions",
                format!("{} (all outcomes)", h.transactions),
            ));
            lines.push(figure(
                "Points",
                format!(
                    "{} issued · {} redeemed",
                    h.points_issued, h.points_redeemed
                ),
            ));
            lines.push(figure("Topped up", money(&h.topped_up)));
            lines.push(figure("Paid", money(&h.paid)));
            lines.push(figure("Tips", money(&h.tipped)));
            lines.push(figure("Voided", amounts(&h.voided, h.voided_points)));
            let open = if h.open == 0 {
                Span::styled("0".to_owned(), theme::ok().patch(theme::bold()))
            } else {
                Span::styled(
                    format!(
                        "{} (not in the totals: {}) — Ctrl+R",
                        h.open,
                        amounts(&h.open_money, h.open_points)
                    ),
                    theme::warning().patch(theme::bold()),
                )
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<18}", "Unknown outcome"), theme::dim()),
                open,
            ]));
            lines.push(Line::from(""));
            if report.lines.is_empty() {
                lines.push(Line::from(Span::styled(
                    " No transactions yet today.",
                    theme::dim(),
                )));
            } else {
                lines.push(Line::from(Span::styled(
                    format!(
                        " {:<14} {:<10} {:>5}  {}",
                        "Operation", "Outcome", "Count", "Amount"
                    ),
                    theme::bold(),
                )));
            }
            for line in &report.lines {
                let amount = amounts(&line.money, line.points);
                lines.push(Line::from(format!(
                    " {:<14} {:<10} {:>5}  {amount}",
                    line.operation.label(),
                    line.state.as_str(),
                    line.count,
                )));
            }
            format!(" Today's totals — {day} · till {} ", app.till_id)
        }
    };
    Dialog {
        title: &title,
        border: theme::focused_border(),
        width: 76,
        lines,
        footer: Vec::new(),
        hints: Some(Context::Report),
        offset: window.scroll.offset,
    }
    .render(app, frame);
}
