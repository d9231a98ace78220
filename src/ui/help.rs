//! The help bar (keys for what has focus), the full key list overlay, and the quit question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme;
use crate::app::form::FieldId;
use crate::app::keymap::HELP;
use crate::app::{App, Focus, Overlay};

/// The keys that matter right now, most important first; what does not fit is left off
/// whole (F1 always lists everything).
fn bar_items(app: &App) -> Vec<(&'static str, &'static str)> {
    match (app.overlay, app.focus) {
        (Overlay::ConfirmQuit, _) => vec![("y", "quit anyway"), ("n", "stay")],
        (Overlay::Help, _) => vec![("Esc", "close help")],
        (Overlay::ConfirmVoid, _) => vec![("y", "void it"), ("n", "keep the sale")],
        (Overlay::Recovery, _) if app.recovery.reason.is_some() => {
            vec![("Enter", "abandon with this reason"), ("Esc", "cancel")]
        }
        (Overlay::Recovery, _) => vec![
            ("R", "resend same"),
            ("B", "balance"),
            ("A", "abandon"),
            ("↑↓", "select"),
            ("Esc", "close"),
        ],
        (Overlay::Report, _) => vec![("R", "refresh"), ("Esc", "close")],
        (Overlay::Receipt, _) if app.receipts_enabled => {
            vec![("S", "save for printer"), ("Esc", "close")]
        }
        (Overlay::Receipt, _) => vec![("Esc", "close")],
        (Overlay::None, Focus::History) => vec![
            ("↑↓", "select"),
            ("V", "void"),
            ("T", "tip"),
            ("Esc", "back to form"),
            ("F1", "help"),
            ("q", "quit"),
            ("PgUp/PgDn", "page"),
        ],
        (Overlay::None, Focus::Form) => {
            let mut items = vec![("Enter", "send"), ("Esc", "clear"), ("Tab", "next")];
            match app.form.focus {
                FieldId::Activate | FieldId::Nsf => items.push(("Space", "switch")),
                FieldId::Customer(_) if !app.form.focus.is_text() => {
                    items.push(("letter", "pick"));
                }
                _ => {}
            }
            items.push(("F1", "help"));
            items.push(("Ctrl+Q", "quit"));
            if app.form.has_customer() {
                items.push(("Ctrl+O", "customer"));
            }
            items.push(("F2-F9", "operation"));
            items.push(("Ctrl+L", "history"));
            items.push(("Ctrl+E", "entry"));
            items
        }
    }
}

pub fn render_bar(app: &App, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, what) in bar_items(app) {
        let need = key.chars().count() + what.chars().count() + 3;
        if used + need > width {
            break;
        }
        spans.push(Span::styled(format!(" {key} "), theme::key()));
        spans.push(Span::raw(format!(" {what}")));
        used += need;
        if used < width {
            spans.push(Span::raw(" "));
            used += 1;
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn render_overlay(app: &App, frame: &mut Frame) {
    match app.overlay {
        Overlay::None => {}
        Overlay::Help => help(frame),
        Overlay::ConfirmQuit => confirm_quit(frame),
        Overlay::ConfirmVoid => super::dialogs::confirm_void(app, frame),
        Overlay::Receipt => super::dialogs::receipt(app, frame),
        Overlay::Recovery => super::recovery::render(app, frame),
        Overlay::Report => super::report::render(app, frame),
    }
}

fn help(frame: &mut Frame) {
    let key_width = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_width$} "), theme::bold()),
                Span::raw(format!(" {what}")),
            ])
        })
        .collect();
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let area = frame
        .area()
        .centered(Constraint::Length(78), Constraint::Length(height));
    let block = Block::bordered()
        .title(Span::styled(" Keys ", theme::bold()))
        .title_bottom(Line::from(" Esc closes ").right_aligned())
        .border_style(theme::focused_border());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn confirm_quit(frame: &mut Frame) {
    let lines = vec![
        Line::from(Span::styled(
            "A request is still being sent.",
            theme::warning().patch(theme::bold()),
        )),
        Line::from("If you quit now its outcome stays in the journal;"),
        Line::from("check it after the restart before repeating anything."),
        Line::from(""),
        Line::from(vec![
            Span::styled(" y ", theme::key()),
            Span::raw(" quit anyway    "),
            Span::styled(" n ", theme::key()),
            Span::raw(" stay"),
        ]),
    ];
    let area = frame
        .area()
        .centered(Constraint::Length(60), Constraint::Length(7));
    let block = Block::bordered()
        .title(Span::styled(" Quit? ", theme::bold()))
        .border_style(theme::warning());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
