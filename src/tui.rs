//! TEMPORARY stub until the TUI branch lands.
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::worker::{Command, Event};

pub async fn run(
    _app: crate::app::App,
    _commands: UnboundedSender<Command>,
    _events: UnboundedReceiver<Event>,
) -> std::io::Result<()> {
    Err(std::io::Error::other("the cashier screen is not built yet"))
}
