//! Window calls: `func(args) OVER (PARTITION BY .. ORDER BY .. frame)`. Each
//! call is typed, its frame resolved (the SQL default when absent), and it is
//! collected for the enclosing SELECT like an aggregate; the expression that
//! replaces it reads the column the `Window` node will produce.

use super::aggregate::aggregate_signature;
use super::types::{is_numeric, sql_type_name};
use super::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::{
    AggregateFunction, AggregateParameter, ColumnRef, Expr, FrameBound, FrameUnits, ScalarValue,
    SortKey, WindowExpr, WindowFrame, WindowFunction,
};
use crate::optimizer::evaluate_constant;
use arrow::array::Array;
use arrow::datatypes::{DataType, IntervalUnit};
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr};

impl Binder<'_> {
    /// Binds one window call and returns the column carrying its result.
    pub(super) fn bind_window(
        &mut self,
        name: &str,
        distinct: bool,
        arg_list: &[FunctionArg],
        over: &ast::WindowType,
        function: &ast::Function,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let Some(collector) = ctx.aggregates.as_deref() else {
            return Err(QuarryError::Plan(format!(
                "Binder Error: window functions are not allowed here: {function}"
            )));
        };
        let windows_before = collector.windows.len();
        let spec = &self.window_spec_of(over)?;
        if distinct {
            return Err(QuarryError::NotImplemented(format!(
                "DISTINCT in window function {name}"
            )));
        }
        if function.null_treatment.is_some() {
            return Err(QuarryError::NotImplemented(
                "IGNORE NULLS / RESPECT NULLS".into(),
            ));
        }
        let mut args = vec![];
        let mut star = false;
        for arg in arg_list {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => {
                    args.push(self.bind_expr(expr, ctx)?)
                }
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" => star = true,
                other => {
                    return Err(QuarryError::Plan(format!(
                        "Binder Error: unsupported argument {other} to {name}"
                    )))
                }
            }
        }
        let filter = function
            .filter
            .as_ref()
            .map(|f| {
                let bound = self.bind_expr(f, ctx)?;
                super::expr::to_boolean(bound, "FILTER")
            })
            .transpose()?;
        let partition_by = spec
            .partition_by
            .iter()
            .map(|e| self.bind_expr(e, ctx))
            .collect::<Result<Vec<_>>>()?;
        let mut order_by: Vec<SortKey> = vec![];
        for item in &spec.order_by {
            let expr = self.bind_expr(&item.expr, ctx)?;
            order_by.push(self.sort_key(expr, &item.options));
        }
        let windows_after = ctx.aggregates.as_deref().map_or(0, |c| c.windows.len());
        if windows_after != windows_before {
            return Err(QuarryError::Plan(
                "Binder Error: window function calls cannot be nested".into(),
            ));
        }

        let (func, args, parameter, data_type) = window_signature(name, args, star)?;
        if filter.is_some() && !matches!(func, WindowFunction::Aggregate(_)) {
            return Err(QuarryError::Plan(format!(
                "Binder Error: FILTER applies only to aggregate functions, not {name}"
            )));
        }
        let frame = match &spec.window_frame {
            None => WindowFrame::default_for(!order_by.is_empty()),
            Some(frame) => self.bind_frame(frame, &order_by, ctx)?,
        };
        let call = WindowExpr {
            func,
            args,
            parameter,
            filter,
            partition_by,
            order_by,
            frame,
            data_type: data_type.clone(),
        };
        let Some(collector) = ctx.aggregates.as_deref_mut() else {
            return Err(QuarryError::Internal("window collector vanished".into()));
        };
        if let Some((_, column)) = collector
            .windows
            .iter()
            .find(|(existing, _)| existing == &call)
        {
            return Ok(Expr::Column(column.clone()));
        }
        let column: ColumnRef = self.new_column(&function.to_string(), data_type, true);
        if let Some(collector) = ctx.aggregates.as_deref_mut() {
            collector.windows.push((call, column.clone()));
        }
        Ok(Expr::Column(column))
    }

    fn bind_frame(
        &mut self,
        frame: &ast::WindowFrame,
        order_by: &[SortKey],
        ctx: &ExprContext,
    ) -> Result<WindowFrame> {
        let units = match frame.units {
            ast::WindowFrameUnits::Rows => FrameUnits::Rows,
            ast::WindowFrameUnits::Range => FrameUnits::Range,
            ast::WindowFrameUnits::Groups => {
                return Err(QuarryError::NotImplemented("GROUPS frames".into()))
            }
        };
        let start = self.bind_frame_bound(&frame.start_bound, units, order_by, ctx)?;
        let end = match &frame.end_bound {
            Some(bound) => self.bind_frame_bound(bound, units, order_by, ctx)?,
            None => FrameBound::CurrentRow,
        };
        if start == FrameBound::UnboundedFollowing {
            return Err(QuarryError::Plan(
                "Binder Error: a frame cannot start with UNBOUNDED FOLLOWING".into(),
            ));
        }
        if end == FrameBound::UnboundedPreceding {
            return Err(QuarryError::Plan(
                "Binder Error: a frame cannot end with UNBOUNDED PRECEDING".into(),
            ));
        }
        Ok(WindowFrame { units, start, end })
    }

    fn bind_frame_bound(
        &mut self,
        bound: &ast::WindowFrameBound,
        units: FrameUnits,
        order_by: &[SortKey],
        ctx: &ExprContext,
    ) -> Result<FrameBound> {
        let (offset, preceding) = match bound {
            ast::WindowFrameBound::CurrentRow => return Ok(FrameBound::CurrentRow),
            ast::WindowFrameBound::Preceding(None) => return Ok(FrameBound::UnboundedPreceding),
            ast::WindowFrameBound::Following(None) => return Ok(FrameBound::UnboundedFollowing),
            ast::WindowFrameBound::Preceding(Some(offset)) => (offset, true),
            ast::WindowFrameBound::Following(Some(offset)) => (offset, false),
        };
        let mut inner = ExprContext::new(ctx.scope);
        let bound_offset = self.bind_expr(offset, &mut inner)?;
        if !bound_offset.column_ids().is_empty() {
            return Err(QuarryError::NotImplemented(
                "frame offsets that read columns".into(),
            ));
        }
        if bound_offset.has_parameters() {
            return Err(QuarryError::NotImplemented(
                "parameters in window frame offsets".into(),
            ));
        }
        let value = evaluate_constant(&bound_offset)?;
        let amount = match units {
            FrameUnits::Rows => rows_offset(&value)?,
            FrameUnits::Range => range_offset(&value, order_by)?,
        };
        Ok(if preceding {
            FrameBound::Preceding(amount)
        } else {
            FrameBound::Following(amount)
        })
    }
}

/// The row count of a ROWS offset: a non-negative integer.
fn rows_offset(value: &ScalarValue) -> Result<f64> {
    match value
        .cast_to(&DataType::Int64)
        .ok()
        .and_then(|v| v.as_i64())
    {
        Some(n) if n >= 0 && value.data_type().is_integer() => Ok(n as f64),
        _ => Err(QuarryError::Plan(format!(
            "Binder Error: a ROWS frame offset must be a non-negative integer, not {value}"
        ))),
    }
}

/// The distance of a RANGE offset in the unit of the single ORDER BY key:
/// a number for numeric keys, whole days (an INTERVAL) for dates.
fn range_offset(value: &ScalarValue, order_by: &[SortKey]) -> Result<f64> {
    let [key] = order_by else {
        return Err(QuarryError::Plan(
            "Binder Error: RANGE with an offset PRECEDING/FOLLOWING requires exactly one ORDER BY expression".into(),
        ));
    };
    let key_type = key.expr.data_type();
    let amount = match (&key_type, value.data_type()) {
        (DataType::Date32, DataType::Interval(IntervalUnit::MonthDayNano)) => {
            use arrow::array::AsArray;
            use arrow::datatypes::IntervalMonthDayNanoType;
            let array = value.as_array().as_primitive::<IntervalMonthDayNanoType>();
            let interval = array.value(0);
            const NANOS_PER_DAY: i64 = 86_400_000_000_000;
            if interval.months != 0 || interval.nanoseconds % NANOS_PER_DAY != 0 {
                return Err(QuarryError::NotImplemented(
                    "RANGE offsets over dates other than whole days".into(),
                ));
            }
            Some(interval.days as f64 + (interval.nanoseconds / NANOS_PER_DAY) as f64)
        }
        (key_type, offset_type) if is_numeric(key_type) && is_numeric(offset_type) => {
            value.cast_to(&DataType::Float64).ok().and_then(|v| {
                use arrow::array::AsArray;
                let array = v
                    .as_array()
                    .as_primitive_opt::<arrow::datatypes::Float64Type>()?;
                array.is_valid(0).then(|| array.value(0))
            })
        }
        _ => {
            return Err(QuarryError::Plan(format!(
            "Binder Error: RANGE offset of type {} does not apply to an ORDER BY key of type {}",
            sql_type_name(value.data_type()),
            sql_type_name(&key_type)
        )))
        }
    };
    match amount {
        Some(n) if n >= 0.0 => Ok(n),
        _ => Err(QuarryError::Plan(format!(
            "Binder Error: a RANGE frame offset must be non-negative, not {value}"
        ))),
    }
}

/// The function, its arguments as execution expects them, an aggregate's
/// constant argument, and the result type.
fn window_signature(
    name: &str,
    args: Vec<Expr>,
    star: bool,
) -> Result<(
    WindowFunction,
    Vec<Expr>,
    Option<AggregateParameter>,
    DataType,
)> {
    use WindowFunction::*;
    let arity = |expected: &[usize], args: &[Expr]| -> Result<()> {
        if expected.contains(&args.len()) {
            Ok(())
        } else {
            Err(QuarryError::Plan(format!(
                "Binder Error: {name} takes {} argument(s), not {}",
                expected
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
                args.len()
            )))
        }
    };
    if let Some(aggregate) = AggregateFunction::from_name(name) {
        if star && (aggregate != AggregateFunction::Count || !args.is_empty()) {
            return Err(QuarryError::Plan(format!(
                "Binder Error: {name}(*) is not a function"
            )));
        }
        let signature = aggregate_signature(aggregate, name, args)?;
        return Ok((
            Aggregate(signature.func),
            signature.args,
            signature.parameter,
            signature.data_type,
        ));
    }
    let Some(func) = WindowFunction::from_name(name) else {
        return Err(QuarryError::Plan(format!(
            "Catalog Error: {name} is not a window function or an aggregate"
        )));
    };
    let int64 = |e: Expr| e.cast_to(&DataType::Int64);
    let (func, args, data_type) = match func {
        RowNumber | Rank | DenseRank => {
            arity(&[0], &args)?;
            (func, args, DataType::Int64)
        }
        PercentRank | CumeDist => {
            arity(&[0], &args)?;
            (func, args, DataType::Float64)
        }
        Ntile => {
            arity(&[1], &args)?;
            (func, args.into_iter().map(int64).collect(), DataType::Int64)
        }
        Lag | Lead => {
            arity(&[1, 2, 3], &args)?;
            let mut args = args.into_iter();
            let value = args
                .next()
                .ok_or_else(|| QuarryError::Internal("lag without value".into()))?;
            let data_type = value.data_type();
            let offset = args
                .next()
                .map(int64)
                .unwrap_or(Expr::Literal(ScalarValue::int64(1)));
            let default = args
                .next()
                .unwrap_or(Expr::Literal(ScalarValue::null(&data_type)))
                .cast_to(&data_type);
            (func, vec![value, offset, default], data_type)
        }
        FirstValue | LastValue => {
            arity(&[1], &args)?;
            let data_type = args[0].data_type();
            (func, args, data_type)
        }
        NthValue => {
            arity(&[2], &args)?;
            let data_type = args[0].data_type();
            let mut args = args.into_iter();
            let value = args
                .next()
                .ok_or_else(|| QuarryError::Internal("nth_value arity".into()))?;
            let n = args
                .next()
                .ok_or_else(|| QuarryError::Internal("nth_value arity".into()))?;
            (func, vec![value, int64(n)], data_type)
        }
        Aggregate(_) => return Err(QuarryError::Internal("aggregate resolved twice".into())),
    };
    Ok((func, args, None, data_type))
}
