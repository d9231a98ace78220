//! Today's totals, asked of the journal each time the window opens (R refreshes).

use super::super::keys::Action;
use super::super::{App, Effect};
use super::{Overlay, Scroll};
use crate::journal::Report;
use crate::worker::Command;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportWindow {
    /// `None` while the journal is read.
    pub report: Option<Box<Report>>,
    pub scroll: Scroll,
}

/// Ctrl+T, or R inside.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.overlay = Overlay::Report(ReportWindow::default());
    vec![Effect::Worker(Command::LoadReport)]
}

/// The totals arrived; they are shown only if the window is still open.
pub fn loaded(app: &mut App, report: Box<Report>) {
    if let Overlay::Report(window) = &mut app.overlay {
        window.report = Some(report);
    }
}

pub(super) fn on_key(
    app: &mut App,
    mut window: ReportWindow,
    action: Option<Action>,
) -> Vec<Effect> {
    match action {
        Some(Action::Close) => Vec::new(),
        Some(Action::Refresh) => open(app),
        Some(Action::ShiftX) => super::shift::open(app),
        _ => {
            window.scroll.apply(action);
            app.overlay = Overlay::Report(window);
            Vec::new()
        }
    }
}
