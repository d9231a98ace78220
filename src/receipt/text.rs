//! The receipt as plain text: the screen's preview and the file for a spooler.

use super::layout::{self, Block};
use super::model::Receipt;

/// The receipt in `width` columns, one `\n` after each line. The QR code is paper only
/// (its text, the tranOrderNo, is printed above it anyway).
pub fn render(receipt: &Receipt, width: usize) -> String {
    let mut text = String::with_capacity(width * 32);
    for block in layout::blocks(receipt, width, &|s| s.to_owned()) {
        if let Block::Line { text: line, .. } = block {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}
