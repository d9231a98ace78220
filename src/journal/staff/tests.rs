//! Staff rules on an in-memory journal (tests/staff.rs drives the real binary).

use std::time::Duration;

use time::macros::datetime;

use super::*;
use crate::api::{EntryType, Operation};
use crate::journal::{Intent, JournalError};

const T0: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

fn pin(text: &str) -> Pin {
    Pin::parse(text).unwrap()
}

fn signed(j: &Journal, id: &str, p: &str) -> SignedOn {
    j.sign_on(id, &pin(p), T0).unwrap().unwrap()
}

/// A journal with manager `ann` (PIN 1111) and cashier `bob` (PIN 2222).
fn staffed() -> Journal {
    let j = Journal::open_in_memory("1").unwrap();
    j.add_staff("ann", "Ann Archer", Role::Manager, &pin("1111"), None, T0)
        .unwrap();
    let ann = signed(&j, "ann", "1111");
    j.add_staff(
        "Bob",
        "Bob Baker",
        Role::Cashier,
        &pin("2222"),
        Some(&ann),
        T0,
    )
    .unwrap();
    j
}

fn log_actions(j: &Journal) -> Vec<(String, String, Option<String>)> {
    let mut stmt = j
        .conn
        .prepare("SELECT staff_id, action, by_staff FROM staff_log ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_first_staff_member_is_a_manager_and_after_that_only_a_manager_adds() {
    let j = Journal::open_in_memory("1").unwrap();
    assert!(!j.has_staff().unwrap());
    let first = j.add_staff("bob", "Bob", Role::Cashier, &pin("2222"), None, T0);
    assert!(
        matches!(&first, Err(StaffError::Input(m)) if m.contains("first staff member must be a manager")),
        "{first:?}"
    );
    assert!(!j.has_staff().unwrap(), "nothing was added");
    j.add_staff("ann", "Ann", Role::Manager, &pin("1111"), None, T0)
        .unwrap();
    assert!(j.has_staff().unwrap());
    let nobody = j.add_staff("cy", "Cy", Role::Cashier, &pin("3333"), None, T0);
    assert!(matches!(
        nobody,
        Err(StaffError::NotPermitted(Refusal::ManagerNeeded))
    ));
    let ann = signed(&j, "ann", "1111");
    j.add_staff("bob", "Bob", Role::Cashier, &pin("2222"), Some(&ann), T0)
        .unwrap();
    let bob = signed(&j, "bob", "2222");
    let by_cashier = j.add_staff("cy", "Cy", Role::Cashier, &pin("3333"), Some(&bob), T0);
    assert!(matches!(
        by_cashier,
        Err(StaffError::NotPermitted(Refusal::NotAManager(id))) if id == "bob"
    ));
    let taken = j.add_staff("BOB", "Bob 2", Role::Cashier, &pin("4444"), Some(&ann), T0);
    assert!(matches!(taken, Err(StaffError::Input(m)) if m == "staff id bob is already taken"));
    assert_eq!(
        log_actions(&j),
        [
            ("ann".into(), "added".into(), None),
            ("bob".into(), "added".into(), Some("ann".into())),
        ]
    );
}

#[test]
fn pins_are_stored_as_argon2id_only_and_never_listed() {
    let j = staffed();
    let hashes: Vec<String> = j
        .conn
        .prepare("SELECT pin_hash FROM staff")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hashes.len(), 2);
    for h in &hashes {
        assert!(h.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{h}");
        assert!(!h.contains("1111") && !h.contains("2222"), "{h}");
    }
    let list = j.staff(T0).unwrap();
    let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["ann", "bob"]);
    let json = serde_json::to_string(&list).unwrap();
    assert!(!json.contains("argon2") && !json.contains("1111"), "{json}");
}

#[test]
fn five_wrong_pins_lock_the_id_for_five_minutes_and_the_lock_is_journaled() {
    let j = staffed();
    for left in (1..=4).rev() {
        assert_eq!(
            j.sign_on("bob", &pin("9999"), T0).unwrap(),
            Err(SignOnRefusal::WrongPin {
                id: "bob".into(),
                attempts_left: left
            })
        );
    }
    let fifth = j.sign_on("bob", &pin("9999"), T0).unwrap().unwrap_err();
    assert!(
        matches!(
            &fifth,
            SignOnRefusal::Locked {
                just_now: true,
                minutes_left: 5,
                ..
            }
        ),
        "{fifth:?}"
    );
    // Even the right PIN waits out the lock; another id is not affected.
    let later = T0 + Duration::from_secs(4 * 60 + 59);
    assert!(matches!(
        j.sign_on("bob", &pin("2222"), later).unwrap(),
        Err(SignOnRefusal::Locked {
            just_now: false,
            minutes_left: 1,
            ..
        })
    ));
    assert!(j.sign_on("ann", &pin("1111"), later).unwrap().is_ok());
    assert!(j.staff(later).unwrap()[1].locked_until.is_some());
    assert_eq!(
        log_actions(&j).last().map(|l| (l.0.as_str(), l.1.as_str())),
        Some(("bob", "locked"))
    );
    // Over at its end, with a fresh count.
    let after = T0 + Duration::from_secs(5 * 60);
    assert!(j.sign_on("bob", &pin("2222"), after).unwrap().is_ok());
    assert!(j.staff(after).unwrap()[1].locked_until.is_none());
    assert_eq!(
        j.sign_on("bob", &pin("9999"), after).unwrap(),
        Err(SignOnRefusal::WrongPin {
            id: "bob".into(),
            attempts_left: 4
        })
    );
}

#[test]
fn a_right_pin_clears_the_count_and_a_policy_can_be_stricter() {
    let mut j = staffed();
    j.set_pin_policy(PinPolicy {
        attempts: 2,
        lockout: Duration::from_secs(3600),
    });
    assert!(j.sign_on("bob", &pin("9999"), T0).unwrap().is_err());
    assert!(j.sign_on("bob", &pin("2222"), T0).unwrap().is_ok());
    assert!(matches!(
        j.sign_on("bob", &pin("9999"), T0).unwrap(),
        Err(SignOnRefusal::WrongPin {
            attempts_left: 1,
            ..
        })
    ));
    assert!(matches!(
        j.sign_on("bob", &pin("9999"), T0).unwrap(),
        Err(SignOnRefusal::Locked {
            minutes_left: 60,
            ..
        })
    ));
    assert_eq!(
        j.sign_on("nobody", &pin("1234"), T0).unwrap(),
        Err(SignOnRefusal::UnknownId)
    );
    assert_eq!(
        j.sign_on("12 34", &pin("1234"), T0).unwrap(),
        Err(SignOnRefusal::UnknownId)
    );
}

#[test]
fn a_pin_is_changed_by_its_owner_or_a_manager_and_that_lifts_a_lock() {
    let j = staffed();
    let bob = signed(&j, "bob", "2222");
    let ann = signed(&j, "ann", "1111");
    j.change_pin("bob", &pin("5555"), &bob, T0).unwrap();
    assert!(j.sign_on("bob", &pin("2222"), T0).unwrap().is_err());
    let bob = signed(&j, "bob", "5555");
    let not_his = j.change_pin("ann", &pin("6666"), &bob, T0);
    assert!(matches!(
        not_his,
        Err(StaffError::NotPermitted(Refusal::NotAManager(_)))
    ));
    for _ in 0..5 {
        let _ = j.sign_on("bob", &pin("0000"), T0).unwrap();
    }
    assert!(matches!(
        j.sign_on("bob", &pin("5555"), T0).unwrap(),
        Err(SignOnRefusal::Locked { .. })
    ));
    j.change_pin("bob", &pin("7777"), &ann, T0).unwrap();
    assert!(j.sign_on("bob", &pin("7777"), T0).unwrap().is_ok());
}

#[test]
fn a_removed_member_cannot_sign_on_or_work_and_the_last_manager_stays() {
    let j = staffed();
    let ann = signed(&j, "ann", "1111");
    let bob = signed(&j, "bob", "2222");
    let last = j.remove_staff("ann", &ann, T0);
    assert!(matches!(last, Err(StaffError::Input(m)) if m.contains("last manager")));
    let by_cashier = j.remove_staff("ann", &bob, T0);
    assert!(matches!(by_cashier, Err(StaffError::NotPermitted(_))));
    j.remove_staff("bob", &ann, T0).unwrap();
    assert_eq!(
        j.sign_on("bob", &pin("2222"), T0).unwrap(),
        Err(SignOnRefusal::UnknownId)
    );
    // Signed on before the removal: the journal still refuses them.
    assert_eq!(
        j.permit(&Authority::cashier(bob), Need::Staff).unwrap(),
        Err(Refusal::NoLongerStaff("bob".into()))
    );
    assert_eq!(
        j.staff(T0)
            .unwrap()
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["ann"]
    );
    // Taken back later with a new PIN.
    j.add_staff(
        "bob",
        "Bob Baker",
        Role::Cashier,
        &pin("8888"),
        Some(&ann),
        T0,
    )
    .unwrap();
    assert!(j.sign_on("bob", &pin("8888"), T0).unwrap().is_ok());
}

fn intent(cashier: Option<&str>) -> Intent {
    Intent {
        operation: Operation::Balance,
        tran_order_no: None,
        account: "6274000000000014".into(),
        entry_type: EntryType::K,
        amount_minor: None,
        points: None,
        currency: "USD".into(),
        body: br#"{"accountId":"6274000000000014"}"#.to_vec(),
        original_checkout_id: None,
        created_at: T0,
        cashier: cashier.map(Into::into),
        approved_by: None,
    }
}

#[test]
fn once_there_are_staff_every_row_names_an_active_cashier() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let before = j.begin(&intent(None)).unwrap();
    assert_eq!(j.row(before).unwrap().unwrap().cashier, None);
    j.add_staff("ann", "Ann", Role::Manager, &pin("1111"), None, T0)
        .unwrap();
    assert!(matches!(
        j.begin(&intent(None)),
        Err(JournalError::NotPermitted(Refusal::SignOnNeeded))
    ));
    assert!(matches!(
        j.begin(&intent(Some("zed"))),
        Err(JournalError::NotPermitted(Refusal::NoLongerStaff(_)))
    ));
    let id = j.begin(&intent(Some("ann"))).unwrap();
    assert_eq!(j.row(id).unwrap().unwrap().cashier.as_deref(), Some("ann"));
}

#[test]
fn abandoning_needs_a_manager_once_there_are_staff_and_records_who() {
    let mut j = staffed();
    let ann = signed(&j, "ann", "1111");
    let bob = signed(&j, "bob", "2222");
    let id = j.begin(&intent(Some("bob"))).unwrap();
    let refused = j.mark_abandoned_as(id, "card holder left", &Authority::cashier(bob.clone()), T0);
    assert!(matches!(
        refused,
        Err(JournalError::NotPermitted(Refusal::ManagerNeeded))
    ));
    assert!(matches!(
        j.mark_abandoned(id, "card holder left", T0),
        Err(JournalError::NotPermitted(Refusal::SignOnNeeded))
    ));
    j.mark_abandoned_as(
        id,
        "card holder left",
        &Authority::cashier(bob).approved_by(ann),
        T0,
    )
    .unwrap();
    let row = j.row(id).unwrap().unwrap();
    assert_eq!(
        (row.cashier.as_deref(), row.abandoned_by.as_deref()),
        (Some("bob"), Some("ann"))
    );
}

#[test]
fn ids_and_names_are_checked() {
    assert_eq!(canonical_id(" Ann_1 ").unwrap(), "ann_1");
    for bad in ["", "a b", "ann!", &"x".repeat(17), "ännie"] {
        assert!(canonical_id(bad).is_err(), "{bad:?}");
    }
    assert_eq!(check_name("  Ann Archer ").unwrap(), "Ann Archer");
    for bad in ["", "   ", "Ann\u{1b}[2J", &"n".repeat(41)] {
        assert!(check_name(bad).is_err(), "{bad:?}");
    }
    assert_eq!(Role::parse("Manager"), Some(Role::Manager));
    assert_eq!(Role::parse("boss"), None);
}
