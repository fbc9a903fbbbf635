//! Measuring the sentiment plan against labelled emails: the benchmark
//! (`benches/intel/sentiment.sh`) prints the figures, an integration test holds the accuracy
//! above the target. The emails are scored by the very plan `mindy enrich` runs (text cleaning,
//! sentences, [`super::sentiment::scores`]) on the cluster.
//!
//! The labelled set is three tab-separated files, `positive.tsv`, `neutral.tsv`, `negative.tsv`
//! (`subject<TAB>body` per line; `\n` in a body is a line break). Odd lines form the development
//! half (what the supplement and thresholds were tuned on), even lines the held-out half.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use mindy_core::intel::Sentiment;
use spark_client::SparkSession;

use super::reference::{self, LexiconChoice, Reference};
use super::{facts, sentiment, text};
use crate::{Error, Result};
use spark_client::rows::Rows;

/// Which half of the labelled set an email belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Odd lines: used to choose the supplement's entries and the thresholds.
    Development,
    /// Even lines: never looked at while tuning.
    HeldOut,
}

/// One labelled email.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// `<class>:<line>`.
    pub id: String,
    /// The label a person gave it.
    pub label: Sentiment,
    /// Its half.
    pub split: Split,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
}

/// Reads the labelled set from `dir`.
pub fn read_labelled(dir: &Path) -> Result<Vec<Labelled>> {
    let mut out = Vec::new();
    for label in Sentiment::ALL {
        let path = dir.join(format!("{}.tsv", label.as_str()));
        let content = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        for (i, line) in content.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (subject, body) = line
                .split_once('\t')
                .ok_or_else(|| Error::invalid(format!("{}:{}: no tab", path.display(), i + 1)))?;
            out.push(Labelled {
                id: format!("{}:{}", label.as_str(), i + 1),
                label,
                split: if (i + 1) % 2 == 1 {
                    Split::Development
                } else {
                    Split::HeldOut
                },
                subject: subject.to_string(),
                body: body.replace("\\n", "\n"),
            });
        }
    }
    Ok(out)
}

/// Scores `emails` on the cluster with `lexicon`; returns each id's compound score.
pub async fn score(
    session: &SparkSession,
    emails: &[Labelled],
    lexicon: LexiconChoice,
) -> Result<BTreeMap<String, f64>> {
    let reference = Reference {
        lexicon: reference::lexicon(lexicon),
        org_names: Vec::new(),
        user: Default::default(),
    };
    reference::register(session, &reference).await?;
    let column = |f: fn(&Labelled) -> &str| {
        Arc::new(StringArray::from_iter_values(emails.iter().map(f))) as ArrayRef
    };
    let batch = RecordBatch::try_from_iter([
        ("id", column(|e| &e.id)),
        ("subject", column(|e| &e.subject)),
        ("body_text", column(|e| &e.body)),
    ])
    .map_err(|e| Error::invalid(e.to_string()))?;
    session
        .create_dataframe(&[batch])?
        .create_or_replace_temp_view("eval_emails")
        .await?;
    let params = facts::params(&reference::modifiers(), &reference::bulk_mailer_pattern());
    let input = format!(
        "SELECT id, concat(array({}), {}) AS sentiment_sentences FROM eval_emails",
        text::clean_subject("subject"),
        text::sentences(&text::clean_body("body_text"))
    );
    facts::bind(session, input, &params)
        .await?
        .create_or_replace_temp_view("eval_input")
        .await?;
    let scored = facts::bind(session, sentiment::scores("eval_input"), &params)
        .await?
        .collect()
        .await?;
    let mut out: BTreeMap<String, f64> = emails.iter().map(|e| (e.id.clone(), 0.0)).collect();
    for row in Rows::new(scored).iter() {
        let id: String = row.get("id")?;
        out.insert(
            id,
            row.get::<Option<f64>>("sentiment_score")?.unwrap_or(0.0),
        );
    }
    Ok(out)
}

/// Precision and recall of one class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassMetrics {
    /// Of the emails predicted in the class, the share that is.
    pub precision: f64,
    /// Of the emails in the class, the share predicted in it.
    pub recall: f64,
    /// Emails labelled with the class.
    pub support: usize,
}

/// How predictions compare with the labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Emails evaluated.
    pub emails: usize,
    /// Share predicted right.
    pub accuracy: f64,
    /// Per class, in [`Sentiment::ALL`] order.
    pub classes: Vec<(Sentiment, ClassMetrics)>,
    /// `confusion[label][predicted]`, in [`Sentiment::ALL`] order.
    pub confusion: [[usize; 3]; 3],
}

/// The metrics of `predicted` (class per id) over `emails`.
pub fn metrics<'a>(
    emails: impl IntoIterator<Item = &'a Labelled>,
    predicted: &BTreeMap<String, Sentiment>,
) -> Metrics {
    let index = |s: Sentiment| Sentiment::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let mut confusion = [[0usize; 3]; 3];
    for e in emails {
        let p = predicted.get(&e.id).copied().unwrap_or(Sentiment::Neutral);
        confusion[index(e.label)][index(p)] += 1;
    }
    let total: usize = confusion.iter().flatten().sum();
    let right: usize = (0..3).map(|i| confusion[i][i]).sum();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let classes = Sentiment::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let predicted_i: usize = (0..3).map(|l| confusion[l][i]).sum();
            let labelled_i: usize = confusion[i].iter().sum();
            (
                *s,
                ClassMetrics {
                    precision: ratio(confusion[i][i], predicted_i),
                    recall: ratio(confusion[i][i], labelled_i),
                    support: labelled_i,
                },
            )
        })
        .collect();
    Metrics {
        emails: total,
        accuracy: ratio(right, total),
        classes,
        confusion,
    }
}

/// The class of each score under `settings` (the same thresholds the plans use).
pub fn classify(
    scores: &BTreeMap<String, f64>,
    settings: &sentiment::SentimentSettings,
) -> BTreeMap<String, Sentiment> {
    scores
        .iter()
        .map(|(id, s)| {
            let class = if *s >= settings.positive_at {
                Sentiment::Positive
            } else if *s <= settings.negative_at {
                Sentiment::Negative
            } else {
                Sentiment::Neutral
            };
            (id.clone(), class)
        })
        .collect()
}

impl std::fmt::Display for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "  accuracy {:.1}% ({} emails)",
            self.accuracy * 100.0,
            self.emails
        )?;
        for (class, m) in &self.classes {
            writeln!(
                f,
                "  {:<9} precision {:5.1}%  recall {:5.1}%  ({} labelled)",
                class.as_str(),
                m.precision * 100.0,
                m.recall * 100.0,
                m.support
            )?;
        }
        writeln!(
            f,
            "  confusion (rows: label, columns: predicted positive / neutral / negative)"
        )?;
        for (i, class) in Sentiment::ALL.iter().enumerate() {
            writeln!(
                f,
                "    {:<9} {:>4} {:>4} {:>4}",
                class.as_str(),
                self.confusion[i][0],
                self.confusion[i][1],
                self.confusion[i][2]
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(id: &str, label: Sentiment) -> Labelled {
        Labelled {
            id: id.into(),
            label,
            split: Split::Development,
            subject: String::new(),
            body: String::new(),
        }
    }

    #[test]
    fn metrics_count_right_and_wrong() {
        let emails = [
            email("a", Sentiment::Positive),
            email("b", Sentiment::Positive),
            email("c", Sentiment::Negative),
            email("d", Sentiment::Neutral),
        ];
        let predicted: BTreeMap<String, Sentiment> = [
            ("a", Sentiment::Positive),
            ("b", Sentiment::Neutral),
            ("c", Sentiment::Negative),
            ("d", Sentiment::Neutral),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let m = metrics(&emails, &predicted);
        assert_eq!(m.accuracy, 0.75);
        let (_, positive) = m.classes[0];
        assert_eq!((positive.precision, positive.recall), (1.0, 0.5));
        let (_, neutral) = m.classes[1];
        assert_eq!((neutral.precision, neutral.recall), (0.5, 1.0));
    }

    #[test]
    fn the_repository_set_is_large_and_balanced_enough() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sentiment");
        let set = read_labelled(&dir).unwrap();
        assert!(set.len() >= 300, "{} labelled emails", set.len());
        for class in Sentiment::ALL {
            let n = set.iter().filter(|e| e.label == class).count();
            assert!(n >= 90, "{} {}", n, class.as_str());
        }
        let held_out = set.iter().filter(|e| e.split == Split::HeldOut).count();
        assert!(held_out * 2 >= set.len() - 3);
    }
}
