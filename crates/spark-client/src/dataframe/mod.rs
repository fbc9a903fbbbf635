//! [`DataFrame`]: a lazy plan, transformed client-side and executed by the server.
//!
//! Transformations (`select`, `filter`, `join`, ...) only build the plan and never fail; errors in
//! the plan (a bad column name) surface when an action (`collect`, `count`, `show`, a write) runs.
//!
//! - [`DataFrame`] holds transformations (this file) and actions (`actions.rs`);
//! - [`GroupedData`] is what `group_by(...)` returns, waiting for `.agg(...)`;
//! - [`RecordBatchStream`] is a result as a stream of Arrow batches;
//! - [`DataFrameReader`] and [`DataFrameWriter`] are the batch sources and sinks.

mod actions;
mod group;
mod na;
mod persist;
mod reader;
mod stat;
mod stream;
mod writer;

use std::collections::HashMap;
use std::sync::Arc;

use spark_connect_proto as pb;
use spark_connect_proto::relation::RelType;

use crate::column::Column;
use crate::session::SparkSession;

pub use crate::session::Range;
pub use actions::{ExplainMode, Show};
pub use group::GroupedData;
pub use na::{DropNa, FillValue, ReplaceValue};
pub use persist::StorageLevel;
pub use reader::DataFrameReader;
pub use stream::RecordBatchStream;
pub use writer::{DataFrameWriter, SaveMode};

/// A distributed collection of rows with a schema; a lazy query plan.
///
/// A transformation given an argument the server could not be sent faithfully (e.g. a SQL
/// parameter holding a null inside an array) does not fail on the spot: the DataFrame remembers
/// the problem and its first action fails with [`ErrorKind::InvalidArgument`](crate::ErrorKind),
/// before anything is sent.
#[derive(Clone, Debug)]
pub struct DataFrame {
    session: SparkSession,
    relation: pb::Relation,
    /// Why this plan must not run (an argument rejected while building it), if so.
    invalid: Option<Arc<str>>,
}

/// A random sample for [`DataFrame::sample_with`]: `Sample::fraction(0.1).seed(42)`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct Sample {
    fraction: f64,
    with_replacement: bool,
    seed: Option<i64>,
}

impl Sample {
    /// About `fraction` of the rows (the expected share; without replacement a probability in
    /// 0..1, with replacement the expected number of times each row is picked).
    pub fn fraction(fraction: f64) -> Sample {
        Sample {
            fraction,
            with_replacement: false,
            seed: None,
        }
    }

    /// Rows may be picked more than once.
    pub fn with_replacement(mut self) -> Sample {
        self.with_replacement = true;
        self
    }

    /// A fixed seed: the same sample on the same data and partitioning.
    pub fn seed(mut self, seed: i64) -> Sample {
        self.seed = Some(seed);
        self
    }
}

/// How [`DataFrame::join`] matches rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoinType {
    /// Rows with a match on both sides.
    #[default]
    Inner,
    /// All left rows, matched right rows or nulls.
    Left,
    /// All right rows, matched left rows or nulls.
    Right,
    /// All rows of both sides.
    FullOuter,
    /// Left rows that have a match (left columns only).
    LeftSemi,
    /// Left rows that have no match (left columns only).
    LeftAnti,
    /// Every pair of rows.
    Cross,
}

/// The join condition of [`DataFrame::join`].
#[derive(Debug, Clone, PartialEq)]
pub enum JoinOn {
    /// Equi-join on columns present on both sides, which appear once in the output (`USING`).
    Columns(Vec<String>),
    /// An arbitrary boolean condition.
    Condition(Box<Column>),
    /// No condition (with [`JoinType::Cross`], or an inner join the optimizer rejects).
    None,
}

impl From<&str> for JoinOn {
    fn from(c: &str) -> JoinOn {
        JoinOn::Columns(vec![c.to_string()])
    }
}

impl<const N: usize> From<[&str; N]> for JoinOn {
    fn from(cs: [&str; N]) -> JoinOn {
        JoinOn::Columns(cs.iter().map(|c| c.to_string()).collect())
    }
}

impl From<Vec<String>> for JoinOn {
    fn from(cs: Vec<String>) -> JoinOn {
        JoinOn::Columns(cs)
    }
}

impl From<Column> for JoinOn {
    fn from(c: Column) -> JoinOn {
        JoinOn::Condition(Box::new(c))
    }
}

fn exprs<C: Into<Column>>(cols: impl IntoIterator<Item = C>) -> Vec<pb::Expression> {
    cols.into_iter().map(|c| c.into().expr).collect()
}

fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

impl DataFrame {
    pub(crate) fn new(session: SparkSession, relation: pb::Relation) -> DataFrame {
        DataFrame {
            session,
            relation,
            invalid: None,
        }
    }

    /// This DataFrame, marked so that its actions fail with `reason` (an invalid argument).
    pub(crate) fn poisoned(mut self, reason: impl std::fmt::Display) -> DataFrame {
        if self.invalid.is_none() {
            self.invalid = Some(reason.to_string().into());
        }
        self
    }

    /// The relation, unless an argument was rejected while building the plan.
    pub(crate) fn checked_relation(&self) -> crate::Result<&pb::Relation> {
        match &self.invalid {
            Some(reason) => Err(crate::Error::invalid_argument(reason.to_string())),
            None => Ok(&self.relation),
        }
    }

    /// The session this DataFrame belongs to.
    pub fn session(&self) -> &SparkSession {
        &self.session
    }

    pub(crate) fn relation(&self) -> &pb::Relation {
        &self.relation
    }

    fn input(&self) -> Option<Box<pb::Relation>> {
        Some(Box::new(self.relation.clone()))
    }

    fn wrap(&self, rel: RelType) -> DataFrame {
        let mut df = self.session.dataframe(rel);
        df.invalid = self.invalid.clone();
        df
    }

    /// Like `wrap` for a relation over two inputs: either side's problem carries over.
    fn wrap2(&self, other: &DataFrame, rel: RelType) -> DataFrame {
        let mut df = self.wrap(rel);
        if df.invalid.is_none() {
            df.invalid = other.invalid.clone();
        }
        df
    }

    fn plan_id(&self) -> Option<i64> {
        self.relation.common.as_ref().and_then(|c| c.plan_id)
    }

    /// The column `name` of this DataFrame, bound to it so that it stays unambiguous in a
    /// self-join (`df["x"]` in PySpark).
    pub fn col(&self, name: &str) -> Column {
        match self.plan_id() {
            Some(id) if name != "*" => Column::bound(name, id),
            _ => Column::named(name),
        }
    }

    /// Projects columns or expressions (`"*"` keeps all).
    pub fn select<C: Into<Column>>(&self, cols: impl IntoIterator<Item = C>) -> DataFrame {
        self.wrap(RelType::Project(Box::new(pb::Project {
            input: self.input(),
            expressions: exprs(cols),
        })))
    }

    /// Projects SQL expressions, e.g. `select_expr(["id", "amount * 2 AS double"])`.
    pub fn select_expr<S: AsRef<str>>(&self, exprs_: impl IntoIterator<Item = S>) -> DataFrame {
        self.select(
            exprs_
                .into_iter()
                .map(|e| crate::functions::expr(e.as_ref())),
        )
    }

    /// Keeps the rows where `condition` is true.
    pub fn filter(&self, condition: Column) -> DataFrame {
        self.wrap(RelType::Filter(Box::new(pb::Filter {
            input: self.input(),
            condition: Some(condition.expr),
        })))
    }

    /// Keeps the rows where the SQL condition is true, e.g. `filter_expr("amount > 10")`.
    pub fn filter_expr(&self, condition: &str) -> DataFrame {
        self.filter(crate::functions::expr(condition))
    }

    /// Same as [`filter`](Self::filter) (`where` is a Rust keyword).
    pub fn where_(&self, condition: Column) -> DataFrame {
        self.filter(condition)
    }

    /// Adds or replaces the column `name`.
    pub fn with_column(&self, name: &str, col: impl Into<Column>) -> DataFrame {
        self.with_columns([(name, col.into())])
    }

    /// Adds or replaces several columns at once.
    pub fn with_columns<S: Into<String>>(
        &self,
        cols: impl IntoIterator<Item = (S, Column)>,
    ) -> DataFrame {
        let aliases = cols
            .into_iter()
            .map(|(name, c)| pb::expression::Alias {
                expr: Some(Box::new(c.expr)),
                name: vec![name.into()],
                metadata: None,
            })
            .collect();
        self.wrap(RelType::WithColumns(Box::new(pb::WithColumns {
            input: self.input(),
            aliases,
        })))
    }

    /// Renames a column (no-op when it does not exist).
    pub fn with_column_renamed(&self, existing: &str, new: &str) -> DataFrame {
        self.with_columns_renamed([(existing, new)])
    }

    /// Renames several columns.
    #[allow(deprecated)] // Spark 3.5 reads the map; 4.x's ordered `renames` is unknown to it.
    pub fn with_columns_renamed<S: Into<String>, T: Into<String>>(
        &self,
        renames: impl IntoIterator<Item = (S, T)>,
    ) -> DataFrame {
        let map: HashMap<String, String> = renames
            .into_iter()
            .map(|(a, b)| (a.into(), b.into()))
            .collect();
        self.wrap(RelType::WithColumnsRenamed(Box::new(
            pb::WithColumnsRenamed {
                input: self.input(),
                rename_columns_map: map,
                ..Default::default()
            },
        )))
    }

    /// Drops columns by name (names that do not exist are ignored).
    pub fn drop<S: Into<String>>(&self, names: impl IntoIterator<Item = S>) -> DataFrame {
        self.wrap(RelType::Drop(Box::new(pb::Drop {
            input: self.input(),
            columns: vec![],
            column_names: strings(names),
        })))
    }

    /// Drops columns given as [`Column`]s (e.g. `other.col("id")` after a join).
    pub fn drop_columns(&self, cols: impl IntoIterator<Item = Column>) -> DataFrame {
        self.wrap(RelType::Drop(Box::new(pb::Drop {
            input: self.input(),
            columns: cols.into_iter().map(|c| c.expr).collect(),
            column_names: vec![],
        })))
    }

    /// Removes duplicate rows.
    pub fn distinct(&self) -> DataFrame {
        self.dedup(vec![], None)
    }

    /// Removes rows duplicated on `cols` (all columns when empty).
    pub fn drop_duplicates<S: Into<String>>(&self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        self.dedup(strings(cols), None)
    }

    /// Streaming de-duplication on `cols` that keeps state only until the watermark passes
    /// (Spark 3.5+).
    pub fn drop_duplicates_within_watermark<S: Into<String>>(
        &self,
        cols: impl IntoIterator<Item = S>,
    ) -> DataFrame {
        self.dedup(strings(cols), Some(true))
    }

    fn dedup(&self, cols: Vec<String>, within_watermark: Option<bool>) -> DataFrame {
        let all = cols.is_empty();
        self.wrap(RelType::Deduplicate(Box::new(pb::Deduplicate {
            input: self.input(),
            column_names: cols,
            all_columns_as_keys: Some(all),
            within_watermark,
        })))
    }

    /// Groups rows by `cols` for aggregation.
    pub fn group_by<C: Into<Column>>(&self, cols: impl IntoIterator<Item = C>) -> GroupedData {
        GroupedData::new(self.clone(), group::GroupType::GroupBy, exprs(cols))
    }

    /// Multi-level aggregation: every prefix of `cols` plus the grand total.
    pub fn rollup<C: Into<Column>>(&self, cols: impl IntoIterator<Item = C>) -> GroupedData {
        GroupedData::new(self.clone(), group::GroupType::Rollup, exprs(cols))
    }

    /// Aggregation over every combination of `cols`.
    pub fn cube<C: Into<Column>>(&self, cols: impl IntoIterator<Item = C>) -> GroupedData {
        GroupedData::new(self.clone(), group::GroupType::Cube, exprs(cols))
    }

    /// Aggregates over the whole DataFrame, e.g. `df.agg([max("ts")])`.
    pub fn agg(&self, aggs: impl IntoIterator<Item = Column>) -> DataFrame {
        self.group_by(Vec::<Column>::new()).agg(aggs)
    }

    /// Joins with `other`. `on` is a column name, an array of names (`USING`), or a condition.
    pub fn join(&self, other: &DataFrame, on: impl Into<JoinOn>, how: JoinType) -> DataFrame {
        use pb::join::JoinType as J;
        let join_type = match how {
            JoinType::Inner => J::Inner,
            JoinType::Left => J::LeftOuter,
            JoinType::Right => J::RightOuter,
            JoinType::FullOuter => J::FullOuter,
            JoinType::LeftSemi => J::LeftSemi,
            JoinType::LeftAnti => J::LeftAnti,
            JoinType::Cross => J::Cross,
        };
        let (condition, using) = match on.into() {
            JoinOn::Columns(cs) => (None, cs),
            JoinOn::Condition(c) => (Some(c.expr), vec![]),
            JoinOn::None => (None, vec![]),
        };
        self.wrap2(
            other,
            RelType::Join(Box::new(pb::Join {
                left: self.input(),
                right: other.input(),
                join_condition: condition,
                join_type: join_type as i32,
                using_columns: using,
                join_data_type: None,
            })),
        )
    }

    /// The cartesian product with `other`.
    pub fn cross_join(&self, other: &DataFrame) -> DataFrame {
        self.join(other, JoinOn::None, JoinType::Cross)
    }

    /// Sorts globally by `cols` (ascending unless given as `col.desc()`).
    pub fn order_by<C: Into<Column>>(&self, cols: impl IntoIterator<Item = C>) -> DataFrame {
        self.sorted(cols, true)
    }

    /// Same as [`order_by`](Self::order_by).
    pub fn sort<C: Into<Column>>(&self, cols: impl IntoIterator<Item = C>) -> DataFrame {
        self.sorted(cols, true)
    }

    /// Sorts each partition, without a shuffle.
    pub fn sort_within_partitions<C: Into<Column>>(
        &self,
        cols: impl IntoIterator<Item = C>,
    ) -> DataFrame {
        self.sorted(cols, false)
    }

    fn sorted<C: Into<Column>>(
        &self,
        cols: impl IntoIterator<Item = C>,
        global: bool,
    ) -> DataFrame {
        let order = cols.into_iter().map(|c| c.into().to_sort_order()).collect();
        self.wrap(RelType::Sort(Box::new(pb::Sort {
            input: self.input(),
            order,
            is_global: Some(global),
        })))
    }

    /// The first `n` rows.
    pub fn limit(&self, n: i32) -> DataFrame {
        self.wrap(RelType::Limit(Box::new(pb::Limit {
            input: self.input(),
            limit: n,
        })))
    }

    /// Skips the first `n` rows.
    pub fn offset(&self, n: i32) -> DataFrame {
        self.wrap(RelType::Offset(Box::new(pb::Offset {
            input: self.input(),
            offset: n,
        })))
    }

    fn set_op(
        &self,
        other: &DataFrame,
        op: pb::set_operation::SetOpType,
        is_all: bool,
        by_name: bool,
        allow_missing: bool,
    ) -> DataFrame {
        self.wrap2(
            other,
            RelType::SetOp(Box::new(pb::SetOperation {
                left_input: self.input(),
                right_input: other.input(),
                set_op_type: op as i32,
                is_all: Some(is_all),
                by_name: Some(by_name),
                allow_missing_columns: Some(allow_missing),
            })),
        )
    }

    /// Rows of both DataFrames, matched by position, duplicates kept (`UNION ALL`).
    pub fn union(&self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            pb::set_operation::SetOpType::Union,
            true,
            false,
            false,
        )
    }

    /// Same as [`union`](Self::union).
    pub fn union_all(&self, other: &DataFrame) -> DataFrame {
        self.union(other)
    }

    /// Rows of both DataFrames, matched by column name (both must have the same columns).
    pub fn union_by_name(&self, other: &DataFrame) -> DataFrame {
        use pb::set_operation::SetOpType;
        self.set_op(other, SetOpType::Union, true, true, false)
    }

    /// Like [`union_by_name`](Self::union_by_name); columns missing on one side are filled with
    /// nulls (PySpark's `allowMissingColumns=True`).
    pub fn union_by_name_allow_missing(&self, other: &DataFrame) -> DataFrame {
        use pb::set_operation::SetOpType;
        self.set_op(other, SetOpType::Union, true, true, true)
    }

    /// Distinct rows present in both DataFrames.
    pub fn intersect(&self, other: &DataFrame) -> DataFrame {
        use pb::set_operation::SetOpType;
        self.set_op(other, SetOpType::Intersect, false, false, false)
    }

    /// Rows present in both DataFrames, keeping duplicates (`INTERSECT ALL`).
    pub fn intersect_all(&self, other: &DataFrame) -> DataFrame {
        use pb::set_operation::SetOpType;
        self.set_op(other, SetOpType::Intersect, true, false, false)
    }

    /// Distinct rows of `self` not in `other` (`EXCEPT`).
    pub fn subtract(&self, other: &DataFrame) -> DataFrame {
        use pb::set_operation::SetOpType;
        self.set_op(other, SetOpType::Except, false, false, false)
    }

    /// Rows of `self` not in `other`, keeping duplicates (`EXCEPT ALL`).
    pub fn except_all(&self, other: &DataFrame) -> DataFrame {
        use pb::set_operation::SetOpType;
        self.set_op(other, SetOpType::Except, true, false, false)
    }

    /// Declares `event_time` as the event-time column of a stream, with the lateness the query
    /// tolerates (e.g. `"10 minutes"`); windows and state older than the watermark are finalised.
    pub fn with_watermark(&self, event_time: &str, delay_threshold: &str) -> DataFrame {
        self.wrap(RelType::WithWatermark(Box::new(pb::WithWatermark {
            input: self.input(),
            event_time: event_time.to_string(),
            delay_threshold: delay_threshold.to_string(),
        })))
    }

    /// Names this DataFrame so columns can be qualified as `alias.col`.
    pub fn alias(&self, alias: &str) -> DataFrame {
        self.wrap(RelType::SubqueryAlias(Box::new(pb::SubqueryAlias {
            input: self.input(),
            alias: alias.to_string(),
            qualifier: vec![],
        })))
    }

    /// Renames all columns, in order.
    pub fn to_df<S: Into<String>>(&self, names: impl IntoIterator<Item = S>) -> DataFrame {
        self.wrap(RelType::ToDf(Box::new(pb::ToDf {
            input: self.input(),
            column_names: strings(names),
        })))
    }

    /// Shuffles into `n` partitions.
    pub fn repartition(&self, n: i32) -> DataFrame {
        self.wrap(RelType::Repartition(Box::new(pb::Repartition {
            input: self.input(),
            num_partitions: n,
            shuffle: Some(true),
        })))
    }

    /// Hash-partitions by `cols` into `spark.sql.shuffle.partitions` partitions.
    pub fn repartition_by<C: Into<Column>>(&self, cols: impl IntoIterator<Item = C>) -> DataFrame {
        self.repartition_by_expr(None, cols)
    }

    /// Hash-partitions by `cols` into `n` partitions.
    pub fn repartition_by_n<C: Into<Column>>(
        &self,
        n: i32,
        cols: impl IntoIterator<Item = C>,
    ) -> DataFrame {
        self.repartition_by_expr(Some(n), cols)
    }

    fn repartition_by_expr<C: Into<Column>>(
        &self,
        n: Option<i32>,
        cols: impl IntoIterator<Item = C>,
    ) -> DataFrame {
        self.wrap(RelType::RepartitionByExpression(Box::new(
            pb::RepartitionByExpression {
                input: self.input(),
                partition_exprs: exprs(cols),
                num_partitions: n,
            },
        )))
    }

    /// Merges into at most `n` partitions without a shuffle.
    pub fn coalesce(&self, n: i32) -> DataFrame {
        self.wrap(RelType::Repartition(Box::new(pb::Repartition {
            input: self.input(),
            num_partitions: n,
            shuffle: Some(false),
        })))
    }

    /// An optimizer hint, e.g. `hint("broadcast", [])`.
    pub fn hint(&self, name: &str, params: impl IntoIterator<Item = Column>) -> DataFrame {
        self.wrap(RelType::Hint(Box::new(pb::Hint {
            input: self.input(),
            name: name.to_string(),
            parameters: params.into_iter().map(|c| c.expr).collect(),
        })))
    }

    /// A random sample of about `fraction` of the rows, without replacement (the server picks the
    /// seed; see [`sample_with`](Self::sample_with) for a reproducible one).
    pub fn sample(&self, fraction: f64) -> DataFrame {
        self.sample_with(Sample::fraction(fraction))
    }

    /// A random sample as [`Sample`] says, e.g. `Sample::fraction(0.1).seed(42)`.
    pub fn sample_with(&self, sample: Sample) -> DataFrame {
        self.wrap(RelType::Sample(Box::new(pb::Sample {
            input: self.input(),
            lower_bound: 0.0,
            upper_bound: sample.fraction,
            with_replacement: Some(sample.with_replacement),
            seed: sample.seed,
            deterministic_order: false,
        })))
    }

    /// Unpivots `values` columns into rows of (`variable`, `value`) next to the `ids` columns
    /// (all non-id columns when `values` is empty); PySpark's `unpivot`/`melt`.
    pub fn unpivot<I: Into<Column>, V: Into<Column>>(
        &self,
        ids: impl IntoIterator<Item = I>,
        values: impl IntoIterator<Item = V>,
        variable_column: &str,
        value_column: &str,
    ) -> DataFrame {
        let values = exprs(values);
        self.wrap(RelType::Unpivot(Box::new(pb::Unpivot {
            input: self.input(),
            ids: exprs(ids),
            values: (!values.is_empty()).then_some(pb::unpivot::Values { values }),
            variable_column_name: variable_column.to_string(),
            value_column_name: value_column.to_string(),
        })))
    }

    /// Same as [`unpivot`](Self::unpivot).
    pub fn melt<I: Into<Column>, V: Into<Column>>(
        &self,
        ids: impl IntoIterator<Item = I>,
        values: impl IntoIterator<Item = V>,
        variable_column: &str,
        value_column: &str,
    ) -> DataFrame {
        self.unpivot(ids, values, variable_column, value_column)
    }

    /// Applies a function that builds on this DataFrame, for chaining reusable steps:
    /// `df.transform(with_totals).transform(|d| d.limit(10))`.
    pub fn transform(&self, f: impl FnOnce(&DataFrame) -> DataFrame) -> DataFrame {
        f(self)
    }

    /// Writes this DataFrame to a batch sink.
    pub fn write(&self) -> DataFrameWriter {
        DataFrameWriter::new(self.clone())
    }

    /// Writes this (streaming) DataFrame to a streaming sink.
    pub fn write_stream(&self) -> crate::streaming::DataStreamWriter {
        crate::streaming::DataStreamWriter::new(self.clone())
    }

    /// The plan as a root `Plan` message, unless an argument was rejected while building it.
    pub(crate) fn plan(&self) -> crate::Result<pb::Plan> {
        Ok(pb::Plan {
            op_type: Some(pb::plan::OpType::Root(self.checked_relation()?.clone())),
        })
    }
}

#[cfg(test)]
mod tests;
