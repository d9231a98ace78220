//! A stand-in receipt printer on loopback, and a decoder for what it received: the ESC/POS
//! commands the till sends and the text between them. Anything else fails the decode, so a
//! test sees exactly what went to the paper.

use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// PC437's upper half, 0x80..=0xFF (what an Epson printer starts in).
const PC437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `ESC @`
    Init,
    /// `ESC t n`
    CodePage(u8),
    /// `ESC E n`
    Bold(bool),
    /// `ESC a n`: 0 left, 1 centre, 2 right.
    Justify(u8),
    /// `GS ! n`
    Size(u8),
    /// `ESC d n`: print the line and feed `n` lines (a bare `LF` decodes as `Feed(1)`).
    Feed(u8),
    /// Printable bytes between commands, decoded as PC437.
    Text(String),
    /// `GS ( k` for a QR code: model, module size, error level.
    QrSetting { function: u8, value: u8 },
    /// `GS ( k` storing the QR code's data.
    QrData(String),
    /// `GS ( k` printing the stored QR code.
    QrPrint,
    /// `GS V m [n]`
    Cut,
}

/// The commands in `bytes`, or why they are not what the till should send.
pub fn decode(bytes: &[u8]) -> Result<Vec<Op>, String> {
    let mut ops = Vec::new();
    let mut i = 0;
    let at = |i: usize| -> Result<u8, String> {
        bytes
            .get(i)
            .copied()
            .ok_or_else(|| format!("job ends inside a command at byte {i}"))
    };
    while i < bytes.len() {
        match bytes[i] {
            0x1B => {
                let op = match at(i + 1)? {
                    b'@' => {
                        i += 2;
                        Op::Init
                    }
                    b't' => {
                        i += 3;
                        Op::CodePage(at(i - 1)?)
                    }
                    b'E' => {
                        i += 3;
                        Op::Bold(at(i - 1)? & 1 == 1)
                    }
                    b'a' => {
                        i += 3;
                        Op::Justify(at(i - 1)?)
                    }
                    b'd' => {
                        i += 3;
                        Op::Feed(at(i - 1)?)
                    }
                    other => return Err(format!("unexpected ESC {other:#04x} at byte {i}")),
                };
                ops.push(op);
            }
            0x1D => match at(i + 1)? {
                b'!' => {
                    ops.push(Op::Size(at(i + 2)?));
                    i += 3;
                }
                b'V' => {
                    let m = at(i + 2)?;
                    i += if matches!(m, 65 | 66) { 4 } else { 3 };
                    at(i - 1)?;
                    ops.push(Op::Cut);
                }
                b'(' if at(i + 2)? == b'k' => {
                    let len = usize::from(at(i + 3)?) + 256 * usize::from(at(i + 4)?);
                    let body = bytes
                        .get(i + 5..i + 5 + len)
                        .ok_or_else(|| format!("GS ( k at byte {i} is cut short"))?;
                    if body.first() != Some(&49) {
                        return Err(format!("GS ( k at byte {i} is not a QR code"));
                    }
                    ops.push(match body.get(1) {
                        Some(80) => Op::QrData(String::from_utf8_lossy(&body[3..]).into_owned()),
                        Some(81) => Op::QrPrint,
                        Some(&function) => Op::QrSetting {
                            function,
                            value: *body.get(2).unwrap_or(&0),
                        },
                        None => return Err(format!("empty GS ( k at byte {i}")),
                    });
                    i += 5 + len;
                }
                other => return Err(format!("unexpected GS {other:#04x} at byte {i}")),
            },
            0x0A => {
                ops.push(Op::Feed(1));
                i += 1;
            }
            b if b < 0x20 || b == 0x7F => {
                return Err(format!("control byte {b:#04x} in the text at byte {i}"));
            }
            _ => {
                let start = i;
                while i < bytes.len() && bytes[i] >= 0x20 && bytes[i] != 0x7F {
                    i += 1;
                }
                ops.push(Op::Text(
                    bytes[start..i].iter().map(|&b| pc437(b)).collect(),
                ));
            }
        }
    }
    Ok(ops)
}

fn pc437(b: u8) -> char {
    if b < 0x80 {
        char::from(b)
    } else {
        PC437_HIGH
            .chars()
            .nth(usize::from(b - 0x80))
            .expect("128 characters")
    }
}

/// The printed lines: text runs joined until a feed ends the line.
pub fn lines(ops: &[Op]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for op in ops {
        match op {
            Op::Text(t) => current.push_str(t),
            Op::Feed(n) => {
                lines.push(std::mem::take(&mut current));
                for _ in 1..*n {
                    lines.push(String::new());
                }
            }
            _ => {}
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The data of every QR code printed (stored, then printed).
pub fn qr_codes(ops: &[Op]) -> Vec<String> {
    let mut stored = None;
    let mut printed = Vec::new();
    for op in ops {
        match op {
            Op::QrData(d) => stored = Some(d.clone()),
            Op::QrPrint => printed.extend(stored.take()),
            _ => {}
        }
    }
    printed
}

/// How the stand-in printer treats each connection, in order; the last repeats.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Takes the whole job and closes after the till does.
    Print,
    /// Reads this many bytes and hangs up with the rest unread.
    HangUpAfter(usize),
    /// Takes the whole job, then keeps the connection open this long before closing (a
    /// slow printer: the till waits for it, the sales must not).
    HoldOpen(Duration),
    /// Lets the connection wait this long before it reads the job (a printer slow to
    /// take it, warming up or busy: the job is not on paper before then).
    SlowToRead(Duration),
}

/// A receipt printer on 127.0.0.1: every job it took whole arrives on `jobs`.
pub struct StandIn {
    pub port: u16,
    pub jobs: Receiver<Vec<u8>>,
}

impl StandIn {
    pub fn start(behaviours: Vec<Behaviour>) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        StandIn::serve(listener, behaviours)
    }

    /// On a given port (to bring a printer back where a dead one was).
    pub fn start_on(port: u16, behaviours: Vec<Behaviour>) -> StandIn {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the same port again");
        StandIn::serve(listener, behaviours)
    }

    fn serve(listener: TcpListener, behaviours: Vec<Behaviour>) -> StandIn {
        let port = listener.local_addr().unwrap().port();
        let (tx, jobs) = channel();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let behaviour = behaviours[n.min(behaviours.len() - 1)];
                if let Some(job) = take(stream, behaviour)
                    && tx.send(job).is_err()
                {
                    return;
                }
            }
        });
        StandIn { port, jobs }
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The next job taken whole, waiting up to five seconds.
    pub fn next_job(&self) -> Vec<u8> {
        self.jobs
            .recv_timeout(Duration::from_secs(5))
            .expect("the stand-in printer received a job")
    }

    /// Whether another whole job arrives within `wait`.
    pub fn no_more_jobs(&self, wait: Duration) -> bool {
        matches!(
            self.jobs.recv_timeout(wait),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected)
        )
    }
}

fn take(mut stream: TcpStream, behaviour: Behaviour) -> Option<Vec<u8>> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    match behaviour {
        Behaviour::Print => {
            let mut job = Vec::new();
            stream.read_to_end(&mut job).ok()?;
            let _ = stream.shutdown(Shutdown::Both);
            Some(job)
        }
        Behaviour::HoldOpen(hold) => {
            let mut job = Vec::new();
            stream.read_to_end(&mut job).ok()?;
            let held = job.clone();
            std::thread::spawn(move || {
                std::thread::sleep(hold);
                drop(stream);
            });
            Some(held)
        }
        Behaviour::SlowToRead(wait) => {
            std::thread::sleep(wait);
            take(stream, Behaviour::Print)
        }
        Behaviour::HangUpAfter(n) => {
            let mut part = vec![0; n];
            let _ = stream.read_exact(&mut part);
            // Dropped with the rest unread: the kernel answers with a reset.
            drop(stream);
            None
        }
    }
}

/// A port nothing listens on (bound, then let go).
pub fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().unwrap().port()
}
