//! Sentiment on Spark: VADER's lexicon-and-rules method (Hutto & Gilbert, ICWSM 2014) written as
//! one Spark SQL plan — no Python, no UDF. Per sentence (the subject is one):
//!
//! 1. Tokens: split on white space, punctuation stripped from the ends of a token unless that
//!    leaves two characters or fewer (emoticons stay), one-character tokens dropped.
//! 2. Each token found in the lexicon (`mindy_lexicon`, broadcast-joined) gives its valence;
//!    `no` counts nothing when the next word is in the lexicon (it negates it instead).
//! 3. Modifiers, in VADER's order and with its constants: ALL CAPS in a mixed-case sentence
//!    ±0.733; a booster or dampener one, two or three words before ±0.293 × 1 / 0.95 / 0.9 in
//!    the word's direction; a negation within three words before × −0.74; before `but` × 0.5,
//!    after it × 1.5.
//! 4. The sentence's sum gets its punctuation emphasis: 0.292 per `!` (at most 4), 0.18 per `?`
//!    when there are two or three, 0.96 beyond.
//!
//! The email's compound score is VADER's normalisation of the sum of its sentences' sums,
//! `s / sqrt(s² + 15)`, in [-1, 1] (the mean of per-sentence scores did worse on the labelled
//! set's development half: 81.9% against 82.5% at the same thresholds); [`SentimentSettings`]
//! turns it into a class. Its accuracy on the labelled set is measured by
//! `benches/intel/sentiment.sh` (benches/intel/README.md has the figures).

use spark_client::types::{IntoLiteral, Literal};

use super::reference::Modifiers;

/// Where the compound score divides the classes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentimentSettings {
    /// At or above: positive.
    pub positive_at: f64,
    /// At or below: negative.
    pub negative_at: f64,
}

impl Default for SentimentSettings {
    /// The thresholds that did best on the labelled set's development half (89.4%; the grid
    /// is printed by `benches/intel/sentiment.sh --sweep`): business mail is polite, so mild
    /// positive wording is not yet "positive".
    fn default() -> Self {
        SentimentSettings {
            positive_at: 0.5,
            negative_at: -0.3,
        }
    }
}

impl SentimentSettings {
    /// The class of compound score `score` (a SQL expression), as SQL.
    pub fn class(&self, score: &str) -> String {
        format!(
            "CASE WHEN {score} >= {p} THEN 'positive' WHEN {score} <= {n} THEN 'negative' ELSE 'neutral' END",
            p = self.positive_at,
            n = self.negative_at
        )
    }
}

/// Token edges to strip: ASCII punctuation and typographic quotes.
const RE_EDGE_PUNCT: &str =
    r"^[\p{Punct}\u2018\u2019\u201C\u201D]+|[\p{Punct}\u2018\u2019\u201C\u201D]+$";

/// The named parameters of [`scores`]: the modifier word lists and the token pattern.
pub fn params(modifiers: &Modifiers) -> Vec<(&'static str, Literal)> {
    vec![
        ("negations", modifiers.negations.clone().into_literal()),
        ("boosters", modifiers.boosters.clone().into_literal()),
        ("dampeners", modifiers.dampeners.clone().into_literal()),
        ("re_edge_punct", RE_EDGE_PUNCT.into_literal()),
    ]
}

/// A query of `(id, sentiment_score DOUBLE, sentiment_hits INT)` for the emails of view `input`,
/// which has `id` and `sentiment_sentences ARRAY<STRING>`. Emails without a sentiment word are
/// left out (their score is 0).
pub fn scores(input: &str) -> String {
    let boost = |p: &str| {
        format!(
            "CASE WHEN array_contains(:boosters, {p}) THEN 0.293 WHEN array_contains(:dampeners, {p}) THEN -0.293 ELSE 0.0 END"
        )
    };
    format!(
        "WITH s AS (
  SELECT id, sidx,
    least(length(sentence) - length(replace(sentence, '!', '')), 4) AS excl,
    length(sentence) - length(replace(sentence, '?', '')) AS quest,
    filter(
      transform(split(sentence, '\\\\s+'),
        t -> CASE WHEN length(regexp_replace(t, :re_edge_punct, '')) <= 2 THEN t
                  ELSE regexp_replace(t, :re_edge_punct, '') END),
      t -> length(t) > 1) AS toks
  FROM {input} LATERAL VIEW posexplode(sentiment_sentences) p AS sidx, sentence
),
w AS (
  SELECT id, sidx, excl, quest, toks,
    transform(toks, t -> lower(replace(t, '\u{2019}', ''''))) AS lt,
    exists(toks, t -> t = upper(t) AND t rlike '[A-Z]')
      AND exists(toks, t -> NOT (t = upper(t) AND t rlike '[A-Z]')) AS mixed
  FROM s
),
tok AS (
  SELECT id, sidx, excl, quest, t.*
  FROM w LATERAL VIEW inline(transform(toks, (x, i) -> named_struct(
    'lw', lt[i],
    'caps', mixed AND x = upper(x) AND x rlike '[A-Z]',
    'p1', CASE WHEN i >= 1 THEN lt[i - 1] END,
    'p2', CASE WHEN i >= 2 THEN lt[i - 2] END,
    'p3', CASE WHEN i >= 3 THEN lt[i - 3] END,
    'n1', CASE WHEN i + 1 < size(lt) THEN lt[i + 1] END,
    'side', CASE WHEN array_position(lt, 'but') = 0 THEN 0
                 WHEN i + 1 < array_position(lt, 'but') THEN -1
                 WHEN i + 1 > array_position(lt, 'but') THEN 1 ELSE 0 END))) t
),
hit AS (
  SELECT /*+ BROADCAST(l), BROADCAST(nl) */ tok.*,
    CASE WHEN tok.lw = 'no' AND nl.word IS NOT NULL THEN 0.0 ELSE l.valence END AS v
  FROM tok JOIN mindy_lexicon l ON l.word = tok.lw
  LEFT JOIN mindy_lexicon nl ON tok.lw = 'no' AND nl.word = tok.n1
),
modded AS (
  SELECT id, sidx, excl, quest, side,
    v + CASE WHEN caps THEN signum(v) * 0.733 ELSE 0.0 END
      + signum(v) * ({b1} + 0.95 * {b2} + 0.9 * {b3}) AS v2,
    coalesce(exists(array(p1, p2, p3),
      p -> p IS NOT NULL AND (array_contains(:negations, p) OR p LIKE '%n''t')), false) AS negated
  FROM hit WHERE v <> 0
),
sentence AS (
  SELECT id, sidx, count(*) AS hits, max(excl) AS excl, max(quest) AS quest,
    sum((CASE WHEN negated THEN v2 * -0.74 ELSE v2 END)
        * CASE side WHEN -1 THEN 0.5 WHEN 1 THEN 1.5 ELSE 1.0 END) AS total
  FROM modded GROUP BY id, sidx
),
emphasised AS (
  SELECT id, hits,
    total + CASE WHEN total = 0 THEN 0.0 ELSE signum(total) * (excl * 0.292
      + CASE WHEN quest > 3 THEN 0.96 WHEN quest > 1 THEN quest * 0.18 ELSE 0.0 END) END AS total
  FROM sentence
)
SELECT id,
  round(sum(total) / sqrt(sum(total) * sum(total) + 15.0), 4) AS sentiment_score,
  cast(sum(hits) AS INT) AS sentiment_hits
FROM emphasised GROUP BY id",
        b1 = boost("p1"),
        b2 = boost("p2"),
        b3 = boost("p3"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_thresholds() {
        let s = SentimentSettings::default();
        let sql = s.class("x");
        assert!(sql.contains(">= 0.5") && sql.contains("<= -0.3"), "{sql}");
    }
}
