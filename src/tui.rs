//! The terminal runtime: owns the terminal, turns crossterm and worker events into `Msg`s
//! stamped with the time since start, runs `update`, carries out the effects, and draws
//! once per batch of events. The terminal is given back as it was on every way out: a quit,
//! a panic, and SIGTERM, SIGINT or SIGHUP (the journal already holds every request that
//! was sent, so anything in flight stays recoverable).

use std::io::{self, stdout};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent, EventStream, KeyEventKind,
};
use crossterm::execute;
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::app::{App, Effect, Msg, closing, start, update};
use crate::ui;
use crate::worker::{Command, Event};

/// Runs the till screen until the cashier quits or a signal says stop. The terminal is
/// restored on every path: here on return, and by ratatui's panic hook on a panic.
pub async fn run(
    mut app: App,
    commands: UnboundedSender<Command>,
    events: UnboundedReceiver<Event>,
) -> io::Result<()> {
    // Before the terminal changes: from here on a signal ends the loop instead of the
    // process, so the terminal is always put back.
    let mut stop = Signals::listen()?;
    let mut terminal = ratatui::try_init()?;
    // ratatui's hook restores the screen on a panic; bracketed paste is ours to undo, or
    // the shell behind a crashed till would see every later paste wrapped in escapes.
    let restore_screen = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        restore_screen(info);
    }));
    let result = match execute!(stdout(), EnableBracketedPaste) {
        Ok(()) => event_loop(&mut terminal, &mut app, &commands, events, &mut stop).await,
        Err(e) => Err(e),
    };
    // However the screen closed (quit, signal, hang-up), whoever was signed on signs off.
    for effect in closing(&mut app) {
        if let Effect::Worker(command) = effect {
            send(&commands, command);
        }
    }
    // The worker finishes what is in flight (it is journaled either way).
    let _ = commands.send(Command::Shutdown);
    restore();
    result
}

/// Raw mode off, the main screen back, the cursor shown, bracketed paste off. Errors are
/// ignored: after a hang-up there may be no terminal left to tell.
fn restore() {
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    let _ = execute!(stdout(), Show);
}

/// SIGTERM, SIGINT and SIGHUP, caught for as long as the screen runs.
struct Signals {
    terminate: Signal,
    interrupt: Signal,
    hangup: Signal,
}

impl Signals {
    fn listen() -> io::Result<Signals> {
        Ok(Signals {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    async fn any(&mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
            _ = self.hangup.recv() => {}
        }
    }
}

struct Clock(Instant);

impl Clock {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The wall clock now, tied to the monotonic time it was read at.
    fn wall_clock(&self) -> Msg {
        Msg::WallClock {
            at_ms: self.now_ms(),
            now: time::OffsetDateTime::now_utc(),
        }
    }

    fn instant_at(&self, ms: u64) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.0 + Duration::from_millis(ms))
    }
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    commands: &UnboundedSender<Command>,
    mut events: UnboundedReceiver<Event>,
    stop: &mut Signals,
) -> io::Result<()> {
    let clock = Clock(Instant::now());
    let mut keys = spawn_terminal_reader(clock.0);
    let mut worker_alive = true;
    update(app, clock.wall_clock());
    for effect in start(app) {
        if let Effect::Worker(command) = effect {
            send(commands, command);
        }
    }
    let size = terminal.size()?;
    update(
        app,
        Msg::Resize {
            w: size.width,
            h: size.height,
        },
    );
    terminal.draw(|frame| ui::render(app, frame))?;
    loop {
        let mut batch = Vec::new();
        let deadline = app.next_deadline();
        let sleep = async {
            match deadline {
                Some(ms) => tokio::time::sleep_until(clock.instant_at(ms)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = keys.recv() => match read {
                Some(read) => batch.extend(read?),
                // The terminal is gone (hung up): nothing more can be typed.
                None => return Ok(()),
            },
            event = events.recv(), if worker_alive => match event {
                Some(event) => batch.push(Msg::Worker(event)),
                None => {
                    worker_alive = false;
                    batch.push(Msg::Worker(Event::Problem(
                        "the background worker stopped: nothing more can be sent; restart the till"
                            .into(),
                    )));
                }
            },
            () = sleep => batch.push(Msg::Tick { at_ms: clock.now_ms() }),
            () = stop.any() => return Ok(()),
        }
        // Take everything else that is already waiting, then draw once.
        while let Ok(read) = keys.try_recv() {
            batch.extend(read?);
        }
        while let Ok(event) = events.try_recv() {
            batch.push(Msg::Worker(event));
        }
        if deadline.is_some_and(|d| clock.now_ms() >= d)
            && !batch.iter().any(|m| matches!(m, Msg::Tick { .. }))
        {
            batch.push(Msg::Tick {
                at_ms: clock.now_ms(),
            });
        }
        // Journal times are wall-clock; the duplicate guard compares them with now.
        update(app, clock.wall_clock());
        for msg in batch {
            for effect in update(app, msg) {
                match effect {
                    Effect::Worker(command) => send(commands, command),
                    Effect::Quit => return Ok(()),
                }
            }
        }
        terminal.draw(|frame| ui::render(app, frame))?;
    }
}

/// Reads the terminal on its own task and stamps each event the moment it is read, so the
/// scanner's timing sees the keys' real spacing, not when the loop got round to them (a
/// draw in between would otherwise stretch a scan's gaps). It also keeps the
/// [`EventStream`] polled only from one place with a real waker: polling it once with a
/// no-op waker (`now_or_never`) leaves its wake-up thread holding that waker, and the
/// screen stops reacting to keys.
fn spawn_terminal_reader(start: Instant) -> UnboundedReceiver<io::Result<Option<Msg>>> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let clock = Clock(start);
        let mut stream = EventStream::new();
        while let Some(event) = stream.next().await {
            let read = event.map(|event| to_msg(event, clock.now_ms()));
            let failed = read.is_err();
            if tx.send(read).is_err() || failed {
                break;
            }
        }
    });
    rx
}

fn send(commands: &UnboundedSender<Command>, command: Command) {
    // A closed channel is reported by the events side (the worker's receiver drops).
    let _ = commands.send(command);
}

fn to_msg(event: TermEvent, at_ms: u64) -> Option<Msg> {
    match event {
        // Only presses: releases and auto-repeats (kitty protocol) would double keys.
        TermEvent::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key { key, at_ms }),
        TermEvent::Paste(text) => Some(Msg::Paste { text, at_ms }),
        TermEvent::Resize(w, h) => Some(Msg::Resize { w, h }),
        _ => None,
    }
}
