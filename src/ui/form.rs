//! The form: one line per field (label, value box, badge), with the field's message beside
//! it, or under it when it does not fit. The customer section scrolls under the fixed
//! fields when the terminal is short.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use tui_input::Input;

use super::text::wrap;
use super::theme;
use crate::api::customer::FieldKind;
use crate::api::{CustomerField, Operation, Quantity, mask_account};
use crate::app::form::{FieldId, Form};
use crate::app::{App, Focus};

/// Marker column + label column: where value boxes start.
const LABEL: usize = 22;

/// The form laid out as lines for a given inner width.
pub struct FormView {
    /// Operation fields and the customer section's header: always shown.
    head: Vec<Line<'static>>,
    /// The 19 customer fields (and their messages), when open.
    customer: Vec<Line<'static>>,
    /// The focused field's first line and line count, within `customer` (if there).
    customer_focus: Option<(usize, usize)>,
    /// Where the text cursor goes: (in customer part?, line, column).
    cursor: Option<(bool, usize, u16)>,
}

impl FormView {
    /// Rows the form needs inside its border to show everything.
    pub fn wanted_rows(&self) -> usize {
        self.head.len() + self.customer.len()
    }

    pub fn head_rows(&self) -> usize {
        self.head.len()
    }
}

/// The label a field's row shows; the status pane names fields by the same words.
pub fn label(form: &Form, field: FieldId, currency: &crate::money::Currency) -> String {
    match field {
        FieldId::Card => "Card number".into(),
        FieldId::Quantity => match (form.operation.quantity(), form.operation) {
            (Quantity::Points, _) => "Points".into(),
            (_, Operation::Tip) => format!("Tip ({})", currency.code()),
            _ => format!("Amount ({})", currency.code()),
        },
        FieldId::Original => "Original checkoutId".into(),
        FieldId::Activate => "Activate card".into(),
        FieldId::Nsf => "Allow partial (NSF)".into(),
        FieldId::Customer(f) => f.label().into(),
    }
}

/// Everything one field row is made of.
struct Row {
    label: String,
    value: Span<'static>,
    /// Right after the value box, on the same line (badge, hint).
    after: Vec<Span<'static>>,
    /// The message: beside the field when it fits, else on the lines under it.
    tail: Option<Span<'static>>,
    cursor: Option<u16>,
}

pub fn view(app: &App, width: u16) -> FormView {
    let form = &app.form;
    let width = usize::from(width);
    let value_width = match width {
        100.. => 32,
        76.. => 24,
        _ => 20,
    };
    let form_focused = app.focus == Focus::Form;
    let mut view = FormView {
        head: Vec::new(),
        customer: Vec::new(),
        customer_focus: None,
        cursor: None,
    };
    for field in form.fields() {
        let focused = form_focused && form.focus == field;
        let row = row(form, field, focused, value_width, &app.limits.currency);
        let in_customer = matches!(field, FieldId::Customer(_));
        let target = if in_customer {
            &mut view.customer
        } else {
            &mut view.head
        };
        let first = target.len();
        let cursor = row.cursor;
        let lines = layout_row(row, focused, width);
        let count = lines.len();
        target.extend(lines);
        if focused {
            if in_customer {
                view.customer_focus = Some((first, count));
            }
            if let Some(col) = cursor {
                let col = u16::try_from(LABEL + usize::from(col)).unwrap_or(u16::MAX);
                view.cursor = Some((in_customer, first, col));
            }
        }
    }
    if form.has_customer() {
        // The section header sits between the operation's fields and the customer fields.
        view.head.push(customer_header(form, width));
    }
    view
}

fn customer_header(form: &Form, width: usize) -> Line<'static> {
    let problems = form
        .errors
        .keys()
        .filter(|f| matches!(f, FieldId::Customer(_)))
        .count();
    let filled = form
        .customer
        .iter()
        .filter(|i| !i.value().is_empty())
        .count();
    let mut spans = vec![Span::styled(
        format!("  {:<w$}", "Customer info", w = LABEL - 2),
        theme::bold(),
    )];
    if form.customer_open {
        spans.push(Span::raw("▾ open · "));
        spans.push(Span::styled("Ctrl+O", theme::key()));
        spans.push(Span::raw(" closes"));
    } else {
        spans.push(Span::raw("▸ closed · "));
        spans.push(Span::styled("Ctrl+O", theme::key()));
        spans.push(Span::raw(" opens (optional)"));
    }
    if filled > 0 && (width >= 100 || problems == 0) {
        spans.push(Span::styled(format!(" · {filled} filled"), theme::dim()));
    }
    if problems > 0 {
        spans.push(Span::styled(
            format!(" · ✗ {problems} to fix"),
            theme::error(),
        ));
    }
    Line::from(spans)
}

fn row(
    form: &Form,
    field: FieldId,
    focused: bool,
    value_width: usize,
    currency: &crate::money::Currency,
) -> Row {
    let error = form
        .errors
        .get(&field)
        .map(|e| Span::styled(format!("✗ {e}"), theme::error()));
    match field {
        FieldId::Card => {
            // The full number only while it is being typed; masked everywhere else (a read
            // or finished card is not being typed, even with the focus on it).
            let shown = ((!focused || form.card_complete) && !form.card.value().is_empty())
                .then(|| mask_account(form.card.value()));
            let (value, cursor) = input_box(
                &form.card,
                value_width,
                focused,
                if form.tip_card_from_sale() {
                    "from the sale, or scan"
                } else {
                    "scan, swipe or type"
                },
                shown,
            );
            let after = vec![
                Span::raw(" "),
                Span::styled(format!("[{}]", form.entry.code()), theme::selected_tab()),
                Span::styled(format!(" {}", form.entry.describe()), theme::dim()),
            ];
            let tail = error
                .or_else(|| {
                    form.card_warning()
                        .map(|w| Span::styled(format!("⚠ {w}"), theme::warning()))
                })
                .or_else(|| {
                    (focused && form.card_complete)
                        .then(|| Span::styled("typing starts a new card · ← edits", theme::dim()))
                });
            Row {
                label: "Card number".into(),
                value,
                after,
                tail,
                cursor,
            }
        }
        FieldId::Quantity => {
            let label = label(form, field, currency);
            let placeholder = match (form.operation.quantity(), form.operation) {
                (Quantity::Points, _) => "e.g. 25",
                (_, Operation::Tip) => "e.g. 2.00",
                _ => "e.g. 10.50",
            };
            let (value, cursor) =
                input_box(&form.quantity, value_width, focused, placeholder, None);
            Row {
                label,
                value,
                after: Vec::new(),
                tail: error,
                cursor,
            }
        }
        FieldId::Original => {
            let placeholder = if form.operation == Operation::Void {
                "from history: Ctrl+L, V"
            } else {
                "from history: Ctrl+L, T"
            };
            let (value, cursor) =
                input_box(&form.original, value_width, focused, placeholder, None);
            Row {
                label: "Original checkoutId".into(),
                value,
                after: Vec::new(),
                tail: error,
                cursor,
            }
        }
        FieldId::Activate | FieldId::Nsf => {
            let on = if field == FieldId::Activate {
                form.activate
            } else {
                form.nsf_allowed
            };
            let label = label(form, field, currency);
            let text = if on { "[x] yes" } else { "[ ] no" };
            Row {
                label,
                value: Span::styled(pad(text, value_width), theme::field(focused)),
                after: if focused {
                    vec![Span::styled(" Space switches", theme::dim())]
                } else {
                    Vec::new()
                },
                tail: None,
                cursor: None,
            }
        }
        FieldId::Customer(f) => customer_row(form, f, focused, value_width, error),
    }
}

fn customer_row(
    form: &Form,
    field: CustomerField,
    focused: bool,
    value_width: usize,
    error: Option<Span<'static>>,
) -> Row {
    let input = form.customer_input(field);
    if let FieldKind::Choice(choices) = field.kind() {
        let current = input.value();
        let text = choices
            .iter()
            .find(|(code, _)| *code == current)
            .map_or_else(
                || "—".to_string(),
                |(code, meaning)| format!("{code} {meaning}"),
            );
        let options: Vec<String> = choices
            .iter()
            .map(|(code, meaning)| format!("{code} {meaning}"))
            .collect();
        let tail = error.or_else(|| {
            focused.then(|| {
                Span::styled(
                    format!("keys: {} · Space next · Del clears", options.join(" · ")),
                    theme::dim(),
                )
            })
        });
        return Row {
            label: field.label().into(),
            value: Span::styled(pad(&text, value_width), theme::field(focused)),
            after: Vec::new(),
            tail,
            cursor: None,
        };
    }
    let hint = match field.kind() {
        FieldKind::Date | FieldKind::Text { .. } => field.hint().to_string(),
        _ if field.hint().is_empty() => String::new(),
        // "e.g." so an example is never mistaken for something already typed.
        _ => format!("e.g. {}", field.hint()),
    };
    let (value, cursor) = input_box(input, value_width, focused, &hint, None);
    Row {
        label: field.label().into(),
        value,
        after: Vec::new(),
        tail: error,
        cursor,
    }
}

/// The value box: the visible part of the input, or a dim placeholder when empty.
fn input_box(
    input: &Input,
    width: usize,
    focused: bool,
    placeholder: &str,
    shown: Option<String>,
) -> (Span<'static>, Option<u16>) {
    let style = theme::field(focused);
    if let Some(shown) = shown {
        return (Span::styled(pad(&shown, width), style), None);
    }
    if input.value().is_empty() {
        let cursor = focused.then_some(0);
        return (
            Span::styled(pad(placeholder, width), style.patch(theme::dim())),
            cursor,
        );
    }
    // Keep one column free so the cursor can sit after the last character.
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let text: String = input.value().chars().skip(scroll).take(width).collect();
    let cursor =
        focused.then(|| u16::try_from(input.visual_cursor().saturating_sub(scroll)).unwrap_or(0));
    (Span::styled(pad(&text, width), style), cursor)
}

fn pad(text: &str, width: usize) -> String {
    let mut s: String = text.chars().take(width).collect();
    let len = s.chars().count();
    s.extend(std::iter::repeat_n(' ', width - len));
    s
}

fn layout_row(row: Row, focused: bool, width: usize) -> Vec<Line<'static>> {
    let (marker, label_style) = if focused {
        ("› ", theme::focused_border().patch(theme::bold()))
    } else {
        ("  ", Style::new())
    };
    let mut spans = vec![
        Span::styled(marker, theme::focused_border()),
        Span::styled(format!("{:<w$}", row.label, w = LABEL - 2), label_style),
        row.value,
    ];
    spans.extend(row.after);
    let mut first = Line::from(spans);
    let Some(tail) = row.tail else {
        return vec![first];
    };
    let used = first.width();
    let tail_width = tail.width();
    if used + 2 + tail_width <= width {
        first.spans.push(Span::raw("  "));
        first.spans.push(tail);
        return vec![first];
    }
    // Under the value box, wrapped on words so nothing is cut mid-word.
    let room = width.saturating_sub(LABEL).max(20);
    let mut lines = vec![first];
    for part in wrap(&tail.content, room) {
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(LABEL)),
            Span::styled(part, tail.style),
        ]));
    }
    lines
}

/// Draws the form; `borders` is all of them in the full layout, the top one when compact.
pub fn render(app: &App, view: FormView, frame: &mut Frame, area: Rect, borders: Borders) {
    let focused = app.focus == Focus::Form;
    let block = Block::default()
        .borders(borders)
        .title(Line::from(vec![
            Span::raw(" "),
            Span::styled(app.form.operation.label().to_string(), theme::bold()),
            Span::raw(" "),
        ]))
        .border_style(if focused {
            theme::focused_border()
        } else {
            theme::border()
        });
    let inner = block.inner(area);
    let rows = usize::from(inner.height);
    let mut room = rows.saturating_sub(view.head.len());
    if view.customer.len() > room && !borders.contains(Borders::BOTTOM) {
        // Without a bottom border the "more" note takes a row of its own.
        room = room.saturating_sub(1);
    }
    // Scroll the customer section just enough to keep the focused field in sight.
    let offset = match view.customer_focus {
        // Its whole row when it fits, and always its first line (where the cursor is).
        Some((first, count)) if first + count > room => {
            (first + count).saturating_sub(room).min(first)
        }
        _ => 0,
    };
    let hidden_above = offset;
    let hidden_below = view.customer.len().saturating_sub(offset + room);
    let mut block = block;
    if hidden_above + hidden_below > 0 {
        let mut parts = Vec::new();
        if hidden_above > 0 {
            parts.push(format!("↑ {hidden_above} more"));
        }
        if hidden_below > 0 {
            parts.push(format!("↓ {hidden_below} more"));
        }
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(" {} (Tab / Up / Down) ", parts.join(" · ")),
                theme::dim(),
            ))
            .right_aligned(),
        );
    }
    let head_rows = view.head.len();
    let mut lines = view.head;
    lines.extend(view.customer.into_iter().skip(offset).take(room));
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if let Some((in_customer, line, col)) = view.cursor {
        let row = if in_customer {
            if line < offset || line >= offset + room {
                return;
            }
            head_rows + line - offset
        } else {
            line
        };
        let Ok(row) = u16::try_from(row) else { return };
        if row < inner.height && col < inner.width {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
        }
    }
}
