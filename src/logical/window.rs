//! Window function calls: `func(args) OVER (PARTITION BY .. ORDER BY .. frame)`.
//! The binder resolves the frame (explicit or the SQL default) and the result
//! type, so execution never re-derives either.

use super::aggregate::{AggregateFunction, AggregateParameter};
use super::expr::{Expr, SortKey};
use arrow::datatypes::DataType;
use std::fmt;

/// The functions that can be called with OVER.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WindowFunction {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    /// `ntile(n)`: the bucket of the row when the partition is cut into `n`.
    Ntile,
    /// `lag(x, offset, default)` and `lead(..)`; args are always all three.
    Lag,
    Lead,
    FirstValue,
    LastValue,
    /// `nth_value(x, n)`: the n-th row of the frame (1-based).
    NthValue,
    /// An aggregate over the frame.
    Aggregate(AggregateFunction),
}

impl WindowFunction {
    /// The ranking or navigation function called `name`; aggregates are
    /// resolved through [`AggregateFunction::from_name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "row_number" => WindowFunction::RowNumber,
            "rank" => WindowFunction::Rank,
            "dense_rank" => WindowFunction::DenseRank,
            "percent_rank" => WindowFunction::PercentRank,
            "cume_dist" => WindowFunction::CumeDist,
            "ntile" => WindowFunction::Ntile,
            "lag" => WindowFunction::Lag,
            "lead" => WindowFunction::Lead,
            "first_value" => WindowFunction::FirstValue,
            "last_value" => WindowFunction::LastValue,
            "nth_value" => WindowFunction::NthValue,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            WindowFunction::RowNumber => "row_number",
            WindowFunction::Rank => "rank",
            WindowFunction::DenseRank => "dense_rank",
            WindowFunction::PercentRank => "percent_rank",
            WindowFunction::CumeDist => "cume_dist",
            WindowFunction::Ntile => "ntile",
            WindowFunction::Lag => "lag",
            WindowFunction::Lead => "lead",
            WindowFunction::FirstValue => "first_value",
            WindowFunction::LastValue => "last_value",
            WindowFunction::NthValue => "nth_value",
            WindowFunction::Aggregate(func) => func.name(),
        }
    }

    /// Whether the result depends on the frame (the others look at the whole
    /// partition and its order only).
    pub fn uses_frame(self) -> bool {
        matches!(
            self,
            WindowFunction::FirstValue
                | WindowFunction::LastValue
                | WindowFunction::NthValue
                | WindowFunction::Aggregate(_)
        )
    }
}

/// ROWS counts rows; RANGE compares values of the single ORDER BY key, and
/// CURRENT ROW includes the peers of the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameUnits {
    Rows,
    Range,
}

/// One end of a frame. Offsets are rows for ROWS, and for RANGE a distance in
/// the order key's unit (days for dates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(f64),
    CurrentRow,
    Following(f64),
    UnboundedFollowing,
}

/// `units BETWEEN start AND end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowFrame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: FrameBound,
}

impl WindowFrame {
    /// The SQL default: the whole partition without ORDER BY, else every row
    /// up to the current row and its peers.
    pub fn default_for(has_order: bool) -> Self {
        WindowFrame {
            units: FrameUnits::Range,
            start: FrameBound::UnboundedPreceding,
            end: if has_order {
                FrameBound::CurrentRow
            } else {
                FrameBound::UnboundedFollowing
            },
        }
    }
}

/// One window call. `filter` applies to aggregates only.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowExpr {
    pub func: WindowFunction,
    pub args: Vec<Expr>,
    /// The constant argument of an aggregate (a quantile, a separator).
    pub parameter: Option<AggregateParameter>,
    pub filter: Option<Expr>,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<SortKey>,
    pub frame: WindowFrame,
    pub data_type: DataType,
}

impl WindowExpr {
    /// Every expression the call reads.
    pub fn expressions(&self) -> Vec<&Expr> {
        let mut exprs: Vec<&Expr> = self.args.iter().collect();
        exprs.extend(self.filter.iter());
        exprs.extend(self.partition_by.iter());
        exprs.extend(self.order_by.iter().map(|key| &key.expr));
        exprs
    }

    /// The same call with every expression rewritten by `f`.
    pub fn try_map_expressions(
        &self,
        f: &mut dyn FnMut(Expr) -> crate::error::Result<Expr>,
    ) -> crate::error::Result<WindowExpr> {
        let mut call = self.clone();
        for arg in call.args.iter_mut() {
            *arg = f(arg.clone())?;
        }
        call.filter = call.filter.map(&mut *f).transpose()?;
        for expr in call.partition_by.iter_mut() {
            *expr = f(expr.clone())?;
        }
        for key in call.order_by.iter_mut() {
            key.expr = f(key.expr.clone())?;
        }
        Ok(call)
    }
}

impl fmt::Display for FrameBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameBound::UnboundedPreceding => write!(f, "UNBOUNDED PRECEDING"),
            FrameBound::Preceding(n) => write!(f, "{n} PRECEDING"),
            FrameBound::CurrentRow => write!(f, "CURRENT ROW"),
            FrameBound::Following(n) => write!(f, "{n} FOLLOWING"),
            FrameBound::UnboundedFollowing => write!(f, "UNBOUNDED FOLLOWING"),
        }
    }
}

impl fmt::Display for WindowExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args.iter().map(|a| a.to_string()).collect();
        match self.func {
            WindowFunction::Aggregate(AggregateFunction::CountStar) => write!(f, "count(*)")?,
            func => {
                write!(f, "{}({}", func.name(), args.join(", "))?;
                if let Some(parameter) = &self.parameter {
                    write!(f, ", {parameter}")?;
                }
                write!(f, ")")?;
            }
        }
        if let Some(filter) = &self.filter {
            write!(f, " FILTER (WHERE {filter})")?;
        }
        write!(f, " OVER (")?;
        if !self.partition_by.is_empty() {
            let keys: Vec<String> = self.partition_by.iter().map(|e| e.to_string()).collect();
            write!(f, "PARTITION BY {} ", keys.join(", "))?;
        }
        if !self.order_by.is_empty() {
            let keys: Vec<String> = self.order_by.iter().map(|k| k.to_string()).collect();
            write!(f, "ORDER BY {} ", keys.join(", "))?;
        }
        let units = match self.frame.units {
            FrameUnits::Rows => "ROWS",
            FrameUnits::Range => "RANGE",
        };
        write!(
            f,
            "{units} BETWEEN {} AND {})",
            self.frame.start, self.frame.end
        )
    }
}
