//! Accuracy of `mindy enrich`'s sentiment plan on the labelled set
//! (`crates/pipeline/tests/fixtures/sentiment/`): the emails are scored on the Spark cluster by
//! the very plan the enrichment runs, then compared with the labels. Prints accuracy, per-class
//! precision and recall and the confusion matrix, for the whole set and for its development and
//! held-out halves, with the business-email lexicon and with VADER's lexicon as published.
//!
//! Run with `source .stack/env && benches/intel/sentiment.sh` (`--errors` lists the emails the
//! plan gets wrong in the development half, `--sweep` the development half's accuracy over
//! thresholds).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mindy_core::config::SparkArgs;
use mindy_pipeline::jobs::enrich::evaluate::{self, Labelled, Split};
use mindy_pipeline::jobs::enrich::reference::LexiconChoice;
use mindy_pipeline::jobs::enrich::sentiment::SentimentSettings;
use spark_client::SparkSession;

/// Sentiment accuracy on the labelled set.
#[derive(Debug, Parser)]
struct Cli {
    /// Spark Connect connection.
    #[command(flatten)]
    spark: SparkArgs,
    /// The labelled set's directory.
    #[arg(long, default_value = "crates/pipeline/tests/fixtures/sentiment")]
    labelled: PathBuf,
    /// List the development half's misclassified emails.
    #[arg(long)]
    errors: bool,
    /// Print the development half's accuracy over a grid of thresholds.
    #[arg(long)]
    sweep: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let set = evaluate::read_labelled(&cli.labelled)?;
    let session = SparkSession::builder()
        .remote(&cli.spark.remote)
        .build()
        .await?;
    let settings = SentimentSettings::default();
    println!(
        "{} labelled emails; thresholds: positive >= {}, negative <= {}",
        set.len(),
        settings.positive_at,
        settings.negative_at
    );
    for lexicon in [LexiconChoice::Business, LexiconChoice::Vader] {
        let started = std::time::Instant::now();
        let scores = evaluate::score(&session, &set, lexicon).await?;
        let predicted = evaluate::classify(&scores, &settings);
        println!(
            "\nlexicon: {lexicon:?} (scored on the cluster in {:.1} s)",
            started.elapsed().as_secs_f64()
        );
        let part = |split: Option<Split>| {
            set.iter()
                .filter(move |e| split.is_none_or(|s| e.split == s))
        };
        for (name, split) in [
            ("all", None),
            ("development half", Some(Split::Development)),
            ("held-out half", Some(Split::HeldOut)),
        ] {
            println!("{name}:");
            print!("{}", evaluate::metrics(part(split), &predicted));
        }
        if lexicon == LexiconChoice::Business && cli.sweep {
            sweep(&set, &scores);
        }
        if lexicon == LexiconChoice::Business && cli.errors {
            for e in part(Some(Split::Development)) {
                let p = predicted[&e.id];
                if p != e.label {
                    println!(
                        "  {:<14} {:>7.3} {:<8} -> {:<8} {} | {}",
                        e.id,
                        scores[&e.id],
                        e.label.as_str(),
                        p.as_str(),
                        e.subject,
                        e.body
                    );
                }
            }
        }
    }
    Ok(())
}

/// The development half's accuracy for each pair of thresholds on a grid.
fn sweep(set: &[Labelled], scores: &std::collections::BTreeMap<String, f64>) {
    println!("development accuracy by thresholds (rows: negative_at, columns: positive_at)");
    let positives = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
    print!("{:>8}", "");
    for p in positives {
        print!("{p:>7.2}");
    }
    println!();
    for n in [-0.05, -0.1, -0.2, -0.3, -0.4, -0.5] {
        print!("{n:>8.2}");
        for p in positives {
            let settings = SentimentSettings {
                positive_at: p,
                negative_at: n,
            };
            let predicted = evaluate::classify(scores, &settings);
            let dev = set.iter().filter(|e| e.split == Split::Development);
            print!(
                "{:>6.1}%",
                evaluate::metrics(dev, &predicted).accuracy * 100.0
            );
        }
        println!();
    }
}
