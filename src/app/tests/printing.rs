//! Receipts at the screen: the preview is the model the printer is sent, P prints it, a
//! reprint says COPY, a printer that is down keeps it and Ctrl+P then P prints it once,
//! `auto` prints each approval by itself and never holds up the next sale.

use super::*;
use crate::app::printing::Paper;
use crate::printer::{PrintNotice, Target};
use crate::receipt::Receipt;
use crate::ui::status;

const ORDER: &str = "00012025040112353480";
const PRINTER: &str = "tcp://10.0.0.9:9100";

fn till(printer: bool, auto: bool) -> App {
    let mut config = Config::resolve(&Overrides::default(), &FileConfig::default()).unwrap();
    if printer {
        config.printer.target = Some(Target::parse(PRINTER).unwrap());
    }
    config.printer.auto = auto;
    App::new(&config)
}

/// The journal row of the sale `finish` reports: the same order number.
fn sale_row(id: i64) -> HistoryEntry {
    let mut entry = row(id, RowState::Approved);
    entry.operation = Operation::IssuePoints;
    entry.tran_order_no = Some(ORDER.into());
    entry
}

/// Card, 25 points, Enter, approved: the effects of the answer.
fn approved_sale(app: &mut App) -> Vec<Effect> {
    let (id, _) = submits(&issue_25(app))[0].clone();
    finish(app, id, Status::Approved, Some(sale_row(3)))
}

fn printed_receipts(effects: &[Effect]) -> Vec<Receipt> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Worker(Command::PrintReceipt(r)) => Some((**r).clone()),
            _ => None,
        })
        .collect()
}

fn window(app: &App) -> &overlays::ReceiptWindow {
    match &app.overlay {
        Overlay::Receipt(window) => window,
        other => panic!("no receipt window: {other:?}"),
    }
}

fn preview(app: &App) -> String {
    crate::receipt::text::render(&window(app).receipt, app.printer.width)
}

fn report(app: &mut App, notice: PrintNotice) {
    update(app, Msg::Worker(Event::Printed(notice)));
}

fn offline(waiting: usize) -> PrintNotice {
    PrintNotice::Offline {
        printer: PRINTER.into(),
        waiting,
        reason: "refused the connection (is it on and online?)".into(),
    }
}

/// What the status pane reads, as text.
fn status_text(app: &App) -> String {
    status::lines(app, 200)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn bar_words(app: &App) -> Vec<&'static str> {
    keys::bar(app, app.context())
        .into_iter()
        .map(|(_, w)| w)
        .collect()
}

#[test]
fn p_prints_exactly_the_receipt_the_window_shows() {
    let mut app = till(true, false);
    assert!(
        printed_receipts(&approved_sale(&mut app)).is_empty(),
        "auto is off"
    );
    ctrl(&mut app, 'p');
    let shown = preview(&app);
    assert!(shown.contains("25 pts"), "{shown}");
    assert!(shown.contains("TRAINING / TEST"), "a demo till: {shown}");
    assert!(!shown.contains("COPY"), "the original: {shown}");
    assert!(bar_words(&app).contains(&"print"), "{:?}", bar_words(&app));
    let on_screen = (*window(&app).receipt).clone();

    let effects = key(&mut app, KeyCode::Char('p'));
    assert_eq!(printed_receipts(&effects), std::slice::from_ref(&on_screen));
    assert_eq!(
        crate::receipt::text::render(&on_screen, app.printer.width),
        shown,
        "the paper is laid out from the value the preview was drawn from"
    );
    assert_eq!(app.overlay, Overlay::None, "the window steps aside");
    assert!(
        status_text(&app).contains("printing…"),
        "{}",
        status_text(&app)
    );

    report(&mut app, PrintNotice::Printed { receipts: 1 });
    assert_eq!(app.notice.as_ref().unwrap().text, "printed");
    assert!(!status_text(&app).contains("printing…"));

    // Printed once: from now on it is a copy, on screen and on paper.
    ctrl(&mut app, 'p');
    assert!(preview(&app).contains("*** COPY ***"), "{}", preview(&app));
    assert!(bar_words(&app).contains(&"print a COPY"));
    let again = printed_receipts(&key(&mut app, KeyCode::Char('p')));
    assert_eq!(again.len(), 1);
    assert!(again[0].copy);
}

#[test]
fn with_auto_each_approval_prints_by_itself_and_the_next_sale_goes_out_at_once() {
    let mut app = till(true, true);
    let effects = approved_sale(&mut app);
    let sent = printed_receipts(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}");
    assert_eq!(sent[0].tran_order_no.as_deref(), Some(ORDER));
    assert!(sent[0].training && !sent[0].copy);
    assert!(status_text(&app).contains("printing…"));

    // The printer has not answered; the next customer's sale goes out on its Enter.
    let next = issue_25(&mut app);
    assert_eq!(submits(&next).len(), 1, "printing never holds a sale");

    // The preview while it prints is what is printing, and P does not print it twice.
    let mut shown = app.clone();
    ctrl(&mut shown, 'p');
    assert_eq!(*window(&shown).receipt, sent[0]);
    assert!(printed_receipts(&key(&mut shown, KeyCode::Char('p'))).is_empty());
    assert!(shown.notice.as_ref().unwrap().text.contains("printing now"));
}

#[test]
fn a_printer_that_is_down_keeps_it_and_ctrl_p_then_p_prints_it_once() {
    let mut app = till(true, true);
    approved_sale(&mut app);
    report(&mut app, offline(1));
    let said = status_text(&app);
    assert!(
        said.contains("printer offline — receipt kept (Ctrl+P to retry)"),
        "{said}"
    );
    assert!(said.contains(PRINTER), "names the printer: {said}");
    // It stays said while the cashier goes on.
    type_str(&mut app, "62");
    assert!(status_text(&app).contains("receipt kept"));

    key(&mut app, KeyCode::Esc);
    ctrl(&mut app, 'p');
    assert!(!preview(&app).contains("COPY"), "it never printed");
    assert!(bar_words(&app).contains(&"print it now"));
    let effects = key(&mut app, KeyCode::Char('p'));
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::FlushReceipts)],
        "the kept receipt is sent from the queue, not queued again"
    );
    assert!(status_text(&app).contains("printing…"));

    report(&mut app, PrintNotice::Printed { receipts: 1 });
    assert!(!status_text(&app).contains("kept"), "{}", status_text(&app));
    assert_eq!(app.notice.as_ref().unwrap().text, "printed");
    ctrl(&mut app, 'p');
    assert!(preview(&app).contains("*** COPY ***"), "printed now");
}

#[test]
fn ctrl_p_with_nothing_to_show_but_receipts_kept_prints_them() {
    let mut app = till(true, false);
    report(&mut app, offline(2));
    assert!(status_text(&app).contains("printer offline — 2 receipts kept (Ctrl+P to retry)"));
    assert_eq!(
        ctrl(&mut app, 'p'),
        vec![Effect::Worker(Command::FlushReceipts)]
    );
}

#[test]
fn the_report_of_the_last_job_out_says_where_the_queue_stands() {
    let mut app = till(true, true);
    approved_sale(&mut app);
    approved_sale(&mut app);
    assert_eq!(app.printer.jobs, 2);
    // The first job found the printer down; the second sent the whole queue.
    report(&mut app, offline(2));
    assert!(
        status_text(&app).contains("printing…"),
        "one job is still out"
    );
    report(&mut app, PrintNotice::Printed { receipts: 2 });
    assert_eq!(app.printer.kept, 0);
    assert_eq!(app.receipt.as_ref().unwrap().paper, Paper::HandedOver);

    // The other way round: the last word is that the printer is down.
    approved_sale(&mut app);
    approved_sale(&mut app);
    report(&mut app, PrintNotice::Printed { receipts: 1 });
    assert_eq!(app.notice, None, "not 'printed' while a job is still out");
    report(&mut app, offline(1));
    assert_eq!(app.receipt.as_ref().unwrap().paper, Paper::Kept);
    assert_eq!(app.printer.kept, 1);
}

#[test]
fn without_a_printer_p_says_how_to_set_one_up_and_sends_nothing() {
    let mut app = till(false, false);
    approved_sale(&mut app);
    ctrl(&mut app, 'p');
    assert!(
        !bar_words(&app).iter().any(|w| w.contains("print")),
        "no print key offered: {:?}",
        bar_words(&app)
    );
    assert!(key(&mut app, KeyCode::Char('p')).is_empty());
    let said = &app.notice.as_ref().unwrap().text;
    assert!(
        said.contains("[printer]") && said.contains("PAYWIZARD_PRINTER"),
        "{said}"
    );
}

#[test]
fn a_failed_queue_leaves_it_unprinted_and_says_why() {
    let mut app = till(true, true);
    approved_sale(&mut app);
    report(&mut app, PrintNotice::NotQueued("disk full".into()));
    assert_eq!(app.receipt.as_ref().unwrap().paper, Paper::Unprinted);
    let notice = app.notice.clone().unwrap();
    assert_eq!(notice.tone, Tone::Warning);
    assert!(notice.text.contains("disk full"), "{}", notice.text);
    ctrl(&mut app, 'p');
    assert!(!preview(&app).contains("COPY"), "still the original");
}

#[test]
fn ctrl_p_on_a_history_row_shows_its_reprint_from_the_journal() {
    let mut app = till(true, false);
    approved_sale(&mut app);
    let older = row(2, RowState::Approved);
    update(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![older.clone()],
        }),
    );
    ctrl(&mut app, 'l');
    key(&mut app, KeyCode::Down);
    assert_eq!(app.history.selected_entry().unwrap().id, 2);
    let effects = ctrl(&mut app, 'p');
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::LoadReceipt {
            row: 2,
            store: app.issuer.store.clone(),
        })]
    );
    assert_eq!(
        app.overlay,
        Overlay::None,
        "nothing to show until it arrives"
    );

    let from_journal = Receipt::approved(
        &app.issuer,
        older.at,
        &Outcome {
            operation: Operation::Pay,
            tran_order_no: older.tran_order_no.clone(),
            amount: Some("5.00".into()),
            ..outcome(Status::Approved)
        },
    )
    .unwrap();
    update(
        &mut app,
        Msg::Worker(Event::Receipt {
            row: 2,
            receipt: Ok(Box::new(from_journal)),
        }),
    );
    let shown = preview(&app);
    assert!(shown.contains("*** COPY ***"), "a reprint: {shown}");
    assert!(shown.contains("TRAINING / TEST"), "{shown}");
    assert!(shown.contains("USD 5.00"), "{shown}");
    let sent = printed_receipts(&key(&mut app, KeyCode::Char('p')));
    assert_eq!(sent.len(), 1);
    assert!(sent[0].copy, "the paper says COPY too");
    assert_eq!(sent[0].tran_order_no, older.tran_order_no);
    assert_eq!(
        app.receipt.as_ref().unwrap().paper,
        Paper::Unprinted,
        "the last sale's own receipt is untouched"
    );
}

#[test]
fn the_selected_row_of_the_last_sale_shows_its_receipt_as_it_stands() {
    let mut app = till(true, false);
    approved_sale(&mut app);
    ctrl(&mut app, 'l');
    assert_eq!(app.history.selected_entry().unwrap().id, 3);
    assert!(ctrl(&mut app, 'p').is_empty(), "no journal read needed");
    assert_eq!(window(&app).row, None);
    assert!(
        !preview(&app).contains("COPY"),
        "not printed yet: the original"
    );
}

#[test]
fn a_history_row_without_a_receipt_says_so_and_never_shows_another_sales() {
    let mut app = till(true, false);
    approved_sale(&mut app);
    update(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![row(2, RowState::Declined)],
        }),
    );
    ctrl(&mut app, 'l');
    key(&mut app, KeyCode::Down);
    assert!(ctrl(&mut app, 'p').is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.notice.as_ref().unwrap().text.contains("declined"));
}

#[test]
fn a_reprint_that_arrives_after_the_cashier_moved_on_stays_closed() {
    let mut app = till(true, false);
    update(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![row(2, RowState::Approved)],
        }),
    );
    ctrl(&mut app, 'l');
    assert_eq!(ctrl(&mut app, 'p').len(), 1);
    key(&mut app, KeyCode::Esc);
    let late = Receipt::approved(&app.issuer, OffsetDateTime::UNIX_EPOCH, &{
        let mut o = outcome(Status::Approved);
        o.tran_order_no = row(2, RowState::Approved).tran_order_no;
        o
    })
    .unwrap();
    update(
        &mut app,
        Msg::Worker(Event::Receipt {
            row: 2,
            receipt: Ok(Box::new(late)),
        }),
    );
    assert_eq!(app.overlay, Overlay::None, "the form keeps the keys");
    update(
        &mut app,
        Msg::Worker(Event::Receipt {
            row: 2,
            receipt: Err("it is declined; only approved operations have receipts".into()),
        }),
    );
    assert!(app.notice.as_ref().unwrap().text.contains("declined"));
}

#[test]
fn a_new_approval_under_an_open_window_leaves_the_window_on_its_own_sale() {
    let mut app = till(true, true);
    approved_sale(&mut app);
    report(&mut app, PrintNotice::Printed { receipts: 1 });
    ctrl(&mut app, 'p');
    let first = window(&app).receipt.clone();
    assert!(first.copy, "printed by itself: a reprint is a copy");
    // A request sent before the window opened comes back approved for another order.
    let mut next = outcome(Status::Approved);
    next.tran_order_no = Some("00012025040112353499".into());
    let id = app.next_id;
    app.status = StatusView::Ready;
    let mut other_row = sale_row(4);
    other_row.tran_order_no = next.tran_order_no.clone();
    update(
        &mut app,
        Msg::Worker(Event::Finished {
            id,
            outcome: Box::new(next),
            entry: Some(other_row),
        }),
    );
    assert_eq!(window(&app).receipt, first, "what the cashier is reading");
    let sent = printed_receipts(&key(&mut app, KeyCode::Char('p')));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].tran_order_no.as_deref(), Some(ORDER));
    assert!(sent[0].copy);
}

#[test]
fn s_saves_the_text_of_the_model_and_a_second_save_says_copy() {
    let mut app = till(false, false);
    approved_sale(&mut app);
    ctrl(&mut app, 'p');
    // No receipts_dir in this config: it says so rather than pretending.
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    assert!(app.notice.as_ref().unwrap().text.contains("receipts_dir"));

    app.receipts_enabled = true;
    let shown = preview(&app);
    let effects = key(&mut app, KeyCode::Char('s'));
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::SaveReceipt {
            name: format!("receipt-{ORDER}.txt"),
            text: shown.clone(),
        })],
        "the file is the preview"
    );
    assert!(!shown.contains("COPY"), "the first is the original");
    update(
        &mut app,
        Msg::Worker(Event::ReceiptSaved(Ok(format!(
            "/spool/receipt-{ORDER}.txt"
        )))),
    );
    assert!(preview(&app).contains("*** COPY ***"), "{}", preview(&app));
    let Some(Effect::Worker(Command::SaveReceipt { text: again, .. })) =
        key(&mut app, KeyCode::Char('s')).pop()
    else {
        panic!("S saves again");
    };
    assert!(again.contains("*** COPY ***"), "{again}");
}

#[test]
fn the_preview_is_laid_out_at_the_papers_width() {
    for width in crate::printer::WIDTHS {
        let mut config = Config::resolve(&Overrides::default(), &FileConfig::default()).unwrap();
        config.printer.paper.width = width;
        let mut app = App::new(&config);
        approved_sale(&mut app);
        ctrl(&mut app, 'p');
        let shown = preview(&app);
        assert!(
            shown.lines().all(|l| l.chars().count() <= width),
            "{width}:\n{shown}"
        );
        assert!(
            shown.lines().any(|l| l.chars().count() > width - 4),
            "uses the paper's columns ({width}):\n{shown}"
        );
    }
}
