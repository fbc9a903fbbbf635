//! The PostgreSQL serving schema — what the batch and the exporters write and the chat reads —
//! read from the sqlx migrations themselves ([`crate::db::MIGRATOR`]), so the migrations are its
//! one statement. Tables, columns and their types come from `CREATE TABLE` / `ALTER TABLE`, and
//! the meaning of each from `COMMENT ON TABLE` / `COMMENT ON COLUMN`, which every table the chat
//! may read must carry (a test holds it). The chat's catalog, its SQL allow-list and the grants
//! of the read-only role are derived from [`schema`] and [`CHAT_TABLES`].
//!
//! The migrations are parsed with `sqlparser` (PostgreSQL dialect); procedural statements (`DO`
//! blocks) and statements that do not change tables (indexes, grants) are skipped.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use sqlparser::ast::{
    AlterTableOperation, ColumnDef, ColumnOption, CommentObject, ObjectName, Statement,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use crate::db::MIGRATOR;

/// The tables the chat may read (its SQL allow-list, and what `mindy_reader` is granted), in
/// the order its prompt lists them.
pub const CHAT_TABLES: &[&str] = &[
    "daily_insights",
    "daily_sender_domains",
    "daily_hourly_counts",
    "quality_scores",
    "calendar_events",
    "calendar_attendees",
    "calendar_days",
    "calendar_conflicts",
    "calendar_free_blocks",
    "calendar_travel",
    "calendar_weeks",
    "calendar_patterns",
    "calendar_one_on_ones",
];

/// A serving table kept in step with a Delta table by the incremental exporter (`mindy export`):
/// it reads the Delta table's change data feed (the table needs
/// `delta.enableChangeDataFeed = true`), and upserts and deletes rows of `target` by `key`. The
/// columns exported are those the two tables share by name; `target` must have a unique index on
/// `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LakeExport {
    /// The Delta table read.
    pub source: crate::lake::LakeTable,
    /// The serving table written.
    pub target: &'static str,
    /// The columns that identify a row in both.
    pub key: &'static [&'static str],
}

/// Every serving table the incremental exporter keeps fresh, in export order.
pub const LAKE_EXPORTS: &[LakeExport] = &[
    // The calendar (issue 17): every column of these serving tables has the same name in its
    // Delta table (crates/pipeline/tests/calendar.rs holds it).
    export(
        crate::lake::BRONZE_CALENDAR_EVENTS,
        "calendar_events",
        &["id"],
    ),
    export(
        crate::lake::SILVER_CALENDAR_ATTENDEES,
        "calendar_attendees",
        &["id", "address"],
    ),
    export(
        crate::lake::SILVER_CALENDAR_DAYS,
        "calendar_days",
        &["date"],
    ),
    export(
        crate::lake::SILVER_CALENDAR_CONFLICTS,
        "calendar_conflicts",
        &["date", "first_id", "second_id"],
    ),
    export(
        crate::lake::SILVER_CALENDAR_FREE_BLOCKS,
        "calendar_free_blocks",
        &["date", "block_start"],
    ),
    export(
        crate::lake::SILVER_CALENDAR_TRAVEL,
        "calendar_travel",
        &["date", "from_id", "to_id"],
    ),
    export(
        crate::lake::GOLD_CALENDAR_WEEKS,
        "calendar_weeks",
        &["week_start"],
    ),
    export(
        crate::lake::GOLD_CALENDAR_PATTERNS,
        "calendar_patterns",
        &["period"],
    ),
    export(
        crate::lake::GOLD_CALENDAR_ONE_ON_ONES,
        "calendar_one_on_ones",
        &["counterpart_address"],
    ),
];

const fn export(
    source: crate::lake::LakeTable,
    target: &'static str,
    key: &'static [&'static str],
) -> LakeExport {
    LakeExport {
        source,
        target,
        key,
    }
}

/// The serving schema after every migration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServingSchema {
    /// Every table, in creation order.
    pub tables: Vec<Table>,
}

/// One table of the serving schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's name (schema `public`).
    pub name: String,
    /// Its `COMMENT ON TABLE`: what a row is.
    pub description: Option<String>,
    /// Its columns, in table order.
    pub columns: Vec<Column>,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its PostgreSQL type as the migration spells it, lower case (`bigint`, `timestamptz`, ...).
    pub sql_type: String,
    /// Whether it may hold null (no `NOT NULL`, not part of the primary key).
    pub nullable: bool,
    /// Its `COMMENT ON COLUMN`: what the value means.
    pub description: Option<String>,
}

/// Why the migrations could not be read as a schema.
#[derive(Debug, thiserror::Error)]
#[error("migration {version}: {message}")]
pub struct SchemaError {
    /// The migration's version.
    pub version: i64,
    /// What could not be read.
    pub message: String,
}

/// The serving schema of this release, read once from the embedded migrations.
///
/// # Panics
/// When a migration cannot be parsed: the migrations are compiled in, and the unit tests parse
/// them, so this cannot happen in a tested build.
pub fn schema() -> &'static ServingSchema {
    static SCHEMA: LazyLock<ServingSchema> = LazyLock::new(|| {
        ServingSchema::from_migrations(MIGRATOR.iter().map(|m| (m.version, m.sql.as_ref())))
            .unwrap_or_else(|e| panic!("the serving schema's migrations: {e}"))
    });
    &SCHEMA
}

impl ServingSchema {
    /// Applies each migration's SQL, in order, to an empty schema.
    pub fn from_migrations<'a>(
        migrations: impl IntoIterator<Item = (i64, &'a str)>,
    ) -> Result<ServingSchema, SchemaError> {
        let mut schema = ServingSchema::default();
        for (version, sql) in migrations {
            for statement in statements(sql).map_err(|message| SchemaError { version, message })? {
                schema
                    .apply(statement)
                    .map_err(|message| SchemaError { version, message })?;
            }
        }
        Ok(schema)
    }

    /// The table called `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The tables the chat may read, in [`CHAT_TABLES`] order.
    ///
    /// # Panics
    /// When a name in [`CHAT_TABLES`] is not a table of the schema (a unit test holds it).
    pub fn chat_tables(&self) -> Vec<&Table> {
        CHAT_TABLES
            .iter()
            .map(|name| {
                self.table(name).unwrap_or_else(|| {
                    panic!("CHAT_TABLES names {name}, which no migration creates")
                })
            })
            .collect()
    }

    fn table_mut(&mut self, name: &str) -> Result<&mut Table, String> {
        self.tables
            .iter_mut()
            .find(|t| t.name == name)
            .ok_or_else(|| format!("table {name} is not created by an earlier statement"))
    }

    fn apply(&mut self, statement: Statement) -> Result<(), String> {
        match statement {
            Statement::CreateTable(create) => {
                let name = table_name(&create.name);
                let primary: Vec<String> = create
                    .constraints
                    .iter()
                    .filter_map(|c| match c {
                        sqlparser::ast::TableConstraint::PrimaryKey(pk) => Some(pk),
                        _ => None,
                    })
                    .flat_map(|pk| pk.columns.iter().map(|c| c.to_string().to_lowercase()))
                    .collect();
                let columns = create
                    .columns
                    .iter()
                    .map(|c| {
                        let mut column = column(c);
                        column.nullable &= !primary.contains(&column.name);
                        column
                    })
                    .collect();
                if self.table(&name).is_none() {
                    self.tables.push(Table {
                        name,
                        description: None,
                        columns,
                    });
                }
            }
            Statement::AlterTable(alter) => {
                let table = self.table_mut(&table_name(&alter.name))?;
                for operation in alter.operations {
                    match operation {
                        AlterTableOperation::AddColumn { column_def, .. } => {
                            let added = column(&column_def);
                            if !table.columns.iter().any(|c| c.name == added.name) {
                                table.columns.push(added);
                            }
                        }
                        AlterTableOperation::DropColumn { column_names, .. } => {
                            let names: Vec<String> = column_names
                                .iter()
                                .map(|n| n.value.to_lowercase())
                                .collect();
                            table.columns.retain(|c| !names.contains(&c.name));
                        }
                        // Constraints, defaults and the like do not change what a column holds.
                        _ => {}
                    }
                }
            }
            Statement::Drop { names, .. } => {
                let dropped: Vec<String> = names.iter().map(table_name).collect();
                self.tables.retain(|t| !dropped.contains(&t.name));
            }
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => match object_type {
                CommentObject::Table => {
                    self.table_mut(&table_name(&object_name))?.description = comment;
                }
                CommentObject::Column => {
                    let parts: Vec<String> = object_name
                        .0
                        .iter()
                        .map(|p| p.to_string().trim_matches('"').to_lowercase())
                        .collect();
                    let [.., table, column] = parts.as_slice() else {
                        return Err(format!("COMMENT ON COLUMN {object_name}: no table named"));
                    };
                    let table = self.table_mut(table)?;
                    let column = table
                        .columns
                        .iter_mut()
                        .find(|c| &c.name == column)
                        .ok_or_else(|| {
                            format!("COMMENT ON COLUMN {object_name}: no such column")
                        })?;
                    column.description = comment;
                }
                _ => {}
            },
            // Indexes, grants, inserts: no change to the tables' shape.
            _ => {}
        }
        Ok(())
    }
}

/// A table's unqualified, lower-case name (`public.daily_insights` → `daily_insights`).
fn table_name(name: &ObjectName) -> String {
    name.0
        .last()
        .map(|p| p.to_string().trim_matches('"').to_lowercase())
        .unwrap_or_default()
}

fn column(def: &ColumnDef) -> Column {
    let not_null = def.options.iter().any(|o| {
        matches!(
            o.option,
            ColumnOption::NotNull | ColumnOption::PrimaryKey(_)
        )
    });
    Column {
        name: def.name.value.to_lowercase(),
        sql_type: def.data_type.to_string().to_lowercase(),
        nullable: !not_null,
        description: None,
    }
}

/// The statements of one migration, parsed one by one so that `DO` blocks can be skipped:
/// sqlparser does not parse procedural code (they hold grants, not tables), but its tokenizer
/// reads a `$$` body as one token, so skipping to the next `;` is exact.
fn statements(sql: &str) -> Result<Vec<Statement>, String> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        match parser.peek_token().token {
            Token::EOF => break,
            Token::Word(w) if w.value.eq_ignore_ascii_case("do") => loop {
                match parser.next_token().token {
                    Token::SemiColon | Token::EOF => break,
                    _ => {}
                }
            },
            _ => out.push(parser.parse_statement().map_err(|e| e.to_string())?),
        }
    }
    Ok(out)
}

/// Checks that `sql` (one or more statements, `$n` parameters allowed) names only tables and
/// columns of the serving schema: every relation it reads or writes, every column of an
/// `INSERT`'s column list, and every plain identifier in its expressions (which may also be an
/// alias the statement defines). The code that writes or reads the serving tables runs its SQL
/// through this in unit tests, so a column renamed in a migration fails a test, not a user.
pub fn check_sql(sql: &str) -> Result<(), String> {
    use std::ops::ControlFlow;

    use sqlparser::ast::{visit_expressions, visit_relations, Expr, SelectItem, Visit, Visitor};

    let statements =
        Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| format!("{e}: {sql}"))?;
    let schema = schema();
    for statement in &statements {
        let mut tables: Vec<&Table> = Vec::new();
        let flow = visit_relations(statement, |relation| {
            let name = table_name(relation);
            match schema.table(&name) {
                Some(t) => {
                    tables.push(t);
                    ControlFlow::Continue(())
                }
                None => ControlFlow::Break(format!("no serving table {name}")),
            }
        });
        if let ControlFlow::Break(e) = flow {
            return Err(e);
        }
        if let Statement::Insert(insert) = statement {
            for column in &insert.columns {
                let name = table_name(column);
                if !tables.iter().any(|t| t.column(&name).is_some()) {
                    return Err(format!("INSERT names column {name}, which its table lacks"));
                }
            }
        }
        // Aliases (`count(*) AS n`) are names the statement may use too.
        struct Aliases(Vec<String>);
        impl Visitor for Aliases {
            type Break = ();
            fn pre_visit_query(&mut self, query: &sqlparser::ast::Query) -> ControlFlow<()> {
                if let sqlparser::ast::SetExpr::Select(select) = query.body.as_ref() {
                    for item in &select.projection {
                        if let SelectItem::ExprWithAlias { alias, .. } = item {
                            self.0.push(alias.value.to_lowercase());
                        }
                    }
                }
                ControlFlow::Continue(())
            }
        }
        let mut aliases = Aliases(Vec::new());
        let _ = statement.visit(&mut aliases);
        let flow = visit_expressions(statement, |expr| {
            let name = match expr {
                Expr::Identifier(ident) => ident.value.to_lowercase(),
                Expr::CompoundIdentifier(parts) => parts
                    .last()
                    .map(|p| p.value.to_lowercase())
                    .unwrap_or_default(),
                _ => return ControlFlow::Continue(()),
            };
            let known = tables.iter().any(|t| t.column(&name).is_some())
                || aliases.0.contains(&name)
                // `EXCLUDED.x` in an upsert and the like resolve to the target's columns.
                || name == "excluded";
            if known {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(format!("no column {name} in {}", names(&tables)))
            }
        });
        if let ControlFlow::Break(e) = flow {
            return Err(e);
        }
    }
    Ok(())
}

/// Checks only the `INSERT`s of `sql`: each writes a serving table and names only its columns.
/// For scripts that also use temporary tables of their own (the frontend's end-to-end seed).
pub fn check_inserts(sql: &str) -> Result<(), String> {
    let statements =
        Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| format!("{e}: {sql}"))?;
    for statement in &statements {
        let Statement::Insert(insert) = statement else {
            continue;
        };
        let target = match &insert.table {
            sqlparser::ast::TableObject::TableName(name) => table_name(name),
            other => return Err(format!("INSERT into {other}: not a table")),
        };
        let table = schema()
            .table(&target)
            .ok_or_else(|| format!("INSERT into {target}, which is no serving table"))?;
        for column in &insert.columns {
            let name = table_name(column);
            if table.column(&name).is_none() {
                return Err(format!(
                    "INSERT into {target} names column {name}, which it lacks"
                ));
            }
        }
    }
    Ok(())
}

fn names(tables: &[&Table]) -> String {
    tables
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The column types of a table as a map, for tests that compare a query's columns with it.
impl Table {
    /// Column name → PostgreSQL type.
    pub fn column_types(&self) -> BTreeMap<&str, &str> {
        self.columns
            .iter()
            .map(|c| (c.name.as_str(), c.sql_type.as_str()))
            .collect()
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_parse_into_the_serving_tables() {
        let schema = schema();
        let insights = schema.table("daily_insights").expect("daily_insights");
        assert_eq!(insights.column("date").unwrap().sql_type, "date");
        assert!(!insights.column("date").unwrap().nullable);
        assert!(insights.column("busiest_hour").unwrap().nullable);
        assert_eq!(
            insights.column("avg_email_length").unwrap().sql_type,
            "double precision"
        );
        assert!(schema.table("stream_progress").is_some());
    }

    #[test]
    fn every_chat_table_and_column_says_what_it_holds() {
        for table in schema().chat_tables() {
            assert!(table.description.is_some(), "{} has no COMMENT", table.name);
            for c in &table.columns {
                assert!(
                    c.description.is_some(),
                    "{}.{} has no COMMENT ON COLUMN",
                    table.name,
                    c.name
                );
            }
        }
    }

    #[test]
    fn every_export_writes_a_serving_table_that_has_its_key() {
        for export in LAKE_EXPORTS {
            let table = schema()
                .table(export.target)
                .unwrap_or_else(|| panic!("{} is no serving table", export.target));
            for key in export.key {
                assert!(table.column(key).is_some(), "{}.{key}", export.target);
            }
        }
    }

    #[test]
    fn sql_is_checked_against_the_schema() {
        check_sql("INSERT INTO daily_hourly_counts (date, hour, email_count) VALUES ($1, $2, $3)")
            .unwrap();
        check_sql(
            "SELECT date, count(*) AS n FROM daily_insights WHERE total_emails > 0 ORDER BY n",
        )
        .unwrap();
        let err = check_sql("SELECT totl_emails FROM daily_insights").unwrap_err();
        assert!(err.contains("totl_emails"), "{err}");
        let err = check_sql("INSERT INTO daily_insights (date, nope) VALUES ($1, $2)").unwrap_err();
        assert!(err.contains("nope"), "{err}");
        assert!(check_sql("SELECT 1 FROM nowhere")
            .unwrap_err()
            .contains("nowhere"));
    }

    #[test]
    fn the_frontends_seed_writes_serving_columns() {
        // psql's `:'today'` variable is not SQL; any date stands in for it.
        let seed = include_str!("../../../frontend/scripts/e2e-seed.sql")
            .replace(":'today'", "'2026-01-01'");
        check_inserts(&seed).unwrap_or_else(|e| panic!("frontend/scripts/e2e-seed.sql: {e}"));
    }

    #[test]
    fn alter_drop_and_comments_apply_in_order() {
        let schema = ServingSchema::from_migrations([
            (1, "CREATE TABLE t (a int PRIMARY KEY, b text NOT NULL, c text);\nDO $$ BEGIN PERFORM 1; END $$;"),
            (2, "ALTER TABLE t ADD COLUMN d jsonb; ALTER TABLE t DROP COLUMN c;\nCOMMENT ON TABLE t IS 'a ''t'' row'; COMMENT ON COLUMN t.d IS 'extra';"),
        ])
        .unwrap();
        let t = schema.table("t").unwrap();
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "d"]);
        assert_eq!(t.description.as_deref(), Some("a 't' row"));
        assert_eq!(t.column("d").unwrap().description.as_deref(), Some("extra"));
        assert!(!t.column("a").unwrap().nullable);
        let broken = ServingSchema::from_migrations([(3, "COMMENT ON COLUMN nope.x IS 'y';")]);
        assert!(broken.unwrap_err().to_string().contains("migration 3"));
    }
}
