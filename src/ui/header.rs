//! The top of the screen: who and where the till is, which environment (training and test
//! tills say they are not real), the connection, and how many outcomes are unknown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::App;
use crate::config::Mode;
use crate::receipt::not_real;
use crate::worker::Connection;

fn mode_badge(mode: Mode) -> (&'static str, Style, Style) {
    match mode {
        Mode::Demo => (
            " DEMO ",
            Style::new()
                .fg(Color::Black)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
            Style::new().fg(Color::LightGreen),
        ),
        Mode::Sandbox => (
            " SANDBOX ",
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::new().fg(Color::Yellow),
        ),
        // Real money: the whole line turns red so nobody mistakes it for training.
        Mode::Production => (
            " PRODUCTION ",
            Style::new()
                .fg(Color::Red)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ),
    }
}

fn connection(app: &App, compact: bool) -> Line<'static> {
    let (dot, words, style) = match app.connection {
        Connection::Online => ("●", "online", Style::new().fg(Color::LightGreen)),
        Connection::Offline => (
            "●",
            "OFFLINE",
            Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
        ),
        Connection::Unknown if compact => ("○", "not yet", theme::dim()),
        Connection::Unknown => ("○", "not connected yet", theme::dim()),
    };
    Line::from(Span::styled(format!("{dot} {words} "), style)).right_aligned()
}

fn unknown_count(app: &App, compact: bool) -> Option<Line<'static>> {
    let open = app.recovery.rows.len();
    // Stays in sight until every unknown outcome is settled.
    (open > 0).then(|| {
        Line::from(Span::styled(
            if compact {
                format!("⚠ {open} unknown ")
            } else {
                format!("⚠ {open} unknown — Ctrl+R ")
            },
            theme::warning().patch(theme::bold()),
        ))
        .right_aligned()
    })
}

/// The store's central database, when this till has one: synced, or how many changes wait.
fn store_sync(app: &App) -> Option<Span<'static>> {
    let status = app.store.as_ref()?;
    Some(match (&status.problem, status.waiting) {
        (None, 0) => Span::styled("store synced ", theme::dim()),
        (None, n) => Span::styled(format!("store: {n} waiting "), theme::dim()),
        (Some(_), n) => Span::styled(format!("store offline: {n} waiting "), theme::warning()),
    })
}

/// Two lines: title, environment and connection; then store, till, channel, currency, and
/// on the right the unknown outcomes and the store sync.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let [top, bottom] = area.layout(&ratatui::layout::Layout::vertical([1, 1]));
    let (badge, badge_style, line_style) = mode_badge(app.mode);
    let note = match not_real(app.mode) {
        Some(words) => format!(" {words}"),
        None => " LIVE — real money".to_owned(),
    };
    let left = Line::from(vec![
        Span::styled(" PAYWIZARD TILL ", theme::title()),
        Span::raw(" "),
        Span::styled(badge, badge_style),
        Span::raw(note),
    ])
    .style(line_style);
    frame.render_widget(Paragraph::new(left).style(line_style), top);
    frame.render_widget(Paragraph::new(connection(app, false)), top);
    let mut info = Line::from(vec![
        Span::styled(format!(" {}", app.store_name), theme::bold()),
        Span::styled(
            format!(" · till {} · channel {}", app.till_id, app.channel),
            Style::new(),
        ),
        Span::styled(format!(" · {}", app.limits.currency.code()), theme::dim()),
    ]);
    // Who is signed on comes first: it is who every row is recorded under.
    if let Some(who) = cashier(app, 24) {
        info.spans.insert(0, Span::raw(" "));
        info.spans.insert(0, who);
    }
    let mut right: Vec<Span<'static>> = Vec::new();
    if let Some(warning) = unknown_count(app, false) {
        right.extend(warning.spans);
    }
    if let Some(store) = store_sync(app) {
        if !right.is_empty() {
            right.push(Span::styled("· ", theme::dim()));
        }
        right.push(store);
    }
    let right = Line::from(right).right_aligned();
    // The right side wins: it is what needs acting on.
    let [info_area, _] = bottom.layout(&ratatui::layout::Layout::horizontal([
        ratatui::layout::Constraint::Fill(1),
        // A column between them, so a cut-off line never runs into the warning.
        ratatui::layout::Constraint::Length(
            u16::try_from(right.width() + usize::from(right.width() > 0)).unwrap_or(u16::MAX),
        ),
    ]));
    frame.render_widget(Paragraph::new(info), info_area);
    frame.render_widget(Paragraph::new(right), bottom);
}

/// The member signed on, name (cut to `room` characters) and role.
fn cashier(app: &App, room: usize) -> Option<Span<'static>> {
    let who = app.staff.signed_on.as_ref()?.member();
    let mut name: String = who.name.chars().take(room).collect();
    if who.name.chars().count() > room {
        name.pop();
        name.push('…');
    }
    Some(Span::styled(
        format!(" {name} · {} ", who.role),
        theme::selected_tab(),
    ))
}

/// One line for a small terminal: environment (still saying when it is not real), the
/// member signed on, the unknown count, and the connection.
pub fn render_compact(app: &App, frame: &mut Frame, area: Rect) {
    let (badge, badge_style, line_style) = mode_badge(app.mode);
    let mut right = unknown_count(app, true).unwrap_or_else(|| connection(app, true));
    if let Some(who) = cashier(app, 12) {
        right.spans.insert(0, Span::raw(" "));
        right.spans.insert(0, who);
    }
    let room = usize::from(area.width).saturating_sub(right.width() + 1 + badge.len());
    let note = match not_real(app.mode) {
        Some(words) if words.chars().count() < room => format!(" {words}"),
        Some(_) if app.mode == Mode::Demo => " TRAINING — NOT REAL".to_owned(),
        Some(_) => " TEST — NOT REAL".to_owned(),
        None => " LIVE — real money".to_owned(),
    };
    let left =
        Line::from(vec![Span::styled(badge, badge_style), Span::raw(note)]).style(line_style);
    frame.render_widget(Paragraph::new(left).style(line_style), area);
    frame.render_widget(Paragraph::new(right), area);
}
