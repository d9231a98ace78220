//! Text that came over the network, made safe to show and to store.
//!
//! Every string the till takes out of a PayWizard answer passes through here while the
//! answer is read (see `answer`), so no later layer (the screen, `--json`, the journal, the
//! CSV export) can receive a terminal escape, a carriage return or a bidirectional override
//! from a server. The rules are in docs/protocol.md ("Reading answers").

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// The most characters kept of any one server text; a longer one is cut and marked `…`.
pub const MAX_TEXT_CHARS: usize = 200;

/// The longest identifier (checkoutId and the like) the till accepts from a server.
pub const MAX_IDENTIFIER_LEN: usize = 64;

/// One printable line: control characters (C0, DEL, C1: ESC, BEL, CR, LF, ...) become
/// spaces, invisible formatting characters that reorder or hide text are dropped, runs of
/// whitespace become one space, and the result is at most [`MAX_TEXT_CHARS`] characters.
pub fn line(text: &str) -> String {
    let mut out = printable(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some((cut, _)) = out.char_indices().nth(MAX_TEXT_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// `text` with every control character (C0, DEL, C1) turned into a space and the
/// invisible formatting characters dropped; nothing else changes, nothing is cut.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !is_invisible_format(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Characters that change how the text around them is drawn without being seen: the
/// bidirectional embeddings, overrides and isolates, zero-width joiners and marks, the
/// byte-order mark. A server has no business sending them.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Whether `id` is a plain identifier: 1 to [`MAX_IDENTIFIER_LEN`] ASCII letters and
/// digits. PayWizard's identifiers are digit strings; the till sends a checkoutId back as
/// `oriOrderNo`, looks it up in the journal and prints it, so anything else in one is
/// treated as a damaged answer.
pub fn is_identifier(id: &str) -> bool {
    (1..=MAX_IDENTIFIER_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// For a field the till only records or shows: a value of the documented type is kept,
/// and `null`, a missing key or a value of another type all read as absent, so an
/// answer is never lost over a field the money does not depend on.
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).ok())
}

/// [`lenient`] for text: a string, made one printable [`line`].
pub fn lenient_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(lenient::<D, String>(deserializer)?.map(|s| line(&s)))
}

/// Text the till needs (a balance's valueCode): it must be a string, made a printable
/// [`line`].
pub fn required_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    String::deserialize(deserializer).map(|s| line(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_and_line_breaks_never_survive() {
        let hostile = "\u{1b}]0;owned\u{7}\u{1b}[2Jdeclined\r\nINJECTED\u{9b}31m\u{0}";
        let clean = line(hostile);
        assert_eq!(clean, "]0;owned [2Jdeclined INJECTED 31m");
        assert!(!clean.chars().any(char::is_control), "{clean:?}");
    }

    #[test]
    fn bidi_overrides_and_zero_width_characters_are_dropped() {
        assert_eq!(line("ok\u{202E}evil\u{2066}\u{200B}"), "okevil");
        assert_eq!(line("  carte   refusée "), "carte refusée");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "é".repeat(500);
        let clean = line(&long);
        assert_eq!(clean.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(clean.ends_with('…'));
    }

    #[test]
    fn identifiers_are_plain_letters_and_digits() {
        assert!(is_identifier("933392815902294016"));
        assert!(is_identifier("AB12"));
        for bad in [
            "",
            "93339 2815",
            "9333\u{1b}[2J",
            "12-34",
            "１２３",
            &"9".repeat(65),
        ] {
            assert!(!is_identifier(bad), "{bad:?}");
        }
    }
}
