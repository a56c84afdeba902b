//! "Why this speed?": a panel under the queue's totals that says, for the transfers running
//! here, what limits each one (the bandwidth limit, the local disk, the CPU, the round trip,
//! or the network and the server), with the round trip, the connections in use against the
//! limit and what the server accepts, the bytes in flight, the bandwidth limit, retries and
//! stalls. It reads the running items' shared counters; it asks the engine nothing.

use std::collections::BTreeMap;

use egui::{RichText, Ui};

use super::format;
use super::intent::LimitsTyped;
use super::transfers::{Transfer, Transfers};
use crate::engine::api::{Bottleneck, Direction, LinkFacts, TransferState};

/// The most transfers described one by one; more would push the queue out of sight.
const MOST_SHOWN: usize = 8;

pub fn show(transfers: &Transfers, limits: &LimitsTyped, ui: &mut Ui) {
    let running: Vec<&Transfer> = transfers.running_transfers_here();
    if running.is_empty() {
        ui.weak("Nothing is running. Start a transfer to see what limits its speed.");
        return;
    }
    for line in site_lines(&running) {
        ui.label(line);
    }
    ui.label(limit_line(limits));
    for transfer in running.iter().take(MOST_SHOWN) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(name(transfer)).strong());
            let speed = transfer.speed().unwrap_or(0.0);
            ui.label(format!("{}:", format::speed(speed)));
            ui.label(transfer_line(transfer, speed));
        });
    }
    if running.len() > MOST_SHOWN {
        ui.weak(format!("… and {} more running", running.len() - MOST_SHOWN));
    }
}

/// One line per server: its round trip and its connections against the limits.
fn site_lines(running: &[&Transfer]) -> Vec<String> {
    let mut sites: BTreeMap<&str, Vec<&Transfer>> = BTreeMap::new();
    for transfer in running {
        sites.entry(&transfer.item.site).or_default().push(transfer);
    }
    sites
        .into_iter()
        .map(|(site, transfers)| {
            let progress = transfers.iter().find_map(|transfer| transfer.progress.as_ref());
            let link = progress.map(|progress| progress.link()).unwrap_or_default();
            let connections = progress.map(|progress| progress.connections()).unwrap_or_default();
            let mut line = format!("{site}: ");
            if let Some(round_trip) = link.round_trip {
                line.push_str(&format!("round trip {} · ", milliseconds(round_trip)));
            }
            line.push_str(&format!(
                "{} of {} allowed at once",
                format::count(transfers.len(), "connection", "connections"),
                connections.allowed
            ));
            if let Some(accepts) = connections.server_accepts {
                line.push_str(&format!(" (the server refused more than {accepts})"));
            }
            line
        })
        .collect()
}

fn limit_line(limits: &LimitsTyped) -> String {
    let typed = |text: &str| match text.trim() {
        "" => "none".to_owned(),
        text => text.to_owned(),
    };
    if limits.download.trim().is_empty() && limits.upload.trim().is_empty() {
        "No bandwidth limit is set.".to_owned()
    } else {
        format!(
            "Bandwidth limit: downloads {}, uploads {}.",
            typed(&limits.download),
            typed(&limits.upload)
        )
    }
}

fn name(transfer: &Transfer) -> String {
    let item = &transfer.item;
    match item.direction {
        Direction::Download => item.remote.rsplit('/').next().unwrap_or(&item.remote).to_owned(),
        Direction::Upload => item.local.file_name().map_or_else(
            || item.local.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        ),
    }
}

/// What limits one transfer, with its retries and stalls.
fn transfer_line(transfer: &Transfer, speed: f64) -> String {
    let mut line = match &transfer.progress {
        Some(progress) => verdict(progress.bottleneck(speed), &progress.link()),
        None => "measuring…".to_owned(),
    };
    if let TransferState::Stalled { quiet_secs } = transfer.item.state {
        line = format!("stalled: nothing has moved for {quiet_secs} s (the server or the link); {line}");
    }
    if transfer.item.attempts > 1 {
        line.push_str(&format!(" (attempt {}, after a retry)", transfer.item.attempts));
    }
    line
}

/// A bottleneck as a sentence a person can act on.
pub fn verdict(bottleneck: Bottleneck, link: &LinkFacts) -> String {
    let percent = |share: f32| format!("{:.0}%", share * 100.0);
    match bottleneck {
        Bottleneck::Unknown => "measuring…".to_owned(),
        Bottleneck::BandwidthLimit { share } => format!(
            "the bandwidth limit you set holds it back {} of the time",
            percent(share)
        ),
        Bottleneck::LocalDisk { share } => format!(
            "this computer's disk: {} of the time goes to reading or writing the file",
            percent(share)
        ),
        Bottleneck::Cpu { share } => format!(
            "this computer's CPU: the transfer keeps it busy {} of the time (encryption)",
            percent(share)
        ),
        Bottleneck::RoundTrip { most } => {
            let in_flight = link.in_flight.map(format::size).unwrap_or_default();
            let round_trip = link.round_trip.map(milliseconds).unwrap_or_default();
            format!(
                "the round trip: with {in_flight} in flight per {round_trip} round trip, one connection \
                 moves at most {}; more files at once (Parallel) would use more connections",
                format::speed(most as f64)
            )
        }
        Bottleneck::Network => "the network or the server: the transfer mostly waits for it".to_owned(),
    }
}

fn milliseconds(time: std::time::Duration) -> String {
    format!("{:.0} ms", time.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn each_bottleneck_reads_as_a_sentence_with_its_figures() {
        let link = LinkFacts {
            round_trip: Some(Duration::from_millis(40)),
            in_flight: Some(8 * 1024 * 1024),
        };
        assert_eq!(
            verdict(Bottleneck::BandwidthLimit { share: 0.64 }, &link),
            "the bandwidth limit you set holds it back 64% of the time"
        );
        assert!(verdict(Bottleneck::LocalDisk { share: 0.7 }, &link).contains("disk: 70%"));
        assert!(verdict(Bottleneck::Cpu { share: 0.93 }, &link).contains("CPU"));
        let round_trip = verdict(
            Bottleneck::RoundTrip {
                most: 200 * 1024 * 1024,
            },
            &link,
        );
        assert!(round_trip.contains("8.0 MiB in flight per 40 ms"), "{round_trip}");
        assert!(round_trip.contains("more files at once"), "{round_trip}");
        assert_eq!(verdict(Bottleneck::Unknown, &link), "measuring…");
    }

    #[test]
    fn the_limit_line_names_what_the_user_typed() {
        let mut limits = LimitsTyped {
            parallel: 4,
            auto_parallel: true,
            download: String::new(),
            upload: " ".to_owned(),
            timeout: 30,
        };
        assert_eq!(limit_line(&limits), "No bandwidth limit is set.");
        limits.download = "2M".to_owned();
        assert_eq!(limit_line(&limits), "Bandwidth limit: downloads 2M, uploads none.");
    }
}
