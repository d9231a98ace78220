//! The status pane: what the till is doing with the current request, live, and then its
//! outcome in words a cashier acts on. Unknown is never dressed as approved or declined.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::theme;
use crate::api::{EntryType, Operation, Quantity, mask_account};
use crate::app::form::FieldId;
use crate::app::status::{InFlight, StatusView, Step};
use crate::app::{App, Tone};
use crate::outcome::{Outcome, Status};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let (lines, border) = match &app.status {
        StatusView::Ready => (ready(app), theme::border()),
        StatusView::Invalid { problems } => (invalid(*problems), theme::error()),
        StatusView::InFlight(f) => (in_flight(f, app.now_ms), theme::focused_border()),
        StatusView::Done(outcome) => (done(outcome, app, usize::from(area.width)), {
            theme::banner(outcome.status)
                .bg
                .map_or(theme::border(), |c| Style::new().fg(c))
        }),
    };
    let mut block = Block::bordered().title(" Status ").border_style(border);
    if let Some(notice) = &app.notice {
        let style = match notice.tone {
            Tone::Info => theme::ok(),
            Tone::Warning => theme::warning(),
            Tone::Error => theme::banner(Status::Declined),
        };
        block = block.title_bottom(Line::from(Span::styled(
            format!(" {} ", notice.text),
            style,
        )));
    }
    let mut lines = lines;
    if let Some(problem) = &app.problem {
        // Rare and serious (the journal failed): it goes first.
        lines.insert(
            0,
            Line::from(Span::styled(
                format!("⚠ {problem}"),
                theme::banner(Status::Declined),
            )),
        );
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn ready(app: &App) -> Vec<Line<'static>> {
    let op = app.form.operation;
    let steps = match op {
        Operation::IssuePoints | Operation::RedeemPoints => "card, Tab, points, Enter",
        Operation::TopUp | Operation::Pay => "card, Tab, amount, Enter",
        Operation::Balance => "card, Enter",
        Operation::Activate => "card, customer info if given (Ctrl+O), Enter",
        Operation::Void => "Ctrl+L, select the sale, V, then y to confirm",
        Operation::Tip => "Ctrl+L, select the payment, T, amount, Enter",
    };
    let card = app.form.card.value();
    // A typed card is done once the cashier has moved on from it; a read one at once.
    let card_in = !card.is_empty()
        && !app.form.errors.contains_key(&FieldId::Card)
        && (app.form.entry != EntryType::K || app.form.focus != FieldId::Card);
    let ready = if op == Operation::Void {
        "Ready — pick the sale to void in the history".to_owned()
    } else if card_in {
        let next = match op.quantity() {
            Quantity::Points => "type the points, then Enter",
            Quantity::Money => "type the amount, then Enter",
            Quantity::None => "Enter sends",
        };
        format!(
            "Card {} {} — {next}",
            app.form.entry.describe(),
            mask_account(card)
        )
    } else {
        "Ready — scan, swipe or type the card number".to_owned()
    };
    let mut lines = vec![
        Line::from(Span::styled(ready, theme::bold())),
        Line::from(vec![
            Span::styled(format!("{}: ", op.label()), theme::dim()),
            Span::raw(steps),
        ]),
    ];
    if let Some(name) = &app.name_offer
        && app.form.has_customer()
    {
        lines.push(Line::from(vec![
            Span::raw(format!("Swiped name: {name} — ")),
            Span::styled("Ctrl+N", theme::key()),
            Span::raw(" uses it for the customer"),
        ]));
    }
    lines
}

fn invalid(problems: usize) -> Vec<Line<'static>> {
    let fields = if problems == 1 { "field" } else { "fields" };
    vec![
        Line::from(Span::styled(
            " ✗ NOT SENT ",
            theme::banner(Status::Declined),
        )),
        Line::from(Span::styled(
            format!(
                "Fix the {problems} {fields} marked ✗ above, then press Enter. Nothing was sent."
            ),
            theme::error(),
        )),
    ]
}

fn summary(operation: Operation, quantity: &str, account: &str) -> String {
    [operation.label(), quantity, account]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn in_flight(f: &InFlight, now_ms: u64) -> Vec<Line<'static>> {
    let spinner = SPINNER[usize::try_from(now_ms / 100).unwrap_or(0) % SPINNER.len()];
    let mut steps = Vec::new();
    let mut all: Vec<Step> = Step::ALWAYS.to_vec();
    if f.step == Step::FetchingBalance {
        all.push(Step::FetchingBalance);
    }
    for step in all {
        if !steps.is_empty() {
            steps.push(Span::raw("  "));
        }
        if step < f.step {
            steps.push(Span::styled(format!("✓ {}", step.label()), theme::ok()));
        } else if step == f.step {
            let text = if step == Step::Waiting {
                format!("{spinner} waiting {}s", f.elapsed_secs(now_ms))
            } else {
                format!("{spinner} {}", step.active_label())
            };
            steps.push(Span::styled(text, theme::warning().patch(theme::bold())));
        } else {
            steps.push(Span::styled(format!("· {}", step.label()), theme::dim()));
        }
    }
    let mut lines = vec![
        Line::from(vec![
            Span::styled(" SENDING ", theme::selected_tab()),
            Span::styled(
                format!(" {}", summary(f.operation, &f.quantity, &f.account)),
                theme::bold(),
            ),
        ]),
        Line::from(steps),
    ];
    let mut detail = Vec::new();
    if let Some(no) = &f.tran_order_no {
        detail.push(Span::styled(format!("tranOrderNo {no}"), theme::dim()));
    }
    if let Some((attempt, reason)) = &f.retry {
        if !detail.is_empty() {
            detail.push(Span::raw(" · "));
        }
        detail.push(Span::styled(
            format!("not connected, retrying (attempt {attempt}): {reason}"),
            theme::warning(),
        ));
    }
    if !detail.is_empty() {
        lines.push(Line::from(detail));
    }
    lines
}

fn done(outcome: &Outcome, app: &App, width: usize) -> Vec<Line<'static>> {
    let quantity =
        outcome
            .amount
            .as_deref()
            .map_or(String::new(), |a| match outcome.operation.quantity() {
                Quantity::Points => format!("{a} pts"),
                Quantity::Money => format!("{} {a}", app.limits.currency.code()),
                Quantity::None => String::new(),
            });
    let what = summary(outcome.operation, &quantity, &outcome.account_id);
    let (word, _) = match outcome.status {
        Status::Approved => ("✔ APPROVED", ()),
        Status::Declined => ("✘ DECLINED", ()),
        Status::Unknown => ("? UNKNOWN OUTCOME", ()),
        Status::Rejected => ("✘ REJECTED", ()),
    };
    let banner_text = format!(" {word}   {what}");
    // The banner fills the line: the colour is the message.
    let banner = Line::from(Span::styled(
        format!("{banner_text:<width$}", width = width.saturating_sub(2)),
        theme::banner(outcome.status),
    ));
    let order = outcome
        .tran_order_no
        .as_deref()
        .map(|n| format!("tranOrderNo {n}"));
    let mut lines = vec![banner];
    match outcome.status {
        Status::Approved => {
            if !outcome.balances.is_empty() {
                let balances: Vec<String> = outcome.balances.iter().map(|b| b.display()).collect();
                lines.push(Line::from(vec![
                    Span::raw("New balance: "),
                    Span::styled(balances.join(" · "), theme::ok().patch(theme::bold())),
                ]));
            }
            let ids: Vec<String> = outcome
                .checkout_id
                .as_deref()
                .map(|c| format!("checkoutId {c}"))
                .into_iter()
                .chain(order)
                .collect();
            if !ids.is_empty() {
                lines.push(Line::from(Span::styled(ids.join(" · "), theme::dim())));
            }
            if app.receipt.is_some() {
                lines.push(Line::from(vec![
                    Span::styled(" Ctrl+P ", theme::key()),
                    Span::raw(" receipt"),
                ]));
            }
        }
        Status::Declined => {
            lines.push(Line::from(vec![
                Span::raw("PayWizard says: "),
                Span::styled(outcome.msg.clone(), theme::error().patch(theme::bold())),
            ]));
            lines.push(Line::from(Span::styled(
                join_dim("Nothing was charged.", order),
                theme::dim(),
            )));
        }
        Status::Unknown => {
            lines.push(Line::from(Span::styled(
                "May have gone through — do NOT repeat the sale. It is saved in the journal.",
                theme::warning().patch(theme::bold()),
            )));
            lines.push(Line::from(Span::raw(join_dim(
                "Ctrl+R resolves it safely.",
                order,
            ))));
            if !outcome.msg.is_empty() {
                lines.push(Line::from(Span::styled(
                    format!("Reason: {}", outcome.msg),
                    theme::dim(),
                )));
            }
        }
        Status::Rejected => {
            lines.push(Line::from(Span::styled(
                outcome.msg.clone(),
                theme::error().patch(theme::bold()),
            )));
            // The worker's message may already say so; do not say it twice.
            let first = if outcome.msg.to_lowercase().contains("nothing was charged") {
                ""
            } else {
                "Nothing was charged."
            };
            lines.push(Line::from(Span::raw(
                join_dim(first, order).trim().to_string(),
            )));
        }
    }
    lines
}

fn join_dim(first: &str, order: Option<String>) -> String {
    match order {
        Some(o) => format!("{first} {o}"),
        None => first.to_string(),
    }
}
