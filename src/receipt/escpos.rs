//! The receipt as ESC/POS bytes for a thermal printer, encoded by the `escpos` crate into
//! memory (the printer module sends the bytes itself, with its own timeouts).
//!
//! `ESC @` first, the code page, the same lines as the text preview (bold where marked), a
//! QR code (`GS ( k`) carrying the tranOrderNo, then a feed and a cut (`GS V`).

use std::cell::RefCell;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use super::codepage::CodePage;
use super::layout::{self, Block, Style};
use super::model::Receipt;

/// Lines fed after the last one so the cut falls below it, not through it.
const FEED_BEFORE_CUT: u8 = 4;
/// QR module size in dots: a 26-character tranOrderNo fits in about 2 cm.
const QR_MODULE: u8 = 6;

/// How the paper is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paper {
    /// Characters per line: 32, 42 or 48.
    pub width: usize,
    pub codepage: CodePage,
}

/// The encoder refused something (a QR code too long, say). Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode the receipt for the printer: {0}")]
pub struct EncodeError(String);

impl From<escpos::errors::PrinterError> for EncodeError {
    fn from(e: escpos::errors::PrinterError) -> Self {
        EncodeError(e.to_string())
    }
}

/// An escpos driver that keeps what it is given, so the bytes can be sent (and retried)
/// by the printer module.
#[derive(Default)]
pub(crate) struct Capture(RefCell<Vec<u8>>);

impl Capture {
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.0.into_inner()
    }
}

impl Driver for Capture {
    fn name(&self) -> String {
        "memory".to_owned()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// One line of text, then a line feed. Every supported code page has ASCII in its lower
/// half, so an ASCII line (nearly all of them) goes out as it is; the crate maps a line with
/// other characters through the code page's table (the layout transliterated whatever the
/// page lacks), which costs a lookup and an allocation per character.
fn write_line(printer: &mut Printer<Capture>, text: &str) -> Result<(), EncodeError> {
    if text.is_ascii() {
        printer.custom(text.as_bytes())?.feed()?;
    } else {
        printer.writeln(text)?;
    }
    Ok(())
}

/// The whole print job for one receipt.
pub fn render(receipt: &Receipt, paper: Paper) -> Result<Vec<u8>, EncodeError> {
    let columns = u8::try_from(paper.width).unwrap_or(u8::MAX);
    let options = PrinterOptions::new(Some(paper.codepage.page_code()), None, columns);
    let mut printer = Printer::new(Capture::default(), Protocol::default(), Some(options));
    // ESC @, then ESC t n for the code page.
    printer.init()?;
    let codepage = paper.codepage;
    for block in layout::blocks(receipt, paper.width, &|s| codepage.transliterate(s)) {
        match block {
            Block::Line { text, style } => {
                let strong = style == Style::Strong;
                if strong {
                    printer.bold(true)?;
                }
                write_line(&mut printer, &text)?;
                if strong {
                    printer.bold(false)?;
                }
            }
            Block::Qr(data) => {
                let option =
                    QRCodeOption::new(QRCodeModel::Model2, QR_MODULE, QRCodeCorrectionLevel::M);
                printer
                    .justify(JustifyMode::CENTER)?
                    .qrcode_option(&data, option)?
                    .feed()?
                    .justify(JustifyMode::LEFT)?;
            }
        }
    }
    printer.feeds(FEED_BEFORE_CUT)?.cut()?.print()?;
    Ok(printer.driver().into_bytes())
}
