//! The manager's approval: what is to be approved and why it needs a manager, who stays
//! signed on, and the manager's ID and PIN (the PIN as dots).

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{Dialog, field, theme};
use crate::api::Operation;
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::{Approval, PendingAction};
use crate::money::Amount;
use crate::ui::sign_on::{fields, status_line};

fn what(app: &App, then: &PendingAction) -> Vec<Line<'static>> {
    let strong = theme::bold();
    match then {
        PendingAction::Submit { request, reverses } => {
            let op = request.operation;
            let mut lines = Vec::new();
            let currency = &app.limits.currency;
            if op == Operation::Void {
                lines.push(reason("A void needs a manager's approval."));
                match reverses {
                    Some(sale) => lines.push(field(
                        "Sale",
                        format!(
                            "{} · {} · {}",
                            sale.operation.label(),
                            sale.quantity,
                            sale.account_id
                        ),
                        strong,
                    )),
                    None => lines.push(field(
                        "checkoutId",
                        request.original_checkout_id.clone().unwrap_or_default(),
                        strong,
                    )),
                }
            } else {
                // Only money amounts over `manager_over` get here besides a void.
                let limit = app
                    .staff
                    .manager_over
                    .map(|minor| format!(" {}", Amount::from_minor(minor).display(currency)))
                    .unwrap_or_default();
                lines.push(reason(&format!(
                    "An amount over{limit} needs a manager's approval."
                )));
                let card = if request.account.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", crate::api::mask_account(&request.account))
                };
                lines.push(field(
                    op.label(),
                    format!("{}{card}", request.quantity_display(currency)),
                    strong,
                ));
            }
            lines
        }
        PendingAction::Abandon {
            tran_order_no,
            reason: why,
            ..
        } => vec![
            reason("Abandoning a request whose outcome is unknown needs a manager."),
            field(
                "Request",
                tran_order_no
                    .clone()
                    .unwrap_or_else(|| "(no tranOrderNo)".into()),
                strong,
            ),
            field("Reason", why.clone(), strong),
        ],
        PendingAction::CloseShift(window) => {
            let shift = window
                .totals
                .as_ref()
                .map(|t| format!(" (Z {})", t.shift))
                .unwrap_or_default();
            vec![reason(&format!(
                "Closing the shift{shift} needs a manager's approval."
            ))]
        }
    }
}

fn reason(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_owned(),
        theme::warning().patch(theme::bold()),
    ))
}

pub fn render(app: &App, approval: &Approval, frame: &mut Frame) {
    let mut lines = what(app, &approval.then);
    if let Some(who) = &app.staff.signed_on {
        let m = who.member();
        lines.push(field(
            "Cashier",
            format!("{} ({}) stays signed on", m.name, m.id),
            theme::dim(),
        ));
    }
    lines.push(Line::from(""));
    lines.extend(fields(&approval.form, "Manager ID"));
    lines.push(Line::from(""));
    lines.push(status_line(
        &approval.form,
        "A manager types their ID and PIN here; Enter approves.",
    ));
    Dialog {
        title: " Manager approval ",
        border: theme::warning(),
        width: 66,
        lines,
        footer: Vec::new(),
        hints: Some(Context::Approval),
        offset: 0,
    }
    .render(app, frame);
}
