//! Aggregate calls: `func([DISTINCT] args [ORDER BY keys]) [FILTER (WHERE
//! cond)]`. Each call is typed as DuckDB types it, its arguments cast to
//! what the accumulator reads and its constant argument (a quantile, a
//! separator) evaluated; ORDER BY is kept only where the order can matter.
//! The call is collected for the enclosing SELECT and replaced by the column
//! the `Aggregate` node will produce.

use super::expr::to_boolean;
use super::types::{is_decimal, is_numeric, is_string, sql_type_name};
use super::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::{AggregateExpr, AggregateFunction, AggregateParameter, Expr};
use arrow::datatypes::{DataType, TimeUnit};
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr};

/// The parts of an aggregate call as written.
pub(super) struct AggregateCall<'a> {
    pub func: AggregateFunction,
    pub name: &'a str,
    pub distinct: bool,
    pub args: &'a [FunctionArg],
    pub order_by: &'a [ast::OrderByExpr],
}

impl Binder<'_> {
    pub(super) fn bind_aggregate(
        &mut self,
        written: AggregateCall<'_>,
        function: &ast::Function,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let AggregateCall {
            func,
            name,
            distinct,
            args: arg_list,
            order_by,
        } = written;
        if function.null_treatment.is_some() {
            return Err(QuarryError::NotImplemented(format!(
                "IGNORE NULLS / RESPECT NULLS for the aggregate {name}"
            )));
        }
        // Arguments of an aggregate are bound without aggregates: no nesting.
        let mut inner = ExprContext::new(ctx.scope);
        let mut args = vec![];
        for arg in arg_list {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard)
                    if func == AggregateFunction::Count && arg_list.len() == 1 => {}
                FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => {
                    args.push(self.bind_expr(expr, &mut inner)?)
                }
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
                self.bind_expr(f, &mut inner)
                    .and_then(|f| to_boolean(f, "FILTER"))
            })
            .transpose()?;
        let mut keys = vec![];
        for item in order_by {
            let expr = self.bind_expr(&item.expr, &mut inner)?;
            if distinct && !args.contains(&expr) {
                return Err(QuarryError::Plan(
                    "Binder Error: In a DISTINCT aggregate, ORDER BY expressions must appear in the argument list".into(),
                ));
            }
            keys.push(self.sort_key(expr, &item.options));
        }
        let signature = aggregate_signature(func, name, args)?;
        if !signature.func.depends_on_order() {
            keys.clear();
        }
        if distinct && signature.func == AggregateFunction::CountStar {
            return Err(QuarryError::Plan(
                "Binder Error: DISTINCT needs an argument: count(DISTINCT *)".into(),
            ));
        }
        let data_type = signature.data_type.clone();
        let call = AggregateExpr {
            func: signature.func,
            args: signature.args,
            parameter: signature.parameter,
            distinct,
            order_by: keys,
            filter,
            data_type: data_type.clone(),
        };
        if let Some(level) = self.outer_level_of(&call) {
            // Over outer columns only: an aggregate of that outer query.
            let column = self.new_column(&function.to_string(), data_type, true);
            self.outer_aggregates[level].push((call, column.clone()));
            for frame in self.correlated.iter_mut().skip(level) {
                frame.push(column.clone());
            }
            return Ok(Expr::Column(column));
        }
        let Some(collector) = ctx.aggregates.as_deref_mut() else {
            return Err(QuarryError::Plan(format!(
                "Binder Error: aggregate function calls cannot be used here: {function}"
            )));
        };
        if let Some((_, column)) = collector
            .calls
            .iter()
            .find(|(existing, _)| existing == &call)
        {
            return Ok(Expr::Column(column.clone()));
        }
        let column = self.new_column(&function.to_string(), data_type, true);
        let Some(collector) = ctx.aggregates.as_deref_mut() else {
            return Err(QuarryError::Internal("aggregate collector vanished".into()));
        };
        collector.calls.push((call, column.clone()));
        Ok(Expr::Column(column))
    }
}

/// A resolved aggregate call: `count()` becomes `count(*)`, arguments are cast
/// as the accumulator reads them, a constant argument becomes the parameter.
#[derive(Debug)]
pub(super) struct AggregateSignature {
    pub func: AggregateFunction,
    pub args: Vec<Expr>,
    pub parameter: Option<AggregateParameter>,
    pub data_type: DataType,
}

/// Resolves `name(args)` as DuckDB does (except that integer SUM is BIGINT,
/// not HUGEINT): argument count and types, casts, result type.
pub(super) fn aggregate_signature(
    func: AggregateFunction,
    name: &str,
    mut args: Vec<Expr>,
) -> Result<AggregateSignature> {
    use AggregateFunction::*;
    let types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
    let no_match = || {
        let types: Vec<String> = types.iter().map(sql_type_name).collect();
        QuarryError::Plan(format!(
            "Binder Error: No function matches the given name and argument types '{name}({})'. You might need to add explicit type casts.",
            types.join(", ")
        ))
    };
    let arity = match func {
        Count if args.is_empty() => 0,
        CountStar => 0,
        QuantileCont | QuantileDisc | ArgMin | ArgMax | Corr | CovarPop | CovarSamp | RegrSlope
        | RegrIntercept | RegrCount | RegrR2 | RegrAvgx | RegrAvgy | RegrSxx | RegrSyy
        | RegrSxy => 2,
        StringAgg if args.len() == 2 => 2,
        _ => 1,
    };
    if args.len() != arity {
        return Err(no_match());
    }
    let signature = |func, args, data_type| AggregateSignature {
        func,
        args,
        parameter: None,
        data_type,
    };
    // A lone NULL argument is typed as DuckDB types it where it matters.
    let null_as = |arg: Expr, data_type: &DataType| {
        if arg.data_type() == DataType::Null {
            arg.cast_to(data_type)
        } else {
            arg
        }
    };
    let Some(arg) = args.first().cloned() else {
        return Ok(signature(CountStar, vec![], DataType::Int64));
    };
    let arg_type = arg.data_type();
    Ok(match func {
        CountStar | Count => signature(Count, args, DataType::Int64),
        Min | Max | AnyValue | First | Last | Mode => {
            let arg = null_as(arg, &DataType::Int32);
            let data_type = arg.data_type();
            signature(func, vec![arg], data_type)
        }
        Sum => match &arg_type {
            t if t.is_integer() || t == &DataType::Null => {
                signature(func, vec![arg.cast_to(&DataType::Int64)], DataType::Int64)
            }
            t if t.is_floating() => signature(
                func,
                vec![arg.cast_to(&DataType::Float64)],
                DataType::Float64,
            ),
            DataType::Decimal128(_, scale) => {
                let wide = DataType::Decimal128(38, *scale);
                signature(func, vec![arg.cast_to(&wide)], wide)
            }
            _ => return Err(no_match()),
        },
        Avg | StddevSamp | StddevPop | VarSamp | VarPop => {
            if !is_numeric(&arg_type) && arg_type != DataType::Null {
                return Err(no_match());
            }
            match &arg_type {
                // AVG of decimals sums exactly, then divides once.
                DataType::Decimal128(_, scale) if func == Avg && is_decimal(&arg_type) => {
                    signature(
                        func,
                        vec![arg.cast_to(&DataType::Decimal128(38, *scale))],
                        DataType::Float64,
                    )
                }
                _ => signature(
                    func,
                    vec![arg.cast_to(&DataType::Float64)],
                    DataType::Float64,
                ),
            }
        }
        Median => match continuous_quantile_type(&arg_type) {
            Some(data_type) => signature(func, vec![arg.cast_to(&data_type)], data_type),
            // DuckDB interpolates intervals; picking one would differ.
            None if matches!(arg_type, DataType::Interval(_)) => {
                return Err(QuarryError::NotImplemented(format!(
                    "{name} of INTERVAL values"
                )))
            }
            // Values that cannot be interpolated take the lower middle one.
            None => signature(func, vec![arg.clone()], arg_type),
        },
        QuantileCont | QuantileDisc => {
            let fraction = quantile_fraction(name, args.pop())?;
            let arg = null_as(arg, &DataType::Int32);
            let (arg, data_type) = if func == QuantileCont {
                let data_type = continuous_quantile_type(&arg.data_type()).ok_or_else(no_match)?;
                (arg.cast_to(&data_type), data_type)
            } else {
                let data_type = arg.data_type();
                (arg, data_type)
            };
            AggregateSignature {
                func,
                args: vec![arg],
                parameter: Some(AggregateParameter::Quantile(fraction)),
                data_type,
            }
        }
        StringAgg => {
            let separator = match args.get(1) {
                Some(separator) => string_constant(name, separator)?,
                None => Some(",".to_string()),
            };
            let arg = if is_string(&arg_type) {
                arg
            } else {
                arg.cast_to(&DataType::Utf8)
            };
            AggregateSignature {
                func,
                args: vec![arg],
                parameter: Some(AggregateParameter::Separator(separator)),
                data_type: DataType::Utf8,
            }
        }
        BoolAnd | BoolOr => match arg_type {
            DataType::Boolean | DataType::Null => signature(
                func,
                vec![arg.cast_to(&DataType::Boolean)],
                DataType::Boolean,
            ),
            _ => return Err(no_match()),
        },
        BitAnd | BitOr | BitXor => {
            let arg = null_as(arg, &DataType::Int32);
            let data_type = arg.data_type();
            if !data_type.is_integer() {
                return Err(no_match());
            }
            signature(func, vec![arg], data_type)
        }
        Product => {
            if !is_numeric(&arg_type) && arg_type != DataType::Null {
                return Err(no_match());
            }
            signature(
                func,
                vec![arg.cast_to(&DataType::Float64)],
                DataType::Float64,
            )
        }
        ArgMin | ArgMax => {
            let args: Vec<Expr> = args
                .into_iter()
                .map(|a| null_as(a, &DataType::Int32))
                .collect();
            let data_type = args[0].data_type();
            signature(func, args, data_type)
        }
        Corr | CovarPop | CovarSamp | RegrSlope | RegrIntercept | RegrCount | RegrR2 | RegrAvgx
        | RegrAvgy | RegrSxx | RegrSyy | RegrSxy => {
            if types.iter().any(|t| !is_numeric(t) && t != &DataType::Null) {
                return Err(no_match());
            }
            let args = args
                .into_iter()
                .map(|a| a.cast_to(&DataType::Float64))
                .collect();
            // DuckDB: regr_count is UINTEGER.
            let data_type = if func == RegrCount {
                DataType::UInt32
            } else {
                DataType::Float64
            };
            signature(func, args, data_type)
        }
    })
}

/// The type `quantile_cont` interpolates in and returns, as DuckDB: DOUBLE
/// for integers, the type itself for floats, decimals and timestamps,
/// TIMESTAMP for dates; `None` where values cannot be interpolated.
fn continuous_quantile_type(data_type: &DataType) -> Option<DataType> {
    Some(match data_type {
        t if t.is_integer() || t == &DataType::Null => DataType::Float64,
        DataType::Float32 | DataType::Float64 | DataType::Decimal128(_, _) => data_type.clone(),
        DataType::Date32 => DataType::Timestamp(TimeUnit::Microsecond, None),
        DataType::Timestamp(_, _) => data_type.clone(),
        _ => return None,
    })
}

/// The constant value of an argument DuckDB requires to be constant.
fn constant_argument(name: &str, what: &str, arg: &Expr) -> Result<crate::logical::ScalarValue> {
    let not_constant = || {
        QuarryError::Plan(format!(
            "Binder Error: The \"{what}\" argument in function \"{name}\" must be a constant expression"
        ))
    };
    if !arg.column_ids().is_empty() || arg.has_parameters() {
        return Err(not_constant());
    }
    crate::optimizer::evaluate_constant(arg)
}

/// The fraction of `quantile_cont(x, q)`: a constant in [-1, 1].
fn quantile_fraction(name: &str, arg: Option<Expr>) -> Result<f64> {
    let Some(arg) = arg else {
        return Err(QuarryError::Internal(format!("{name} without quantile")));
    };
    if !is_numeric(&arg.data_type()) && arg.data_type() != DataType::Null {
        return Err(QuarryError::Plan(format!(
            "Binder Error: the quantile of {name} must be a number, not {}",
            sql_type_name(&arg.data_type())
        )));
    }
    let value = constant_argument(name, "quantile", &arg)?;
    if value.is_null() {
        return Err(QuarryError::Plan(format!(
            "Binder Error: The \"quantile\" argument in function \"{name}\" must not be NULL"
        )));
    }
    match value.numeric() {
        Some(fraction) if (-1.0..=1.0).contains(&fraction) => Ok(fraction),
        _ => Err(QuarryError::Plan(
            "Binder Error: QUANTILE can only take parameters in the range [-1, 1]".into(),
        )),
    }
}

/// The separator of `string_agg(x, sep)`: a constant string, or NULL.
fn string_constant(name: &str, arg: &Expr) -> Result<Option<String>> {
    let data_type = arg.data_type();
    if !is_string(&data_type) && data_type != DataType::Null {
        return Err(QuarryError::Plan(format!(
            "Binder Error: the separator of {name} must be a VARCHAR, not {}",
            sql_type_name(&data_type)
        )));
    }
    let value = constant_argument(name, "arg", arg)?;
    if value.is_null() {
        return Ok(None);
    }
    value
        .cast_to(&DataType::Utf8)?
        .as_str()
        .map(Some)
        .ok_or_else(|| QuarryError::Internal("a VARCHAR constant without text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logical::ScalarValue;

    fn literal(value: ScalarValue) -> Expr {
        Expr::Literal(value)
    }

    #[test]
    fn median_of_integers_is_double_and_of_strings_the_type_itself() {
        let ints = aggregate_signature(
            AggregateFunction::Median,
            "median",
            vec![literal(ScalarValue::int64(1))],
        )
        .unwrap();
        assert_eq!(ints.data_type, DataType::Float64);
        let strings = aggregate_signature(
            AggregateFunction::Median,
            "median",
            vec![literal(ScalarValue::utf8("a"))],
        )
        .unwrap();
        assert_eq!(strings.data_type, DataType::Utf8);
    }

    #[test]
    fn quantile_outside_minus_one_to_one_is_rejected() {
        let error = aggregate_signature(
            AggregateFunction::QuantileCont,
            "quantile_cont",
            vec![
                literal(ScalarValue::int64(1)),
                literal(ScalarValue::int64(2)),
            ],
        )
        .unwrap_err();
        assert!(error.to_string().contains("range [-1, 1]"), "{error}");
    }

    #[test]
    fn string_agg_separator_defaults_to_a_comma() {
        let call = aggregate_signature(
            AggregateFunction::StringAgg,
            "string_agg",
            vec![literal(ScalarValue::int64(1))],
        )
        .unwrap();
        assert_eq!(
            call.parameter,
            Some(AggregateParameter::Separator(Some(",".into())))
        );
        assert_eq!(call.args[0].data_type(), DataType::Utf8);
    }
}
