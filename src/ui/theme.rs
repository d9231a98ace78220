//! Colours and styles, in one place so the screen reads the same everywhere: green is
//! approved, red is refused, yellow is "in doubt", and production is unmistakable.

use ratatui::style::{Color, Modifier, Style};

use crate::outcome::{RowState, Status};

pub fn title() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Blue)
        .add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn key() -> Style {
    Style::new().fg(Color::Black).bg(Color::Gray)
}

pub fn selected_tab() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

pub fn focused_border() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn border() -> Style {
    Style::new().fg(Color::Gray)
}

/// The box a value is typed into.
pub fn field(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::White).bg(Color::Indexed(238))
    } else {
        Style::new().bg(Color::Indexed(236))
    }
}

pub fn error() -> Style {
    Style::new().fg(Color::LightRed)
}

pub fn warning() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn ok() -> Style {
    Style::new().fg(Color::LightGreen)
}

pub fn selected_row() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// The banner line of an outcome: big and coloured.
pub fn banner(status: Status) -> Style {
    let base = Style::new().add_modifier(Modifier::BOLD);
    match status {
        Status::Approved => base.fg(Color::Black).bg(Color::Green),
        Status::Declined | Status::Rejected => base.fg(Color::White).bg(Color::Red),
        Status::Unknown => base.fg(Color::Black).bg(Color::Yellow),
    }
}

pub fn row_state(state: RowState) -> Style {
    match state {
        RowState::Approved => ok(),
        RowState::Declined | RowState::Rejected => error(),
        RowState::Unknown => Style::new()
            .fg(Color::Black)
            .bg(Color::Yellow)
            .add_modifier(Modifier::BOLD),
        RowState::Sending => Style::new().fg(Color::Cyan),
        RowState::Voided | RowState::Abandoned => dim(),
    }
}
