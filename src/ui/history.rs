//! The history pane: this shift's transactions, newest first. Only the rows that fit are
//! formatted, so a long shift costs nothing per frame.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::theme;
use crate::app::keys::{self, Action, Context};
use crate::app::{App, Focus};
use crate::outcome::{HistoryEntry, RowState};

/// Column widths: time, operation, card, entry, amount, outcome.
const TIME: usize = 8;
const OP: usize = 13;
const CARD: usize = 14;
const QTY: usize = 12;
const STATE: usize = 9;
/// Who ran it (`bob`, or `bob ✓ann` when a manager approved it).
const WHO: usize = 12;

/// Below this many columns a row drops seconds, the entry type and the first digits group.
const NARROW: usize = 69;

/// Draws the pane; `borders` is all of them in the full layout, the top one when compact.
pub fn render(app: &App, frame: &mut Frame, area: Rect, borders: Borders) {
    let focused = app.focus == Focus::History;
    let history = &app.history;
    let mut block = Block::default()
        .borders(borders)
        .title(Line::from(vec![
            Span::styled(" History ", theme::bold()),
            Span::raw(format!("— this shift ({}) ", history.entries.len())),
        ]))
        .title(Line::from(Span::styled(hint(app, focused), theme::dim())).right_aligned())
        .border_style(if focused {
            theme::focused_border()
        } else {
            theme::border()
        });
    if history.loading {
        block = block.title_bottom(Span::styled(" loading older rows… ", theme::dim()));
    }
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    let show_detail = width >= 100;
    // Who ran each row, where the till has staff (or had: older rows may name someone).
    let show_cashier =
        show_detail && (app.staff.required || history.entries.iter().any(|e| e.cashier.is_some()));
    let narrow = width < NARROW;
    let mut lines = Vec::with_capacity(usize::from(inner.height));
    let header = if narrow {
        format!(
            "  {:<5} {:<OP$} {:<9} {:<QTY$} {:<STATE$}",
            "Time", "Operation", "Card", "Amount", "Outcome"
        )
    } else {
        format!(
            "  {:<TIME$}  {:<OP$}  {:<CARD$}  E  {:<QTY$}  {:<STATE$}{}{}",
            "Time",
            "Operation",
            "Card",
            "Amount",
            "Outcome",
            if show_cashier {
                format!("  {:<WHO$}", "Cashier")
            } else {
                String::new()
            },
            if show_detail {
                "  checkoutId / message"
            } else {
                ""
            },
        )
    };
    lines.push(Line::from(Span::styled(header, theme::bold())));
    let rows = usize::from(inner.height).saturating_sub(1);
    if history.entries.is_empty() {
        let text = if history.loading {
            "  loading…"
        } else {
            "  No transactions yet this shift."
        };
        lines.push(Line::from(Span::styled(text, theme::dim())));
    }
    let offset = history.offset(rows, focused);
    let visible = history.entries.iter().enumerate().skip(offset).take(rows);
    for (i, entry) in visible {
        let selected = focused && i == history.selected;
        let mut line = if narrow {
            narrow_row(entry)
        } else {
            row(entry, show_detail, show_cashier)
        };
        // A marker as well as the highlight, so the selection survives any colour scheme.
        line.spans
            .insert(0, Span::raw(if selected { "› " } else { "  " }));
        if selected {
            line = line.style(theme::selected_row());
        }
        lines.push(line);
    }
    // Each row is drawn as a plain line into its own row of the pane: no wrapping to work
    // out, which is most of a Paragraph's cost on the busiest pane of the screen.
    frame.render_widget(block, area);
    for (y, line) in (inner.y..inner.y + inner.height).zip(lines) {
        frame.render_widget(line, Rect::new(inner.x, y, inner.width, 1));
    }
}

fn row(entry: &HistoryEntry, show_detail: bool, show_cashier: bool) -> Line<'static> {
    let at = entry.at;
    let state = state_word(entry.state);
    let mut spans = vec![
        Span::raw(format!(
            "{:02}:{:02}:{:02}  {:<OP$}  {:<CARD$}  {}  {:<QTY$}  ",
            at.hour(),
            at.minute(),
            at.second(),
            truncate(entry.operation.label(), OP),
            truncate(&entry.account_id, CARD),
            entry.entry_type.code(),
            truncate(&entry.quantity, QTY),
        )),
        Span::styled(format!("{state:<STATE$}"), theme::row_state(entry.state)),
    ];
    if show_cashier {
        spans.push(Span::raw(format!("  {:<WHO$}", truncate(&who(entry), WHO))));
    }
    if show_detail {
        let detail = match (&entry.checkout_id, entry.msg.is_empty()) {
            (Some(c), true) => c.clone(),
            (Some(c), false) => format!("{c} · {}", entry.msg),
            (None, _) => entry.msg.clone(),
        };
        spans.push(Span::styled(format!("  {detail}"), theme::dim()));
    }
    Line::from(spans)
}

/// The keys that matter in the pane, from the key table.
fn hint(app: &App, focused: bool) -> String {
    if focused {
        let items: Vec<String> = keys::bar(app, Context::History)
            .into_iter()
            .take(4)
            .map(|(k, what)| format!("{k} {what}"))
            .collect();
        format!(" {} ", items.join(" · "))
    } else {
        let open = keys::BINDINGS
            .iter()
            .find(|b| b.action == Action::History)
            .map_or("Ctrl+L", |b| b.label);
        format!(" {open} to scroll ")
    }
}

/// `09:05 Pay           **** 0014 USD 12.50    approved`: for a compact screen.
fn narrow_row(entry: &HistoryEntry) -> Line<'static> {
    let at = entry.at;
    let card: String = {
        let chars: Vec<char> = entry.account_id.chars().collect();
        chars[chars.len().saturating_sub(9)..].iter().collect()
    };
    Line::from(vec![
        Span::raw(format!(
            "{:02}:{:02} {:<OP$} {:<9} {:<QTY$} ",
            at.hour(),
            at.minute(),
            truncate(entry.operation.label(), OP),
            card,
            truncate(&entry.quantity, QTY),
        )),
        Span::styled(
            format!("{:<STATE$}", state_word(entry.state)),
            theme::row_state(entry.state),
        ),
    ])
}

/// `bob`, `bob ✓ann` (approved by ann), `-` for a row from before the till had staff.
fn who(entry: &HistoryEntry) -> String {
    match (&entry.cashier, &entry.approved_by) {
        (Some(c), Some(a)) if a != c => format!("{c} ✓{a}"),
        (Some(c), _) => c.clone(),
        (None, _) => "-".to_owned(),
    }
}

fn state_word(state: RowState) -> &'static str {
    match state {
        RowState::Unknown => "UNKNOWN",
        RowState::Sending => "sending…",
        other => other.as_str(),
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}
