//! The status pane: what to do next, the request in flight and how far it has got, or the
//! outcome of the last one in words a cashier acts on. Unknown is never dressed as approved
//! or declined; "nothing was charged" is said only where it is true, in the operation's own
//! words. Every line is wrapped here, so the layout can give the pane the rows it needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::advice;
use super::text::wrap_lines;
use super::theme;
use crate::api::{Operation, Quantity, mask_account};
use crate::app::form::FieldId;
use crate::app::status::{Finished, InFlight, StatusView, Step};
use crate::app::{App, Tone};
use crate::outcome::{Status, nothing_moved};
use crate::printer::PrintNotice;
use crate::receipt::shortfall;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The pane's lines, wrapped to `width` columns.
pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(problem) = &app.problem {
        // Rare and serious (the journal failed): it goes first.
        lines.push(Line::from(Span::styled(
            format!("⚠ {problem}"),
            theme::banner(Status::Declined),
        )));
    }
    if let Some(notice) = &app.notice {
        let style = match notice.tone {
            Tone::Info => theme::ok(),
            Tone::Warning => theme::warning(),
            Tone::Error => theme::banner(Status::Declined),
        };
        lines.push(Line::from(Span::styled(notice.text.clone(), style)));
    }
    lines.extend(match &app.status {
        StatusView::Ready => ready(app),
        StatusView::Invalid { problems } => invalid(*problems),
        StatusView::InFlight(f) => in_flight(f, app.now_ms),
        StatusView::Done(finished) => done(finished, app, width),
    });
    lines.extend(printer(app));
    wrap_lines(lines, width)
}

/// The receipt printer, while a print job is out or receipts wait for it: it stays said
/// until they are printed, whatever else happens on the screen.
fn printer(app: &App) -> Vec<Line<'static>> {
    let printer = &app.printer;
    if printer.printing() {
        return vec![Line::from(Span::styled("printing…", theme::dim()))];
    }
    let Some(
        offline @ PrintNotice::Offline {
            printer: name,
            reason,
            ..
        },
    ) = &printer.offline
    else {
        return Vec::new();
    };
    if printer.kept == 0 {
        return Vec::new();
    }
    vec![
        Line::from(Span::styled(
            offline.to_string(),
            theme::warning().patch(theme::bold()),
        )),
        Line::from(Span::styled(
            format!("printer {name} {reason}"),
            theme::dim(),
        )),
    ]
}

fn border_style(app: &App) -> Style {
    match &app.status {
        StatusView::Ready => theme::border(),
        StatusView::Invalid { .. } => theme::error(),
        StatusView::InFlight(_) => theme::focused_border(),
        StatusView::Done(f) => theme::banner(f.outcome.status)
            .bg
            .map_or(theme::border(), |c| Style::new().fg(c)),
    }
}

/// Draws the pane; `borders` is all of them in the full layout, the top one when compact.
pub fn render(
    app: &App,
    lines: Vec<Line<'static>>,
    frame: &mut Frame,
    area: Rect,
    borders: Borders,
) {
    let block = Block::default()
        .borders(borders)
        .title(" Status ")
        .border_style(border_style(app));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// What the cashier does next, named by the field that has the focus: the status and the
/// focus are read from the same state, so they cannot disagree.
fn ready(app: &App) -> Vec<Line<'static>> {
    let form = &app.form;
    let op = form.operation;
    let steps = match op {
        Operation::IssuePoints | Operation::RedeemPoints => "card, Tab, points, Enter",
        Operation::TopUp | Operation::Pay => "card, Tab, amount, Enter",
        Operation::Balance => "card, Enter",
        Operation::Activate => "card, customer info if given (Ctrl+O), Enter",
        Operation::Void => "Ctrl+L, select the sale, V, then y to confirm",
        Operation::Tip => "Ctrl+L, select the payment, T, amount, Enter",
    };
    let next = next_step(app);
    let headline = if op == Operation::Void {
        format!("Ready — {next}")
    } else if form.card_complete {
        format!(
            "Card {} {} — {next}",
            form.entry.describe(),
            mask_account(form.card.value())
        )
    } else {
        format!("Ready — {next}")
    };
    let mut lines = vec![
        Line::from(Span::styled(headline, theme::bold())),
        Line::from(vec![
            Span::styled(format!("{}: ", op.label()), theme::dim()),
            Span::raw(steps),
        ]),
    ];
    if let Some(name) = &app.name_offer
        && form.has_customer()
    {
        lines.push(Line::from(vec![
            Span::raw(format!("Swiped name: {name} — ")),
            Span::styled("Ctrl+N", theme::key()),
            Span::raw(" uses it for the customer"),
        ]));
    }
    lines
}

/// The next step, in words that name the focused field.
pub fn next_step(app: &App) -> String {
    let form = &app.form;
    if app.focus == crate::app::Focus::History {
        return "the history has the keys: V void · T tip · Esc back to the form".into();
    }
    let label = super::form::label(form, form.focus, &app.limits.currency);
    match form.focus {
        FieldId::Card if form.card_complete => match form.first_needed(&app.limits) {
            None => "Enter sends".into(),
            Some(_) => "Tab to go on".into(),
        },
        FieldId::Card if form.operation == Operation::Tip && form.tip_card_from_sale() => {
            "the card comes from the sale: Tab to the tip".into()
        }
        FieldId::Card => "scan, swipe or type the card number".into(),
        FieldId::Quantity => {
            let what = match form.operation.quantity() {
                Quantity::Points => "the points",
                _ => "the amount",
            };
            format!("{label}: type {what}, then Enter")
        }
        FieldId::Original if form.operation == Operation::Void => {
            "pick the sale to void in the history (Ctrl+L, V)".into()
        }
        FieldId::Original => format!("{label}: pick the payment in the history (Ctrl+L, T)"),
        FieldId::Activate | FieldId::Nsf => format!("{label}: Space switches · {}", then(app)),
        FieldId::Customer(_) if form.focus.is_text() => {
            format!("{label}: typing goes here · {}", then(app))
        }
        FieldId::Customer(_) => format!("{label}: press a listed key · {}", then(app)),
    }
}

/// "Enter sends", or what must be filled in first.
fn then(app: &App) -> String {
    match app.form.first_missing(&app.limits) {
        None => "Enter sends".into(),
        Some(field) => format!(
            "{} still needed",
            super::form::label(&app.form, field, &app.limits.currency)
        ),
    }
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

fn summary(parts: &[&str]) -> String {
    parts
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
    let what = match &f.reverses {
        Some(sale) => summary(&[
            f.operation.label(),
            &format!("reverses {} {}", sale.operation.label(), sale.quantity),
            &f.account,
        ]),
        None => summary(&[f.operation.label(), &f.quantity, &f.account]),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(" SENDING ", theme::selected_tab()),
            Span::styled(format!(" {what}"), theme::bold()),
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

/// "Nothing was charged." in the operation's own words, as a sentence.
fn nothing_moved_sentence(op: Operation) -> String {
    let words = nothing_moved(op);
    let mut chars = words.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

fn done(finished: &Finished, app: &App, width: usize) -> Vec<Line<'static>> {
    let outcome = &finished.outcome;
    let currency = app.limits.currency.code();
    let quantity =
        outcome
            .amount
            .as_deref()
            .map_or(String::new(), |a| match outcome.operation.quantity() {
                Quantity::Points => format!("{a} pts"),
                Quantity::Money => format!("{currency} {a}"),
                Quantity::None => String::new(),
            });
    let partial = shortfall(outcome, currency);
    let word = match (outcome.status, outcome.operation, &partial) {
        (Status::Approved, Operation::Balance, _) => "✔ BALANCE".to_owned(),
        (Status::Approved, _, Some(p)) => format!(
            "✔ APPROVED {currency} {} of {} — collect {currency} {} another way",
            p.taken, p.asked, p.short
        ),
        (Status::Approved, _, None) => "✔ APPROVED".to_owned(),
        (Status::Declined, _, _) => "✘ DECLINED".to_owned(),
        (Status::Unknown, _, _) => "? UNKNOWN OUTCOME".to_owned(),
        (Status::Rejected, _, _) => "✘ REJECTED".to_owned(),
    };
    let what = match (&finished.reverses, &partial) {
        (Some(_), _) => summary(&[outcome.operation.label(), &outcome.account_id]),
        // The banner already says the amounts.
        (None, Some(_)) => summary(&[outcome.operation.label(), &outcome.account_id]),
        (None, None) => summary(&[outcome.operation.label(), &quantity, &outcome.account_id]),
    };
    // The banner fills its lines: the colour is the message.
    let style = theme::banner(outcome.status);
    let banner_width = width.max(2);
    let one_line = format!("{word}   {what}");
    let (banner, under) = if one_line.chars().count() < banner_width {
        (one_line, None)
    } else {
        (word, Some(what))
    };
    let mut lines: Vec<Line<'static>> = super::text::wrap(&banner, banner_width - 1)
        .into_iter()
        .map(|l| {
            Line::from(Span::styled(
                format!(" {l:<w$}", w = banner_width - 1),
                style,
            ))
        })
        .collect();
    if let Some(what) = under {
        lines.push(Line::from(Span::styled(what, theme::bold())));
    }
    let order = outcome
        .tran_order_no
        .as_deref()
        .map(|n| format!("tranOrderNo {n}"));
    if let Some(sale) = &finished.reverses {
        lines.push(Line::from(vec![
            Span::raw("Reversed: "),
            Span::styled(
                summary(&[
                    &format!("{} {}", sale.operation.label(), sale.quantity),
                    &sale.account_id,
                    &format!("sold {}", advice::clock(sale.at)),
                    &sale
                        .checkout_id
                        .as_deref()
                        .map(|c| format!("checkoutId {c}"))
                        .unwrap_or_default(),
                ]),
                theme::bold(),
            ),
        ]));
    }
    match outcome.status {
        Status::Approved => {
            if !outcome.balances.is_empty() {
                let balances: Vec<String> = outcome.balances.iter().map(|b| b.display()).collect();
                let label = if outcome.operation == Operation::Balance {
                    "Balance: "
                } else {
                    "New balance: "
                };
                lines.push(Line::from(vec![
                    Span::raw(label),
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
            for help in advice::after_decline(finished) {
                lines.push(Line::from(Span::styled(
                    help,
                    theme::warning().patch(theme::bold()),
                )));
            }
            lines.push(Line::from(Span::styled(
                summary(&[
                    &nothing_moved_sentence(outcome.operation),
                    &order.unwrap_or_default(),
                ]),
                theme::dim(),
            )));
        }
        Status::Unknown => {
            lines.push(Line::from(Span::styled(
                "May have gone through — do NOT repeat the sale. It is saved in the journal.",
                theme::warning().patch(theme::bold()),
            )));
            lines.push(Line::from(Span::raw(summary(&[
                "Ctrl+R resolves it safely.",
                &order.unwrap_or_default(),
            ]))));
            if !outcome.msg.is_empty() {
                lines.push(Line::from(Span::styled(
                    format!("Reason: {}", outcome.msg),
                    theme::dim(),
                )));
            }
        }
        Status::Rejected => {
            lines.push(Line::from(Span::styled(
                advice::reason(&outcome.msg).to_owned(),
                theme::error().patch(theme::bold()),
            )));
            lines.push(Line::from(Span::raw(summary(&[
                &nothing_moved_sentence(outcome.operation),
                &order.unwrap_or_default(),
            ]))));
        }
    }
    lines
}
