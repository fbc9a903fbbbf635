//! Missing values: `fill_na`, `drop_na`, `replace` (PySpark's `fillna`, `dropna`, `replace`).
//!
//! Spark fills only with a `BIGINT`, `DOUBLE`, `STRING` or `BOOLEAN` (an `INT` is rejected with
//! `Unsupported value type java.lang.Integer`) and replaces numbers as `DOUBLE`s; the values are
//! widened here as PySpark widens its Python ints and floats, so every Rust width works.

use spark_connect_proto as pb;
use spark_connect_proto::expression::literal::LiteralType;
use spark_connect_proto::relation::RelType;

use super::{strings, DataFrame};
use crate::types::DataType;

/// A value [`DataFrame::fill_na`] fills with: a bool, an integer (sent as `BIGINT`), a float (sent
/// as `DOUBLE`) or a string.
#[derive(Debug, Clone, PartialEq)]
pub struct FillValue(LiteralType);

/// An old or new value of [`DataFrame::replace`]: a bool, a number (sent as `DOUBLE`, as PySpark
/// does), a string, or `None` (SQL `NULL`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplaceValue(LiteralType);

macro_rules! widened {
    ($target:ident: $($t:ty => |$v:ident| $e:expr;)*) => {$(
        impl From<$t> for $target {
            fn from($v: $t) -> $target {
                $target($e)
            }
        }
    )*};
}

widened! { FillValue:
    bool => |v| LiteralType::Boolean(v);
    i8 => |v| LiteralType::Long(v.into());
    i16 => |v| LiteralType::Long(v.into());
    i32 => |v| LiteralType::Long(v.into());
    i64 => |v| LiteralType::Long(v);
    u8 => |v| LiteralType::Long(v.into());
    u16 => |v| LiteralType::Long(v.into());
    u32 => |v| LiteralType::Long(v.into());
    f32 => |v| LiteralType::Double(v.into());
    f64 => |v| LiteralType::Double(v);
    &str => |v| LiteralType::String(v.to_string());
    String => |v| LiteralType::String(v);
}

widened! { ReplaceValue:
    bool => |v| LiteralType::Boolean(v);
    i8 => |v| LiteralType::Double(v.into());
    i16 => |v| LiteralType::Double(v.into());
    i32 => |v| LiteralType::Double(v.into());
    // Exact up to 2^53, like PySpark's float(int).
    i64 => |v| LiteralType::Double(v as f64);
    u8 => |v| LiteralType::Double(v.into());
    u16 => |v| LiteralType::Double(v.into());
    u32 => |v| LiteralType::Double(v.into());
    f32 => |v| LiteralType::Double(v.into());
    f64 => |v| LiteralType::Double(v);
    &str => |v| LiteralType::String(v.to_string());
    String => |v| LiteralType::String(v);
}

impl<T: Into<ReplaceValue>> From<Option<T>> for ReplaceValue {
    fn from(v: Option<T>) -> ReplaceValue {
        match v {
            Some(v) => v.into(),
            // PySpark's None: an untyped (VOID) null.
            None => ReplaceValue(LiteralType::Null(DataType::Null.to_proto())),
        }
    }
}

fn literal(kind: LiteralType) -> pb::expression::Literal {
    pb::expression::Literal {
        literal_type: Some(kind),
        ..Default::default()
    }
}

/// What [`DataFrame::drop_na`] drops (PySpark's `dropna(how, thresh, subset)`):
/// `DropNa::any()`, `DropNa::all().subset(["a", "b"])`, `DropNa::any().thresh(2)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct DropNa {
    all: bool,
    thresh: Option<i32>,
    subset: Vec<String>,
}

impl DropNa {
    /// Drops rows with a null in any of the columns (the default).
    pub fn any() -> DropNa {
        DropNa::default()
    }

    /// Drops rows whose columns are all null.
    pub fn all() -> DropNa {
        DropNa {
            all: true,
            ..DropNa::default()
        }
    }

    /// Keeps only rows with at least `n` non-null values (overrides any/all).
    pub fn thresh(mut self, n: i32) -> DropNa {
        self.thresh = Some(n);
        self
    }

    /// Looks only at these columns (default: all).
    pub fn subset<S: Into<String>>(mut self, cols: impl IntoIterator<Item = S>) -> DropNa {
        self.subset = strings(cols);
        self
    }
}

impl DataFrame {
    /// Replaces nulls in `cols` (every column of a matching type when empty) with `value`; see
    /// [`FillValue`] for the accepted values (`fill_na(0, ["n"])`, `fill_na("?", [] as [&str; 0])`).
    pub fn fill_na<S: Into<String>>(
        &self,
        value: impl Into<FillValue>,
        cols: impl IntoIterator<Item = S>,
    ) -> DataFrame {
        self.wrap(RelType::FillNa(Box::new(pb::NaFill {
            input: self.input(),
            cols: strings(cols),
            values: vec![literal(value.into().0)],
        })))
    }

    /// Replaces nulls column by column (PySpark's `fillna({"a": 0, "b": "x"})`), e.g.
    /// `fill_na_by_column([("n", FillValue::from(0)), ("s", "?".into())])`.
    pub fn fill_na_by_column<S: Into<String>>(
        &self,
        values: impl IntoIterator<Item = (S, FillValue)>,
    ) -> DataFrame {
        let (cols, values): (Vec<String>, Vec<_>) = values
            .into_iter()
            .map(|(c, v)| (c.into(), literal(v.0)))
            .unzip();
        if cols.is_empty() {
            return self
                .clone()
                .poisoned("fill_na_by_column needs at least one column");
        }
        self.wrap(RelType::FillNa(Box::new(pb::NaFill {
            input: self.input(),
            cols,
            values,
        })))
    }

    /// Drops rows with nulls, as [`DropNa`] says.
    pub fn drop_na(&self, how: DropNa) -> DataFrame {
        // PySpark's rule: `all` is a threshold of one non-null value; `any` one per column.
        let min_non_nulls = how.thresh.or(how.all.then_some(1));
        self.wrap(RelType::DropNa(Box::new(pb::NaDrop {
            input: self.input(),
            cols: how.subset,
            min_non_nulls,
        })))
    }

    /// Replaces values in `cols` (every column of a matching type when empty): each `(old, new)`
    /// pair, e.g. `replace([("N/A", None::<&str>)], ["city"])` or `replace([(0, 100)], ["n"])`.
    /// Old and new values must all be numbers, all strings or all bools (the server checks).
    pub fn replace<O, N, S>(
        &self,
        replacements: impl IntoIterator<Item = (O, N)>,
        cols: impl IntoIterator<Item = S>,
    ) -> DataFrame
    where
        O: Into<ReplaceValue>,
        N: Into<ReplaceValue>,
        S: Into<String>,
    {
        let replacements = replacements
            .into_iter()
            .map(|(old, new)| pb::na_replace::Replacement {
                old_value: Some(literal(old.into().0)),
                new_value: Some(literal(new.into().0)),
            })
            .collect();
        self.wrap(RelType::Replace(Box::new(pb::NaReplace {
            input: self.input(),
            cols: strings(cols),
            replacements,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_values_are_widened_like_pyspark() {
        assert_eq!(FillValue::from(0i32).0, LiteralType::Long(0));
        assert_eq!(FillValue::from(7u8).0, LiteralType::Long(7));
        assert_eq!(FillValue::from(1.5f32).0, LiteralType::Double(1.5));
        assert_eq!(FillValue::from("x").0, LiteralType::String("x".into()));
        assert_eq!(FillValue::from(true).0, LiteralType::Boolean(true));
    }

    #[test]
    fn replace_values_are_doubles_or_null() {
        assert_eq!(ReplaceValue::from(3i32).0, LiteralType::Double(3.0));
        assert_eq!(ReplaceValue::from(2.5f32).0, LiteralType::Double(2.5));
        assert!(matches!(ReplaceValue::from(f32::NAN).0, LiteralType::Double(d) if d.is_nan()));
        assert_eq!(
            ReplaceValue::from(None::<&str>).0,
            LiteralType::Null(DataType::Null.to_proto())
        );
        assert_eq!(
            ReplaceValue::from(Some("a")).0,
            LiteralType::String("a".into())
        );
    }
}
