//! [`DataFrameReader`]: batch data sources (`session.read()`).

use std::collections::HashMap;

use spark_connect_proto as pb;
use spark_connect_proto::read::{DataSource, NamedTable, ReadType};
use spark_connect_proto::relation::RelType;

use super::DataFrame;
use crate::functions::JsonSchema;
use crate::session::SparkSession;

/// Reads a batch source: `session.read().format("delta").load(path)`.
#[derive(Debug, Clone)]
#[must_use]
pub struct DataFrameReader {
    session: SparkSession,
    format: Option<String>,
    schema: Option<String>,
    options: HashMap<String, String>,
}

impl DataFrameReader {
    pub(crate) fn new(session: SparkSession) -> Self {
        DataFrameReader {
            session,
            format: None,
            schema: None,
            options: HashMap::new(),
        }
    }

    /// The source format: `delta`, `parquet`, `json`, `csv`, `orc`, `text`, `jdbc`, ...
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }

    /// A source option, e.g. `("header", "true")` for CSV or `("versionAsOf", "3")` for Delta.
    pub fn option(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.options.insert(key.into(), value.to_string());
        self
    }

    /// Several source options.
    pub fn options<K: Into<String>, V: ToString>(
        self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        options
            .into_iter()
            .fold(self, |builder, (k, v)| builder.option(k, v))
    }

    /// The schema to read with (skips inference): a [`StructType`](crate::types::StructType) or a
    /// DDL string such as `"id BIGINT, name STRING"`.
    pub fn schema(mut self, schema: impl Into<JsonSchema>) -> Self {
        self.schema = Some(schema.into().into_ddl());
        self
    }

    /// Loads the source without a path (e.g. `jdbc`, or a `path` option).
    pub fn load(self) -> DataFrame {
        self.load_paths(Vec::<String>::new())
    }

    /// Loads the source at `path`.
    pub fn load_path(self, path: impl Into<String>) -> DataFrame {
        self.load_paths([path.into()])
    }

    /// Loads the source from several paths.
    pub fn load_paths<S: Into<String>>(self, paths: impl IntoIterator<Item = S>) -> DataFrame {
        let source = DataSource {
            format: self.format,
            schema: self.schema,
            options: self.options,
            paths: paths.into_iter().map(Into::into).collect(),
            predicates: vec![],
            ..Default::default()
        };
        self.session.dataframe(RelType::Read(pb::Read {
            is_streaming: false,
            read_type: Some(ReadType::DataSource(source)),
        }))
    }

    /// A table or view of the catalog, e.g. `"lake.events"`.
    pub fn table(self, name: &str) -> DataFrame {
        self.session.dataframe(RelType::Read(pb::Read {
            is_streaming: false,
            read_type: Some(ReadType::NamedTable(NamedTable {
                unparsed_identifier: name.to_string(),
                options: self.options,
            })),
        }))
    }

    /// A Delta table by path.
    pub fn delta(self, path: impl Into<String>) -> DataFrame {
        self.format("delta").load_path(path)
    }

    /// Parquet files.
    pub fn parquet(self, path: impl Into<String>) -> DataFrame {
        self.format("parquet").load_path(path)
    }

    /// JSON lines files.
    pub fn json(self, path: impl Into<String>) -> DataFrame {
        self.format("json").load_path(path)
    }

    /// CSV files.
    pub fn csv(self, path: impl Into<String>) -> DataFrame {
        self.format("csv").load_path(path)
    }
}
