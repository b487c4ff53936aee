//! Aggregate calls: which function, its per-row arguments, the constant
//! argument some functions take (a quantile, a separator), DISTINCT, ORDER BY
//! and FILTER. The binder resolves names, aliases and result types (DuckDB's);
//! execution builds accumulators from these (`execution::functions::aggregate`).

use super::expr::{Expr, SortKey};
use arrow::datatypes::DataType;

/// The aggregate functions quarry knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateFunction {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    StddevSamp,
    StddevPop,
    VarSamp,
    VarPop,
    /// The first non-NULL value.
    AnyValue,
    /// The first / last value in input order, NULL included.
    First,
    Last,
    /// The most frequent non-NULL value; ties go to the value seen first.
    Mode,
    /// `quantile_cont(x, 0.5)` for numbers, `quantile_disc(x, 0.5)` otherwise.
    Median,
    QuantileCont,
    QuantileDisc,
    StringAgg,
    BoolAnd,
    BoolOr,
    BitAnd,
    BitOr,
    BitXor,
    Product,
    /// `arg_min(arg, val)`: `arg` of the row with the smallest `val`.
    ArgMin,
    ArgMax,
    Corr,
    CovarPop,
    CovarSamp,
    RegrSlope,
    RegrIntercept,
    RegrCount,
    RegrR2,
    RegrAvgx,
    RegrAvgy,
    RegrSxx,
    RegrSyy,
    RegrSxy,
}

impl AggregateFunction {
    /// The function called `name` (lower case), aliases included.
    pub fn from_name(name: &str) -> Option<Self> {
        use AggregateFunction::*;
        Some(match name {
            "count" => Count,
            "sum" => Sum,
            "avg" | "mean" => Avg,
            "min" => Min,
            "max" => Max,
            "stddev" | "stddev_samp" => StddevSamp,
            "stddev_pop" => StddevPop,
            "variance" | "var_samp" => VarSamp,
            "var_pop" => VarPop,
            "any_value" => AnyValue,
            "first" | "arbitrary" => First,
            "last" => Last,
            "mode" => Mode,
            "median" => Median,
            "quantile_cont" => QuantileCont,
            "quantile_disc" | "quantile" => QuantileDisc,
            "string_agg" | "group_concat" | "listagg" => StringAgg,
            "bool_and" => BoolAnd,
            "bool_or" => BoolOr,
            "bit_and" => BitAnd,
            "bit_or" => BitOr,
            "bit_xor" => BitXor,
            "product" => Product,
            "arg_min" | "argmin" | "min_by" => ArgMin,
            "arg_max" | "argmax" | "max_by" => ArgMax,
            "corr" => Corr,
            "covar_pop" => CovarPop,
            "covar_samp" => CovarSamp,
            "regr_slope" => RegrSlope,
            "regr_intercept" => RegrIntercept,
            "regr_count" => RegrCount,
            "regr_r2" => RegrR2,
            "regr_avgx" => RegrAvgx,
            "regr_avgy" => RegrAvgy,
            "regr_sxx" => RegrSxx,
            "regr_syy" => RegrSyy,
            "regr_sxy" => RegrSxy,
            _ => return None,
        })
    }

    /// Every name [`from_name`](Self::from_name) accepts (for suggestions).
    pub const NAMES: &'static [&'static str] = &[
        "count",
        "sum",
        "avg",
        "mean",
        "min",
        "max",
        "stddev",
        "stddev_samp",
        "stddev_pop",
        "variance",
        "var_samp",
        "var_pop",
        "any_value",
        "first",
        "arbitrary",
        "last",
        "mode",
        "median",
        "quantile_cont",
        "quantile_disc",
        "quantile",
        "string_agg",
        "group_concat",
        "listagg",
        "bool_and",
        "bool_or",
        "bit_and",
        "bit_or",
        "bit_xor",
        "product",
        "arg_min",
        "argmin",
        "min_by",
        "arg_max",
        "argmax",
        "max_by",
        "corr",
        "covar_pop",
        "covar_samp",
        "regr_slope",
        "regr_intercept",
        "regr_count",
        "regr_r2",
        "regr_avgx",
        "regr_avgy",
        "regr_sxx",
        "regr_syy",
        "regr_sxy",
    ];

    pub fn name(self) -> &'static str {
        use AggregateFunction::*;
        match self {
            CountStar => "count_star",
            Count => "count",
            Sum => "sum",
            Avg => "avg",
            Min => "min",
            Max => "max",
            StddevSamp => "stddev_samp",
            StddevPop => "stddev_pop",
            VarSamp => "var_samp",
            VarPop => "var_pop",
            AnyValue => "any_value",
            First => "first",
            Last => "last",
            Mode => "mode",
            Median => "median",
            QuantileCont => "quantile_cont",
            QuantileDisc => "quantile_disc",
            StringAgg => "string_agg",
            BoolAnd => "bool_and",
            BoolOr => "bool_or",
            BitAnd => "bit_and",
            BitOr => "bit_or",
            BitXor => "bit_xor",
            Product => "product",
            ArgMin => "arg_min",
            ArgMax => "arg_max",
            Corr => "corr",
            CovarPop => "covar_pop",
            CovarSamp => "covar_samp",
            RegrSlope => "regr_slope",
            RegrIntercept => "regr_intercept",
            RegrCount => "regr_count",
            RegrR2 => "regr_r2",
            RegrAvgx => "regr_avgx",
            RegrAvgy => "regr_avgy",
            RegrSxx => "regr_sxx",
            RegrSyy => "regr_syy",
            RegrSxy => "regr_sxy",
        }
    }

    /// Whether the order of the rows can change the result (first, last,
    /// string_agg, ties of arg_min, mode and any_value, rounding of sums):
    /// `ORDER BY` inside the call is kept only for these.
    pub fn depends_on_order(self) -> bool {
        use AggregateFunction::*;
        !matches!(
            self,
            CountStar
                | Count
                | Min
                | Max
                | BoolAnd
                | BoolOr
                | BitAnd
                | BitOr
                | BitXor
                | Median
                | QuantileCont
                | QuantileDisc
                | RegrCount
        )
    }

    /// Whether the result over no rows is 0 rather than NULL: a decorrelated
    /// subquery must then turn the NULL of an unmatched outer row into 0
    /// (the COUNT bug).
    pub fn is_zero_on_empty(self) -> bool {
        matches!(
            self,
            AggregateFunction::Count | AggregateFunction::CountStar | AggregateFunction::RegrCount
        )
    }
}

/// A constant argument that configures an aggregate instead of feeding it
/// rows. The binder evaluates it (DuckDB requires a constant), so
/// accumulators are built knowing it.
#[derive(Debug, Clone, PartialEq)]
pub enum AggregateParameter {
    /// The fraction of `quantile_cont` / `quantile_disc`, in [-1, 1]; a
    /// negative one counts from the largest value.
    Quantile(f64),
    /// The separator of `string_agg`; NULL makes every result NULL.
    Separator(Option<String>),
}

/// One aggregate call:
/// `func([DISTINCT] args [, parameter] [ORDER BY keys]) [FILTER (WHERE filter)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateExpr {
    pub func: AggregateFunction,
    /// Per-row arguments, cast to the types the accumulator expects: none for
    /// `count(*)`, two for `arg_min`, `corr`, `regr_*`.
    pub args: Vec<Expr>,
    pub parameter: Option<AggregateParameter>,
    pub distinct: bool,
    /// The order rows are fed in (`string_agg(x, ',' ORDER BY y)`); empty
    /// for input order, and for functions whose result cannot depend on it.
    pub order_by: Vec<SortKey>,
    pub filter: Option<Expr>,
    pub data_type: DataType,
}

impl AggregateExpr {
    /// Every expression the call reads: arguments, ORDER BY keys, filter.
    pub fn expressions(&self) -> impl Iterator<Item = &Expr> {
        self.args
            .iter()
            .chain(self.order_by.iter().map(|key| &key.expr))
            .chain(self.filter.iter())
    }

    /// Whether the call runs in a single aggregation phase: DISTINCT and
    /// ORDER BY need every row of a group in one place.
    pub fn is_single_phase(&self) -> bool {
        self.distinct || !self.order_by.is_empty()
    }

    /// The same call with every expression rewritten by `f`.
    pub fn try_map_expressions(
        &self,
        f: &mut dyn FnMut(&Expr) -> crate::error::Result<Expr>,
    ) -> crate::error::Result<AggregateExpr> {
        let mut call = self.clone();
        for arg in call.args.iter_mut() {
            *arg = f(arg)?;
        }
        for key in call.order_by.iter_mut() {
            key.expr = f(&key.expr)?;
        }
        call.filter = self.filter.as_ref().map(&mut *f).transpose()?;
        Ok(call)
    }
}
