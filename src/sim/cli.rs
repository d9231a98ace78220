//! `paywizard-till sim`: the simulator on its own, for out-of-process tests and demos.

use std::time::Duration;

use super::{FaultRates, SimCredentials, SimOptions};

#[derive(clap::Args, Debug, Clone)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Latency added to every request, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Percent of value-moving requests dropped before they are applied.
    #[arg(long, value_name = "PCT", value_parser = percent, default_value_t = 0.0)]
    pub drop_before: f64,
    /// Percent of value-moving requests applied, then dropped without an answer.
    #[arg(long, value_name = "PCT", value_parser = percent, default_value_t = 0.0)]
    pub drop_after: f64,
    /// Percent of value-moving requests answered with HTTP 500.
    #[arg(long, value_name = "PCT", value_parser = percent, default_value_t = 0.0)]
    pub http500: f64,
    /// Percent of value-moving requests answered `result 2` (pending).
    #[arg(long, value_name = "PCT", value_parser = percent, default_value_t = 0.0)]
    pub pending: f64,
    /// Seed for the fault percentages: the same seed gives the same faults.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

fn percent(s: &str) -> Result<f64, String> {
    let value: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a percentage from 0 to 100, got {s:?}"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("expected a percentage from 0 to 100, got {s:?}"))
    }
}

impl SimArgs {
    fn rates(&self) -> Option<FaultRates> {
        let any = [
            self.drop_before,
            self.drop_after,
            self.http500,
            self.pending,
        ]
        .iter()
        .any(|p| *p > 0.0);
        any.then(|| FaultRates {
            drop_before: self.drop_before / 100.0,
            drop_after: self.drop_after / 100.0,
            http500: self.http500 / 100.0,
            pending: self.pending / 100.0,
            delay: None,
            delay_rate: 0.0,
            seed: self.seed,
        })
    }
}

/// Serves until Ctrl-C. Prints one line with the address and clientId; never the secret
/// or the token.
pub async fn run(args: SimArgs, credentials: SimCredentials) -> std::io::Result<()> {
    let client_id = credentials.client_id.clone();
    let sim = super::spawn(SimOptions {
        credentials,
        port: args.port,
        ..SimOptions::default()
    })
    .await?;
    let faults = sim.faults();
    if let Some(rates) = args.rates() {
        faults.set_rates(rates);
    }
    if let Some(ms) = args.latency_ms {
        faults.set_latency(Duration::from_millis(ms));
    }
    println!(
        "PayWizard simulator listening on {} (clientId {client_id})",
        sim.base_url()
    );
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    #[test]
    fn defaults_and_percentages() {
        let cli = Cli::try_parse_from(["sim"]).unwrap();
        assert_eq!(cli.sim.port, 8080);
        assert!(cli.sim.rates().is_none());
        let cli =
            Cli::try_parse_from(["sim", "--port", "0", "--drop-after", "12.5", "--seed", "3"])
                .unwrap();
        let rates = cli.sim.rates().unwrap();
        assert_eq!((rates.drop_after, rates.seed), (0.125, 3));
        assert!(Cli::try_parse_from(["sim", "--pending", "101"]).is_err());
        assert!(Cli::try_parse_from(["sim", "--http500", "x"]).is_err());
    }
}
