//! The store commands: `sync`, `report --store`, `history --store`.

use time::UtcOffset;

use super::headless::{Failure, bad_input, date_range, print_json};
use super::reading::history_line;
use super::sign_on::authorize_reading;
use super::{OutputArgs, StoreArgs};
use crate::config::Config;
use crate::store::{Filter, Source, Store, StoreSettings, SyncError, sync_once};
use crate::till::authority::Action;

fn settings(config: &Config) -> Result<&StoreSettings, Failure> {
    config.store.as_ref().ok_or_else(|| {
        Failure::BadConfig(
            "no store database: set PAYWIZARD_STORE_DB (or store_db in the config file) to its postgres:// URL".into(),
        )
    })
}

/// `sync`: push what is pending; exit 0 with how many rows went, 1 when the store cannot
/// be reached (within the connect timeout) or refuses this journal.
pub async fn sync(config: &Config, out: OutputArgs) -> Result<u8, Failure> {
    let settings = settings(config)?;
    let source = Source {
        journal: config.journal_path.clone(),
        till_id: config.till_id.clone(),
        store_name: config.store_name.clone(),
    };
    match sync_once(&source, settings).await {
        Ok(done) => {
            if out.json {
                print_json(&done);
            } else {
                println!(
                    "{} rows pushed ({} changes) to {}; store synced",
                    done.rows,
                    done.changes,
                    settings.address.shown()
                );
            }
            Ok(0)
        }
        Err(SyncError::Journal(e)) => Err(Failure::BadConfig(format!("journal: {e}"))),
        Err(e) => Err(Failure::Other(e.to_string())),
    }
}

fn filter(
    store: &StoreArgs,
    from: Option<String>,
    to: Option<String>,
    offset: UtcOffset,
) -> Result<Filter, Failure> {
    let (from, to) = date_range(from.as_deref(), to.as_deref(), offset)?;
    let till = match &store.till {
        Some(t) => Some(
            crate::api::order_no::canonical_till_id(t)
                .ok_or_else(|| bad_input("--till", "must be 1 to 10 digits"))?,
        ),
        None => None,
    };
    Ok(Filter { from, to, till })
}

async fn connect(config: &Config) -> Result<Store, Failure> {
    let settings = settings(config)?;
    Store::connect(&settings.address, settings.connect_timeout)
        .await
        .map_err(|e| Failure::Other(e.to_string()))
}

pub async fn report(
    config: &Config,
    store: &StoreArgs,
    from: Option<String>,
    to: Option<String>,
    out: OutputArgs,
    offset: UtcOffset,
) -> Result<u8, Failure> {
    // The store-wide figures are a manager's, as this till's report is.
    authorize_reading(config, Action::Figures, "report --store")?;
    let filter = filter(store, from, to, offset)?;
    let db = connect(config).await?;
    let found = db
        .report(&filter)
        .await
        .map_err(|e| Failure::Other(e.to_string()))?;
    if out.json {
        print_json(&found);
    } else {
        println!("Store: {} till(s)", found.tills);
        print!("{}", found.report.render_text());
    }
    Ok(0)
}

pub async fn history(
    config: &Config,
    store: &StoreArgs,
    from: Option<String>,
    to: Option<String>,
    limit: u16,
    out: OutputArgs,
    offset: UtcOffset,
) -> Result<u8, Failure> {
    authorize_reading(config, Action::Look, "history --store")?;
    // Without dates the store's history reaches back as far as it goes.
    let filter = if from.is_none() && to.is_none() {
        let mut f = filter(store, None, None, offset)?;
        f.from = time::OffsetDateTime::UNIX_EPOCH;
        f.to = time::macros::datetime!(9999-12-31 0:00 UTC);
        f
    } else {
        filter(store, from, to, offset)?
    };
    let db = connect(config).await?;
    let (entries, tills) = db
        .history(&filter, i64::from(limit), offset)
        .await
        .map_err(|e| Failure::Other(e.to_string()))?;
    if out.json {
        print_json(&serde_json::json!({ "entries": entries, "tills": tills }));
    } else if entries.is_empty() {
        println!("No transactions in the store database");
    } else {
        for s in &entries {
            println!("till {:<4} {}", s.till_id, history_line(&s.entry));
        }
    }
    Ok(0)
}
