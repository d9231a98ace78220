//! The receipt laid out in lines of a given width: the one place that decides what goes on
//! a receipt and where. The text renderer prints these lines as they are; the ESC/POS
//! renderer prints the same lines (in bold where marked) and adds the QR code and the cut.

use time::macros::format_description;

use super::model::{Receipt, moved_label};

/// Shown at the top and the bottom of every demo or sandbox receipt.
pub const TRAINING: [&str; 2] = ["TRAINING / TEST —", "NOT A REAL TRANSACTION"];
/// Shown at the top and the bottom of every reprint.
pub const COPY: &str = "*** COPY ***";

/// How a line is printed. The text is the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// Bold on paper.
    Strong,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Line {
        text: String,
        style: Style,
    },
    /// A QR code carrying this text (the tranOrderNo). Paper only: its text is on the
    /// receipt anyway.
    Qr(String),
}

/// Lays out `receipt` in `width` columns. `glyphs` maps text to what the output can show
/// (identity for a screen, transliteration for a printer's code page); every width is
/// measured after it, so no line of either output is ever wider than `width`.
pub fn blocks(receipt: &Receipt, width: usize, glyphs: &dyn Fn(&str) -> String) -> Vec<Block> {
    let width = width.max(16);
    let mut out = Layout {
        width,
        glyphs,
        blocks: Vec::with_capacity(32),
    };
    if receipt.training {
        out.banner(&TRAINING);
    }
    if receipt.copy {
        out.centered(COPY, Style::Strong);
    }
    out.centered(&receipt.store, Style::Strong);
    out.centered(&format!("till {}", receipt.till_id), Style::Plain);
    if let Some(cashier) = &receipt.cashier {
        out.centered(&format!("cashier {cashier}"), Style::Plain);
    }
    out.centered(&stamp(receipt.at), Style::Plain);
    out.rule();
    out.centered(&receipt.operation.label().to_uppercase(), Style::Strong);
    if let Some(sale) = &receipt.reverses {
        out.pair(
            "Reverses",
            format!("{} {}", sale.operation.label(), sale.quantity).trim(),
        );
    }
    if !receipt.card.is_empty() {
        out.pair("Card", receipt.card.as_str());
    }
    if let Some(sale) = &receipt.reverses {
        out.pair("Sale time", &stamp(sale.at));
        if let Some(id) = &sale.checkout_id {
            out.pair("Sale checkoutId", id);
        }
    }
    if let Some(moved) = &receipt.moved {
        out.pair(moved_label(receipt.operation), &moved.display());
        if let Some(short) = moved.short() {
            out.pair("Collect another way", &short);
        }
    }
    for balance in &receipt.balances {
        let label = match (balance.points, receipt.operation) {
            (true, _) => "Points balance",
            (false, crate::api::Operation::Balance) => "Balance",
            (false, _) => "New balance",
        };
        out.pair(label, &balance.value);
    }
    out.rule();
    if let Some(no) = &receipt.tran_order_no {
        out.line("tranOrderNo", Style::Plain);
        out.indented(no);
    }
    if let Some(id) = &receipt.checkout_id {
        out.pair("checkoutId", id);
    }
    out.rule();
    let headline = if receipt.operation == crate::api::Operation::Balance {
        "BALANCE"
    } else if receipt.is_partial() {
        "PARTIALLY APPROVED"
    } else {
        "APPROVED"
    };
    out.centered(headline, Style::Strong);
    if let Some(no) = receipt
        .tran_order_no
        .as_deref()
        .filter(|no| crate::api::clean::is_identifier(no))
    {
        out.blocks.push(Block::Qr(no.to_owned()));
    }
    if receipt.copy {
        out.centered(COPY, Style::Strong);
    }
    if receipt.training {
        out.banner(&TRAINING);
    }
    out.blocks
}

fn stamp(at: time::OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}

struct Layout<'a> {
    width: usize,
    glyphs: &'a dyn Fn(&str) -> String,
    blocks: Vec<Block>,
}

impl Layout<'_> {
    /// What the output will show: no control characters (on paper they are commands).
    fn shown(&self, text: &str) -> String {
        let mapped = (self.glyphs)(text);
        if mapped.chars().any(char::is_control) {
            mapped
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect()
        } else {
            mapped
        }
    }

    fn line(&mut self, text: &str, style: Style) {
        let text = self.shown(text);
        for piece in wrap(&text, self.width) {
            self.push(piece, style);
        }
    }

    fn push(&mut self, text: String, style: Style) {
        self.blocks.push(Block::Line { text, style });
    }

    fn rule(&mut self) {
        self.push("-".repeat(self.width), Style::Plain);
    }

    fn centered(&mut self, text: &str, style: Style) {
        let text = self.shown(text);
        for piece in wrap(&text, self.width) {
            let pad = (self.width - piece.chars().count()) / 2;
            self.push(format!("{}{piece}", " ".repeat(pad)), style);
        }
    }

    /// One line if the whole banner fits, else one line per part.
    fn banner(&mut self, parts: &[&str]) {
        let whole = parts.join(" ");
        if self.shown(&whole).chars().count() <= self.width {
            self.centered(&whole, Style::Strong);
        } else {
            for part in parts {
                self.centered(part, Style::Strong);
            }
        }
    }

    /// `label ....... value` on one line when it fits; else the label, then the value
    /// flush right below it (broken into pieces if even that is too wide).
    fn pair(&mut self, label: &str, value: &str) {
        let (label, value) = (self.shown(label), self.shown(value));
        let used = label.chars().count() + value.chars().count();
        if used < self.width {
            let gap = " ".repeat(self.width - used);
            self.push(format!("{label}{gap}{value}"), Style::Plain);
            return;
        }
        self.line(&label, Style::Plain);
        for piece in chunks(&value, self.width) {
            let pad = self.width - piece.chars().count();
            self.push(format!("{}{piece}", " ".repeat(pad)), Style::Plain);
        }
    }

    /// A long identifier under its label, indented when it fits.
    fn indented(&mut self, value: &str) {
        let value = self.shown(value);
        if value.chars().count() + 2 <= self.width {
            self.push(format!("  {value}"), Style::Plain);
        } else {
            for piece in chunks(&value, self.width) {
                self.push(piece, Style::Plain);
            }
        }
    }
}

/// Breaks `text` at spaces into lines of at most `width` characters; a word longer than
/// the width is cut into pieces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    if text.chars().count() <= width {
        return vec![text.to_owned()];
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        for piece in chunks(word, width) {
            let len = current.chars().count();
            if len == 0 {
                current = piece;
            } else if len + 1 + piece.chars().count() <= width {
                current.push(' ');
                current.push_str(&piece);
            } else {
                lines.push(std::mem::replace(&mut current, piece));
            }
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// `text` cut into pieces of at most `width` characters.
fn chunks(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(width).map(|c| c.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_whole_and_cuts_only_what_cannot_fit() {
        assert_eq!(
            wrap("Corner Store on the Main Street", 12),
            ["Corner Store", "on the Main", "Street"]
        );
        assert_eq!(wrap("ABCDEFGHIJKLMNOP", 6), ["ABCDEF", "GHIJKL", "MNOP"]);
        assert_eq!(wrap("", 6), [""]);
    }
}
