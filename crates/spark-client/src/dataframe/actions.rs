//! DataFrame actions: the calls that run a plan on the server.

use arrow_array::RecordBatch;
use futures::TryStreamExt;
use spark_connect_proto as pb;
use spark_connect_proto::analyze_plan_request::{self as req, Analyze};
use spark_connect_proto::analyze_plan_response::Result as AnalyzeResult;
use spark_connect_proto::relation::RelType;

use super::{DataFrame, RecordBatchStream};
use crate::arrow_util;
use crate::errors::{Error, Result};
use crate::functions::{count, lit};
use crate::rows::{Row, Rows};
use crate::types::StructType;

/// How [`DataFrame::show_string_with`] renders rows (PySpark's `show(n, truncate, vertical)`):
/// `Show::rows(10)`, `Show::rows(5).truncate(0).vertical()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Show {
    rows: i32,
    truncate: i32,
    vertical: bool,
}

impl Default for Show {
    /// 20 rows, cells cut to 20 characters, one line per row (PySpark's defaults).
    fn default() -> Show {
        Show {
            rows: 20,
            truncate: 20,
            vertical: false,
        }
    }
}

impl Show {
    /// The first `n` rows, with the other defaults.
    pub fn rows(n: i32) -> Show {
        Show {
            rows: n,
            ..Show::default()
        }
    }

    /// Cuts cells to `chars` characters (0: never; PySpark's `truncate=False`).
    pub fn truncate(mut self, chars: i32) -> Show {
        self.truncate = chars;
        self
    }

    /// One line per column, a block per row.
    pub fn vertical(mut self) -> Show {
        self.vertical = true;
        self
    }
}

/// The detail of [`DataFrame::explain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExplainMode {
    /// The physical plan.
    #[default]
    Simple,
    /// Logical and physical plans.
    Extended,
    /// Generated code.
    Codegen,
    /// Logical plan with statistics.
    Cost,
    /// Physical plan outline plus node details.
    Formatted,
}

impl DataFrame {
    /// Runs the plan and returns its result as Arrow batches (empty when there are no rows).
    pub async fn collect(&self) -> Result<Vec<RecordBatch>> {
        self.to_stream().try_collect().await
    }

    /// Runs the plan and returns its result as a stream of Arrow batches, decoded one gRPC message
    /// at a time: memory stays bounded by a few messages whatever the result size.
    pub fn to_stream(&self) -> RecordBatchStream {
        match self.plan() {
            Ok(plan) => RecordBatchStream::new(self.session.client().execute(plan, vec![])),
            Err(e) => RecordBatchStream::failed(e),
        }
    }

    /// The number of rows.
    pub async fn count(&self) -> Result<i64> {
        let batches = self.agg([count(lit(1))]).collect().await?;
        arrow_util::single_i64(&batches)
    }

    /// Whether the DataFrame has no rows.
    pub async fn is_empty(&self) -> Result<bool> {
        let batches = self.limit(1).collect().await?;
        Ok(batches.iter().all(|b| b.num_rows() == 0))
    }

    /// The result read row by row as Rust types (see [`rows`](crate::rows)).
    pub async fn collect_rows(&self) -> Result<Rows> {
        Ok(Rows::new(self.collect().await?))
    }

    /// The first `n` rows.
    pub async fn take(&self, n: i32) -> Result<Vec<RecordBatch>> {
        self.limit(n).collect().await
    }

    /// The first row, if any (PySpark's `head()`).
    pub async fn head(&self) -> Result<Option<Row<'static>>> {
        Ok(self.limit(1).collect_rows().await?.into_first())
    }

    /// Same as [`head`](Self::head) (PySpark's `first()`).
    pub async fn first(&self) -> Result<Option<Row<'static>>> {
        self.head().await
    }

    /// The last `n` rows (all of the result goes through the driver; keep `n` small).
    pub async fn tail(&self, n: i32) -> Result<Vec<RecordBatch>> {
        self.wrap(RelType::Tail(Box::new(pb::Tail {
            input: self.input(),
            limit: n,
        })))
        .collect()
        .await
    }

    /// The first `n` rows rendered as a text table, as `df.show(n)` prints it (cells cut to 20
    /// characters).
    pub async fn show_string(&self, n: i32) -> Result<String> {
        self.show_string_with(Show::rows(n)).await
    }

    /// The rows rendered as [`Show`] says (how many, truncation, vertical).
    pub async fn show_string_with(&self, options: Show) -> Result<String> {
        let batches = self
            .wrap(RelType::ShowString(Box::new(pb::ShowString {
                input: self.input(),
                num_rows: options.rows,
                truncate: options.truncate,
                vertical: options.vertical,
            })))
            .collect()
            .await?;
        arrow_util::single_string(&batches)
    }

    /// Prints the first `n` rows (cells cut to 20 characters) to stdout.
    pub async fn show(&self, n: i32) -> Result<()> {
        println!("{}", self.show_string(n).await?);
        Ok(())
    }

    /// Prints the rows as [`Show`] says to stdout.
    pub async fn show_with(&self, options: Show) -> Result<()> {
        println!("{}", self.show_string_with(options).await?);
        Ok(())
    }

    async fn analyze(&self, analyze: Analyze) -> Result<AnalyzeResult> {
        self.session.client().analyze(analyze).await
    }

    /// The schema, resolved by the server (without running the query).
    pub async fn schema(&self) -> Result<StructType> {
        let analyze = Analyze::Schema(req::Schema {
            plan: Some(self.plan()?),
        });
        match self.analyze(analyze).await? {
            AnalyzeResult::Schema(s) => {
                let dt = s
                    .schema
                    .ok_or_else(|| Error::protocol("schema response without a schema"))?;
                StructType::from_proto(&dt)
            }
            other => Err(unexpected("schema", &other)),
        }
    }

    /// Column names and types in Spark's spelling, e.g. `("id", "bigint")`.
    pub async fn dtypes(&self) -> Result<Vec<(String, String)>> {
        Ok(self
            .schema()
            .await?
            .fields
            .into_iter()
            .map(|f| (f.name, f.data_type.simple_string()))
            .collect())
    }

    /// The column names.
    pub async fn columns(&self) -> Result<Vec<String>> {
        Ok(self
            .schema()
            .await?
            .fields
            .into_iter()
            .map(|f| f.name)
            .collect())
    }

    /// The schema as a tree, as `printSchema()` shows it.
    pub async fn tree_string(&self) -> Result<String> {
        let analyze = Analyze::TreeString(req::TreeString {
            plan: Some(self.plan()?),
            level: None,
        });
        match self.analyze(analyze).await? {
            AnalyzeResult::TreeString(t) => Ok(t.tree_string),
            other => Err(unexpected("tree string", &other)),
        }
    }

    /// The query plan as text.
    pub async fn explain(&self, mode: ExplainMode) -> Result<String> {
        use req::explain::ExplainMode as M;
        let mode = match mode {
            ExplainMode::Simple => M::Simple,
            ExplainMode::Extended => M::Extended,
            ExplainMode::Codegen => M::Codegen,
            ExplainMode::Cost => M::Cost,
            ExplainMode::Formatted => M::Formatted,
        };
        let analyze = Analyze::Explain(req::Explain {
            plan: Some(self.plan()?),
            explain_mode: mode as i32,
        });
        match self.analyze(analyze).await? {
            AnalyzeResult::Explain(e) => Ok(e.explain_string),
            other => Err(unexpected("explain", &other)),
        }
    }

    /// Whether the plan reads a streaming source (then it must be run with `write_stream`).
    pub async fn is_streaming(&self) -> Result<bool> {
        let analyze = Analyze::IsStreaming(req::IsStreaming {
            plan: Some(self.plan()?),
        });
        match self.analyze(analyze).await? {
            AnalyzeResult::IsStreaming(s) => Ok(s.is_streaming),
            other => Err(unexpected("is_streaming", &other)),
        }
    }

    /// Registers this DataFrame as a temporary view of the session, replacing any view `name`.
    pub async fn create_or_replace_temp_view(&self, name: &str) -> Result<()> {
        self.create_view(name, false, true).await
    }

    /// Registers this DataFrame as a temporary view; fails if `name` exists.
    pub async fn create_temp_view(&self, name: &str) -> Result<()> {
        self.create_view(name, false, false).await
    }

    /// Registers this DataFrame as a global temporary view (`global_temp.name`), replacing any.
    pub async fn create_or_replace_global_temp_view(&self, name: &str) -> Result<()> {
        self.create_view(name, true, true).await
    }

    async fn create_view(&self, name: &str, is_global: bool, replace: bool) -> Result<()> {
        let cmd = pb::command::CommandType::CreateDataframeView(pb::CreateDataFrameViewCommand {
            input: Some(self.checked_relation()?.clone()),
            name: name.to_string(),
            is_global,
            replace,
        });
        self.session.execute_command(cmd).await?;
        Ok(())
    }
}

fn unexpected(what: &str, got: &AnalyzeResult) -> Error {
    Error::protocol(format!("expected a {what} result, got {got:?}"))
}
