//! [`GroupedData`]: the result of `group_by` / `rollup` / `cube`, waiting for aggregates.

use spark_connect_proto as pb;
use spark_connect_proto::relation::RelType;

use super::DataFrame;
use crate::column::Column;
use crate::functions;
use crate::types::IntoLiteral;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupType {
    GroupBy,
    Rollup,
    Cube,
}

/// Rows grouped by some columns; call [`agg`](Self::agg) (or a shortcut) to get a DataFrame.
#[derive(Debug, Clone)]
pub struct GroupedData {
    df: DataFrame,
    kind: GroupType,
    grouping: Vec<pb::Expression>,
    pivot: Option<pb::aggregate::Pivot>,
    /// A pivot value that cannot be sent (see [`pivot`](Self::pivot)); `agg` poisons its result.
    invalid: Option<String>,
}

impl GroupedData {
    pub(crate) fn new(df: DataFrame, kind: GroupType, grouping: Vec<pb::Expression>) -> Self {
        GroupedData {
            df,
            kind,
            grouping,
            pivot: None,
            invalid: None,
        }
    }

    /// Computes aggregates per group, e.g. `agg([sum("amount").alias("total"), count(lit(1))])`.
    pub fn agg(self, aggs: impl IntoIterator<Item = Column>) -> DataFrame {
        use pb::aggregate::GroupType as G;
        let group_type = match (self.kind, self.pivot.is_some()) {
            (_, true) => G::Pivot,
            (GroupType::GroupBy, false) => G::Groupby,
            (GroupType::Rollup, false) => G::Rollup,
            (GroupType::Cube, false) => G::Cube,
        };
        let df = self.df.wrap(RelType::Aggregate(Box::new(pb::Aggregate {
            input: self.df.input(),
            group_type: group_type as i32,
            grouping_expressions: self.grouping,
            aggregate_expressions: aggs.into_iter().map(|c| c.expr).collect(),
            pivot: self.pivot,
            grouping_sets: vec![],
        })));
        match self.invalid {
            Some(reason) => df.poisoned(reason),
            None => df,
        }
    }

    /// Turns the given `values` of `col` into columns (one per value and aggregate). Values are
    /// sent as literals, so an array/map/struct value holding a null is refused (the aggregated
    /// DataFrame's actions fail; see [`Literal`](crate::types::Literal)).
    pub fn pivot<T: IntoLiteral>(
        mut self,
        col: impl Into<Column>,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        let values: crate::Result<Vec<_>> = values
            .into_iter()
            .map(|v| v.into_literal().to_proto())
            .collect();
        let values = values.unwrap_or_else(|e| {
            self.invalid = Some(format!("pivot value: {e}"));
            vec![]
        });
        self.pivot = Some(pb::aggregate::Pivot {
            col: Some(col.into().expr),
            values,
        });
        self
    }

    /// Turns every distinct value of `col` into a column (the server finds them with a query
    /// first; PySpark's `pivot(col)` without values).
    pub fn pivot_all(mut self, col: impl Into<Column>) -> Self {
        self.pivot = Some(pb::aggregate::Pivot {
            col: Some(col.into().expr),
            values: vec![],
        });
        self
    }

    /// The number of rows per group, in a column `count`.
    pub fn count(self) -> DataFrame {
        self.agg([functions::count(functions::lit(1)).alias("count")])
    }

    /// The sum of each of `cols` per group.
    pub fn sum<S: AsRef<str>>(self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        self.each(cols, functions::sum)
    }

    /// The average of each of `cols` per group.
    pub fn avg<S: AsRef<str>>(self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        self.each(cols, functions::avg)
    }

    /// The minimum of each of `cols` per group.
    pub fn min<S: AsRef<str>>(self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        self.each(cols, functions::min)
    }

    /// The maximum of each of `cols` per group.
    pub fn max<S: AsRef<str>>(self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        self.each(cols, functions::max)
    }

    fn each<S: AsRef<str>>(
        self,
        cols: impl IntoIterator<Item = S>,
        f: fn(Column) -> Column,
    ) -> DataFrame {
        let aggs: Vec<Column> = cols
            .into_iter()
            .map(|c| f(functions::col(c.as_ref())))
            .collect();
        self.agg(aggs)
    }
}
