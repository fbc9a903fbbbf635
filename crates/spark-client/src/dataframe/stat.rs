//! Statistics: `describe`, `summary`, `crosstab`, `freq_items`, `approx_quantile`, `corr`, `cov`,
//! `sample_by` (PySpark's `DataFrame` methods of the same names and `df.stat`).

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::Array;
use arrow_schema::DataType as ArrowType;
use spark_connect_proto as pb;
use spark_connect_proto::relation::RelType;

use super::{strings, DataFrame};
use crate::column::Column;
use crate::errors::{Error, Result};
use crate::types::IntoLiteral;

impl DataFrame {
    /// count, mean, stddev, min and max of `cols` (every numeric and string column when empty),
    /// as strings, one row per statistic.
    pub fn describe<S: Into<String>>(&self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        self.wrap(RelType::Describe(Box::new(pb::StatDescribe {
            input: self.input(),
            cols: strings(cols),
        })))
    }

    /// The `statistics` of every numeric and string column, one row per statistic: `count`,
    /// `mean`, `stddev`, `min`, `max`, percentiles such as `"25%"`, `count_distinct`,
    /// `approx_count_distinct`. Empty: count, mean, stddev, min, 25%, 50%, 75%, max.
    pub fn summary<S: Into<String>>(&self, statistics: impl IntoIterator<Item = S>) -> DataFrame {
        self.wrap(RelType::Summary(Box::new(pb::StatSummary {
            input: self.input(),
            statistics: strings(statistics),
        })))
    }

    /// A contingency table of `col1` × `col2`: one row per value of `col1`, one column per value
    /// of `col2`, cells are counts.
    pub fn crosstab(&self, col1: &str, col2: &str) -> DataFrame {
        self.wrap(RelType::Crosstab(Box::new(pb::StatCrosstab {
            input: self.input(),
            col1: col1.into(),
            col2: col2.into(),
        })))
    }

    /// Values that occur in at least 1% of the rows of each of `cols` (approximate, may include
    /// false positives), as one row of arrays `<col>_freqItems`.
    pub fn freq_items<S: Into<String>>(&self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        self.freq_items_with_support(cols, 0.01)
    }

    /// Like [`freq_items`](Self::freq_items) with the minimum frequency `support` (in 0..1].
    pub fn freq_items_with_support<S: Into<String>>(
        &self,
        cols: impl IntoIterator<Item = S>,
        support: f64,
    ) -> DataFrame {
        self.wrap(RelType::FreqItems(Box::new(pb::StatFreqItems {
            input: self.input(),
            cols: strings(cols),
            support: Some(support),
        })))
    }

    /// Stratified sample without replacement: each row whose `col` equals a stratum of
    /// `fractions` is kept with that stratum's probability; other rows are dropped.
    pub fn sample_by<T: IntoLiteral>(
        &self,
        col: impl Into<Column>,
        fractions: impl IntoIterator<Item = (T, f64)>,
        seed: i64,
    ) -> DataFrame {
        let fractions: Result<Vec<_>> = fractions
            .into_iter()
            .map(|(stratum, fraction)| {
                Ok(pb::stat_sample_by::Fraction {
                    stratum: Some(stratum.into_literal().to_proto()?),
                    fraction,
                })
            })
            .collect();
        let (fractions, invalid) = match fractions {
            Ok(f) => (f, None),
            Err(e) => (vec![], Some(e)),
        };
        let df = self.wrap(RelType::SampleBy(Box::new(pb::StatSampleBy {
            input: self.input(),
            col: Some(col.into().expr),
            fractions,
            seed: Some(seed),
        })));
        match invalid {
            Some(e) => df.poisoned(format!("sample_by stratum: {e}")),
            None => df,
        }
    }

    /// Approximate quantiles of each of `cols` at each of `probabilities` (in 0..1), within
    /// `relative_error` (0: exact, costly): one `Vec` per column, in the order asked.
    pub async fn approx_quantile<S: Into<String>>(
        &self,
        cols: impl IntoIterator<Item = S>,
        probabilities: impl IntoIterator<Item = f64>,
        relative_error: f64,
    ) -> Result<Vec<Vec<f64>>> {
        let batches = self
            .wrap(RelType::ApproxQuantile(Box::new(pb::StatApproxQuantile {
                input: self.input(),
                cols: strings(cols),
                probabilities: probabilities.into_iter().collect(),
                relative_error,
            })))
            .collect()
            .await?;
        // One row, one column: array<array<double>>.
        let batch = batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .ok_or_else(|| Error::protocol("approx_quantile returned no row"))?;
        let outer = batch.column(0);
        let ArrowType::List(_) = outer.data_type() else {
            return Err(Error::protocol(format!(
                "approx_quantile returned {}",
                outer.data_type()
            )));
        };
        let per_col = outer.as_list::<i32>().value(0);
        let per_col = per_col.as_list::<i32>();
        (0..per_col.len())
            .map(|i| {
                let qs = per_col.value(i);
                match qs.data_type() {
                    ArrowType::Float64 => Ok(qs.as_primitive::<Float64Type>().values().to_vec()),
                    other => Err(Error::protocol(format!("approx_quantile returned {other}"))),
                }
            })
            .collect()
    }

    /// Pearson correlation of two numeric columns.
    pub async fn corr(&self, col1: &str, col2: &str) -> Result<f64> {
        let df = self.wrap(RelType::Corr(Box::new(pb::StatCorr {
            input: self.input(),
            col1: col1.into(),
            col2: col2.into(),
            method: Some("pearson".into()),
        })));
        single_f64(&df).await
    }

    /// Sample covariance of two numeric columns.
    pub async fn cov(&self, col1: &str, col2: &str) -> Result<f64> {
        let df = self.wrap(RelType::Cov(Box::new(pb::StatCov {
            input: self.input(),
            col1: col1.into(),
            col2: col2.into(),
        })));
        single_f64(&df).await
    }
}

async fn single_f64(df: &DataFrame) -> Result<f64> {
    let batches = df.collect().await?;
    let batch = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| Error::protocol("expected one row, got none"))?;
    let col = batch.column(0);
    match col.data_type() {
        ArrowType::Float64 if !col.is_null(0) => Ok(col.as_primitive::<Float64Type>().value(0)),
        ArrowType::Float64 => Ok(f64::NAN),
        other => Err(Error::protocol(format!("expected a DOUBLE, got {other}"))),
    }
}
