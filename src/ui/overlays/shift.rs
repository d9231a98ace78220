//! The shift window: the X report (totals so far, per cashier and per operation, declined
//! and unknown counts, what the cards hold more or less), and what a Z came to. The same
//! figures as `paywizard-till shift x|z`, from the same journal function.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{Dialog, theme};
use crate::app::App;
use crate::app::keys::Context;
use crate::app::overlays::{ShiftWindow, ZState};
use crate::journal::{MoneyTotal, ShiftTotals, Tally, ZRefusal, ZReport};
use crate::ui::advice::clock;

fn money(list: &[MoneyTotal]) -> String {
    if list.is_empty() {
        return "—".to_owned();
    }
    list.iter()
        .map(|m| format!("{} {}", m.currency, m.amount))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What approved rows did to the cards: `+USD 50.00 −USD 25.00 +75 pts` (loaded onto
/// them, taken from them; points issued, redeemed).
fn on_cards(t: &Tally) -> String {
    let mut parts = Vec::new();
    for m in &t.loaded {
        parts.push(format!("+{} {}", m.currency, m.amount));
    }
    for m in &t.taken {
        parts.push(format!("−{} {}", m.currency, m.amount));
    }
    if t.points_issued > 0 {
        parts.push(format!("+{} pts", t.points_issued));
    }
    if t.points_redeemed > 0 {
        parts.push(format!("−{} pts", t.points_redeemed));
    }
    parts.join(" ")
}

fn figure(label: &str, value: String, style: Style) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {label:<16}"), theme::dim()),
        Span::styled(value, style),
    ])
}

/// `Bob Baker (bob)        5    4    1    0  −USD 12.50 +25 pts`
fn tally_row(name: &str, t: &Tally) -> Line<'static> {
    let name: String = name.chars().take(20).collect();
    let unknown = if t.unknown > 0 {
        theme::warning().patch(theme::bold())
    } else {
        Style::new()
    };
    Line::from(vec![
        Span::raw(format!(
            " {name:<20} {:>4} {:>4} {:>4} ",
            t.transactions, t.approved, t.declined
        )),
        Span::styled(format!("{:>4}", t.unknown), unknown),
        Span::raw(format!("  {}", on_cards(t))),
    ])
}

fn table_head(first: &str) -> Line<'static> {
    Line::from(Span::styled(
        format!(
            " {first:<20} {:>4} {:>4} {:>4} {:>4}  On cards",
            "All", "OK", "Decl", "Unkn"
        ),
        theme::bold(),
    ))
}

/// The figures of one shift.
fn figures(totals: &ShiftTotals) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let t = &totals.totals;
    let opened = match totals.opened_at {
        Some(at) => format!(
            "{} {}",
            at.format(time::macros::format_description!("[year]-[month]-[day]"))
                .unwrap_or_default(),
            clock(at)
        ),
        None => "no transactions yet".to_owned(),
    };
    lines.push(figure("Opened", opened, theme::bold()));
    let mut counts = format!("{} · approved {}", t.transactions, t.approved);
    for (word, n) in [
        ("declined", t.declined),
        ("rejected", t.rejected),
        ("voided", t.voided),
        ("abandoned", t.abandoned),
    ] {
        if n > 0 {
            counts.push_str(&format!(" · {word} {n}"));
        }
    }
    lines.push(figure("Transactions", counts, theme::bold()));
    lines.push(figure(
        "Unknown outcome",
        t.unknown.to_string(),
        if t.unknown > 0 {
            theme::warning().patch(theme::bold())
        } else {
            theme::ok().patch(theme::bold())
        },
    ));
    lines.push(figure(
        "Money",
        format!("loaded {} · taken {}", money(&t.loaded), money(&t.taken)),
        theme::bold(),
    ));
    lines.push(figure(
        "Points",
        format!(
            "issued {} · redeemed {}",
            t.points_issued, t.points_redeemed
        ),
        theme::bold(),
    ));
    let l = &totals.liability;
    lines.push(figure(
        "Liability",
        format!(
            "{} · {} pts (on cards, from this shift)",
            money(&l.money),
            l.points
        ),
        theme::bold(),
    ));
    if l.earlier_sales_voided > 0 {
        lines.push(figure(
            "",
            format!(
                "includes {} void(s) of sales from earlier shifts",
                l.earlier_sales_voided
            ),
            theme::dim(),
        ));
    }
    if l.voids_not_counted > 0 {
        lines.push(figure(
            "",
            format!(
                "{} void(s) of sales not in this journal are not counted",
                l.voids_not_counted
            ),
            theme::warning(),
        ));
    }
    if !totals.by_cashier.is_empty() {
        lines.push(Line::from(""));
        lines.push(table_head("By cashier"));
        for c in &totals.by_cashier {
            let who = match (&c.cashier, &c.name) {
                (Some(id), Some(name)) => format!("{name} ({id})"),
                (Some(id), None) => id.clone(),
                (None, _) => "(no cashier)".to_owned(),
            };
            lines.push(tally_row(&who, &c.totals));
        }
    }
    if !totals.by_operation.is_empty() {
        lines.push(Line::from(""));
        lines.push(table_head("By operation"));
        for o in &totals.by_operation {
            lines.push(tally_row(o.operation.label(), &o.totals));
        }
    }
    lines
}

/// What the last Z attempt came to, on top of the figures.
fn z_lines(z: &ZState) -> Vec<Line<'static>> {
    let warn = theme::warning().patch(theme::bold());
    let text = match z {
        ZState::NotAsked => return Vec::new(),
        ZState::Closing => {
            return vec![Line::from(Span::styled("closing the shift…", theme::dim()))];
        }
        ZState::Closed(z) => return vec![closed_line(z), Line::from("")],
        ZState::Refused(ZRefusal::Unknown { count }) => format!(
            "Z REFUSED: {count} transaction{} with an unknown outcome. Settle {} first with \
             Ctrl+R (resend, check the balance, or a manager abandons it), then Z again.",
            if *count == 1 { "" } else { "s" },
            if *count == 1 { "it" } else { "them" },
        ),
        ZState::Refused(ZRefusal::NothingToClose { last_z: Some(z) }) => {
            format!("Nothing to close: no transactions since Z {z}.")
        }
        ZState::Refused(ZRefusal::NothingToClose { last_z: None }) => {
            "Nothing to close: no transactions yet.".to_owned()
        }
        ZState::Refused(ZRefusal::NotPermitted(r)) => format!("Z REFUSED: {r}."),
    };
    vec![
        Line::from(Span::styled(format!(" {text}"), warn)),
        Line::from(""),
    ]
}

fn closed_line(z: &ZReport) -> Line<'static> {
    let by = match (&z.closed_by, &z.approved_by) {
        (Some(by), Some(ok)) if by != ok => format!(" by {by}, approved by {ok}"),
        (Some(by), _) => format!(" by {by}"),
        _ => String::new(),
    };
    Line::from(Span::styled(
        format!(
            "Z {} made at {}{by}: shift {} is closed and journaled.",
            z.z,
            clock(z.closed_at),
            z.z
        ),
        theme::ok().patch(theme::bold()),
    ))
}

pub fn render(app: &App, window: &ShiftWindow, frame: &mut Frame) {
    let mut lines = z_lines(&window.z);
    let title = match (&window.z, &window.totals) {
        (ZState::Closed(z), _) => {
            lines.extend(figures(&z.totals));
            format!(" Z {} — shift closed · till {} ", z.z, app.till_id)
        }
        (_, Some(totals)) => {
            lines.extend(figures(totals));
            format!(
                " Shift {} so far — X report · till {} ",
                totals.shift, app.till_id
            )
        }
        (_, None) => {
            lines.push(Line::from(Span::styled(
                " reading the journal…",
                theme::dim(),
            )));
            " Shift — X report ".to_owned()
        }
    };
    Dialog {
        title: &title,
        border: theme::focused_border(),
        width: 76,
        lines,
        footer: Vec::new(),
        hints: Some(Context::Shift),
        offset: window.scroll.offset,
    }
    .render(app, frame);
}
