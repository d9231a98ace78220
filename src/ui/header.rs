//! The top two lines: who and where the till is, which environment, and the connection.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::App;
use crate::config::Mode;
use crate::worker::Connection;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let [top, bottom] = area.layout(&ratatui::layout::Layout::vertical([1, 1]));
    let (badge, badge_style, note, line_style) = match app.mode {
        Mode::Demo => (
            " DEMO ",
            Style::new()
                .fg(Color::Black)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
            " TRAINING — no real money",
            Style::new().fg(Color::LightGreen),
        ),
        Mode::Sandbox => (
            " SANDBOX ",
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            " test host — no real money",
            Style::new().fg(Color::Yellow),
        ),
        // Real money: the whole line turns red so nobody mistakes it for training.
        Mode::Production => (
            " PRODUCTION ",
            Style::new()
                .fg(Color::Red)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
            " LIVE — real money",
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ),
    };
    let left = Line::from(vec![
        Span::styled(" PAYWIZARD TILL ", theme::title()),
        Span::raw(" "),
        Span::styled(badge, badge_style),
        Span::raw(note),
    ])
    .style(line_style);
    frame.render_widget(Paragraph::new(left).style(line_style), top);
    let (dot, connection, connection_style) = match app.connection {
        Connection::Online => ("●", "online", Style::new().fg(Color::LightGreen)),
        Connection::Offline => (
            "●",
            "OFFLINE",
            Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
        ),
        Connection::Unknown => ("○", "not connected yet", theme::dim()),
    };
    let right = Line::from(vec![Span::styled(
        format!("{dot} {connection} "),
        connection_style,
    )])
    .right_aligned();
    frame.render_widget(Paragraph::new(right), top);
    let info = Line::from(vec![
        Span::styled(format!(" {}", app.store_name), theme::bold()),
        Span::styled(
            format!(" · till {} · channel {}", app.till_id, app.channel),
            Style::new(),
        ),
        Span::styled(format!(" · {}", app.limits.currency.code()), theme::dim()),
    ]);
    frame.render_widget(Paragraph::new(info), bottom);
    let open = app.recovery.rows.len();
    if open > 0 {
        // Stays in sight until every unknown outcome is settled.
        let warning = Line::from(Span::styled(
            format!("⚠ {open} unknown — Ctrl+R "),
            theme::warning().patch(theme::bold()),
        ))
        .right_aligned();
        frame.render_widget(Paragraph::new(warning), bottom);
    }
}
