//! The printer's code page: which one to select (`ESC t n`), and how text it cannot show is
//! transliterated (`é` stays `é` where the page has it; `—` becomes `--`, `Ō` becomes `O`)
//! rather than sent as bytes the printer would print as garbage.

use std::fmt;

use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{PageCode, Protocol};

use super::escpos::Capture;

/// The code pages the till can print in: those the `escpos` crate has a character table for
/// and Epson TM printers carry. The first name is the one the config documents.
const PAGES: &[(&[&str], PageCode)] = &[
    (&["pc437", "cp437", "437"], PageCode::PC437),
    (&["pc850", "cp850", "850"], PageCode::PC850),
    (&["pc852", "cp852", "852"], PageCode::PC852),
    (&["pc858", "cp858", "858"], PageCode::PC858),
    (&["pc860", "cp860", "860"], PageCode::PC860),
    (&["pc863", "cp863", "863"], PageCode::PC863),
    (&["pc865", "cp865", "865"], PageCode::PC865),
    (&["pc866", "cp866", "866"], PageCode::PC866),
    (&["wpc1250", "cp1250", "windows1250"], PageCode::WPC1250),
    (&["wpc1251", "cp1251", "windows1251"], PageCode::WPC1251),
    (&["wpc1252", "cp1252", "windows1252"], PageCode::WPC1252),
    (&["wpc1253", "cp1253", "windows1253"], PageCode::WPC1253),
    (&["wpc1254", "cp1254", "windows1254"], PageCode::WPC1254),
    (&["wpc1257", "cp1257", "windows1257"], PageCode::WPC1257),
    (&["iso8859-2", "iso88592", "latin2"], PageCode::ISO8859_2),
    (&["iso8859-7", "iso88597"], PageCode::ISO8859_7),
    (&["iso8859-15", "iso885915", "latin9"], PageCode::ISO8859_15),
];

/// A code page the printer is set to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CodePage(usize);

impl Default for CodePage {
    fn default() -> Self {
        CodePage::DEFAULT
    }
}

impl fmt::Debug for CodePage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodePage({})", self.name())
    }
}

impl fmt::Display for CodePage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl CodePage {
    /// PC437: what an Epson printer starts in.
    pub const DEFAULT: CodePage = CodePage(0);

    /// `pc858`, `CP858`, `858`, `windows-1252`, `ISO8859-15` ...
    pub fn parse(name: &str) -> Option<CodePage> {
        let wanted: String = name
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect();
        PAGES
            .iter()
            .position(|(names, _)| {
                names
                    .iter()
                    .any(|n| n.replace('-', "").eq_ignore_ascii_case(&wanted))
            })
            .map(CodePage)
    }

    /// The names the config accepts, for an error message.
    pub fn choices() -> String {
        PAGES
            .iter()
            .map(|(names, _)| names[0])
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn name(self) -> &'static str {
        PAGES[self.0].0[0]
    }

    pub(super) fn page_code(self) -> PageCode {
        PAGES[self.0].1
    }

    /// Whether the printer shows `c` as itself in this code page.
    pub fn shows(self, c: char) -> bool {
        if c.is_ascii() {
            return !c.is_ascii_control();
        }
        // The crate's table is not public: ask it to encode the character alone. A
        // character the page has comes back as one byte in its upper half; anything else
        // comes back as UTF-8 (two bytes or more).
        let options = PrinterOptions::new(Some(self.page_code()), None, 42);
        let mut printer = Printer::new(Capture::default(), Protocol::default(), Some(options));
        let mut buf = [0; 4];
        if printer
            .write(c.encode_utf8(&mut buf))
            .and_then(|p| p.print())
            .is_err()
        {
            return false;
        }
        let bytes = printer.driver().into_bytes();
        bytes.len() == 1 && bytes[0] >= 0x80
    }

    /// `text` with every character this page cannot show transliterated to ASCII, and
    /// control characters (commands, on a printer) replaced by spaces.
    pub fn transliterate(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_control() {
                out.push(' ');
            } else if self.shows(c) {
                out.push(c);
            } else {
                out.push_str(deunicode::deunicode_char(c).unwrap_or("?"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_loosely_and_unknown_ones_refused() {
        for name in ["pc858", "CP858", "858", " Pc858 "] {
            assert_eq!(CodePage::parse(name).map(CodePage::name), Some("pc858"));
        }
        assert_eq!(
            CodePage::parse("Windows-1252").map(CodePage::name),
            Some("wpc1252")
        );
        assert_eq!(
            CodePage::parse("ISO8859-15").map(CodePage::name),
            Some("iso8859-15")
        );
        assert_eq!(CodePage::parse("utf-8"), None);
        assert_eq!(CodePage::default().name(), "pc437");
    }

    #[test]
    fn what_the_page_has_stays_and_the_rest_is_transliterated() {
        let pc437 = CodePage::default();
        assert!(pc437.shows('é') && pc437.shows('ü'));
        assert!(!pc437.shows('€') && !pc437.shows('—') && !pc437.shows('Ō'));
        assert_eq!(pc437.transliterate("Café — Ōsaka"), "Café -- Osaka");
        let pc858 = CodePage::parse("pc858").unwrap();
        assert!(pc858.shows('€'), "PC858 is PC850 with the euro sign");
        assert_eq!(pc858.transliterate("5 €"), "5 €");
        assert_eq!(pc437.transliterate("5 €"), "5 EUR");
        assert_eq!(pc437.transliterate("a\u{1b}b\nc"), "a b c");
    }
}
