//! Window specifications for window functions (`Column::over`), named like PySpark's `Window`.
//!
//! ```
//! use spark_client::functions::{col, row_number, sum};
//! use spark_client::window::Window;
//!
//! let by_user = Window::partition_by(["user"]).order_by([col("ts").desc()]);
//! let rank = row_number().over(by_user.clone());
//! let running = sum(col("amount")).over(by_user.rows_between(Window::UNBOUNDED_PRECEDING, Window::CURRENT_ROW));
//! ```

use spark_connect_proto as pb;
use spark_connect_proto::expression::window::window_frame::{
    frame_boundary::Boundary, FrameBoundary, FrameType,
};
use spark_connect_proto::expression::{self as ex, ExprType};

use crate::column::{Column, IntoOperand};

/// Entry points that start a [`WindowSpec`].
#[derive(Debug, Clone, Copy)]
pub struct Window;

/// Partitioning, ordering and frame of a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowSpec {
    partition: Vec<pb::Expression>,
    order: Vec<ex::SortOrder>,
    frame: Option<ex::window::WindowFrame>,
}

impl Window {
    /// A frame boundary meaning "from the first row of the partition".
    pub const UNBOUNDED_PRECEDING: i64 = i64::MIN;
    /// A frame boundary meaning "to the last row of the partition".
    pub const UNBOUNDED_FOLLOWING: i64 = i64::MAX;
    /// A frame boundary meaning "the current row".
    pub const CURRENT_ROW: i64 = 0;

    /// A window partitioned by `cols`.
    pub fn partition_by<C: Into<Column>>(cols: impl IntoIterator<Item = C>) -> WindowSpec {
        WindowSpec::default().partition_by(cols)
    }

    /// A window over the whole DataFrame ordered by `cols`.
    pub fn order_by<C: Into<Column>>(cols: impl IntoIterator<Item = C>) -> WindowSpec {
        WindowSpec::default().order_by(cols)
    }
}

impl WindowSpec {
    /// Adds partitioning columns.
    pub fn partition_by<C: Into<Column>>(mut self, cols: impl IntoIterator<Item = C>) -> Self {
        self.partition
            .extend(cols.into_iter().map(|c| c.into().expr));
        self
    }

    /// Adds ordering columns (ascending unless given as `col.desc()`).
    pub fn order_by<C: Into<Column>>(mut self, cols: impl IntoIterator<Item = C>) -> Self {
        self.order
            .extend(cols.into_iter().map(|c| c.into().to_sort_order()));
        self
    }

    /// A frame of physical rows relative to the current one (`-1` = the previous row).
    pub fn rows_between(mut self, start: i64, end: i64) -> Self {
        self.frame = Some(frame(FrameType::Row, start, end));
        self
    }

    /// A frame of rows whose ordering value is within `start..=end` of the current row's.
    pub fn range_between(mut self, start: i64, end: i64) -> Self {
        self.frame = Some(frame(FrameType::Range, start, end));
        self
    }

    pub(crate) fn apply(self, function: Column) -> Column {
        Column::from_expr(ExprType::Window(Box::new(ex::Window {
            window_function: Some(Box::new(function.expr)),
            partition_spec: self.partition,
            order_spec: self.order,
            frame_spec: self.frame.map(Box::new),
        })))
    }
}

fn frame(kind: FrameType, start: i64, end: i64) -> ex::window::WindowFrame {
    ex::window::WindowFrame {
        frame_type: kind as i32,
        lower: Some(Box::new(boundary(start, Window::UNBOUNDED_PRECEDING))),
        upper: Some(Box::new(boundary(end, Window::UNBOUNDED_FOLLOWING))),
    }
}

fn boundary(value: i64, unbounded: i64) -> FrameBoundary {
    let b = if value == unbounded {
        Boundary::Unbounded(true)
    } else if value == 0 {
        Boundary::CurrentRow(true)
    } else {
        // Row frames take INT offsets; send the smallest type that holds the value, as PySpark does.
        let lit = match i32::try_from(value) {
            Ok(v) => v.into_operand(),
            Err(_) => value.into_operand(),
        };
        Boundary::Value(Box::new(lit.expr))
    };
    FrameBoundary { boundary: Some(b) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{col, row_number};

    #[test]
    fn window_expression_shape() {
        let spec = Window::partition_by(["user"])
            .order_by([col("ts").desc()])
            .rows_between(Window::UNBOUNDED_PRECEDING, -1);
        let c = row_number().over(spec);
        let Some(ExprType::Window(w)) = c.expr.expr_type else {
            panic!("not a window")
        };
        assert_eq!(w.partition_spec.len(), 1);
        assert_eq!(w.order_spec.len(), 1);
        let f = w.frame_spec.unwrap();
        assert_eq!(f.frame_type, FrameType::Row as i32);
        assert_eq!(f.lower.unwrap().boundary, Some(Boundary::Unbounded(true)));
        assert!(matches!(
            f.upper.unwrap().boundary,
            Some(Boundary::Value(_))
        ));
    }
}
