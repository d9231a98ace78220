//! The key list (built from the key table).

use super::super::keys::Action;
use super::super::{App, Effect};
use super::{Overlay, Scroll};

pub fn open(app: &mut App) {
    app.overlay = Overlay::Help(Scroll::default());
}

pub(super) fn on_key(app: &mut App, mut scroll: Scroll, action: Option<Action>) -> Vec<Effect> {
    if action != Some(Action::Close) {
        scroll.apply(action);
        app.overlay = Overlay::Help(scroll);
    }
    Vec::new()
}
