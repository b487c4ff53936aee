//! Function calls: aggregates (collected for the enclosing SELECT), functions
//! the binder types itself (COALESCE, NULLIF, GREATEST, LEAST), and the scalar
//! functions of `execution::functions::scalar`.

use super::expr::{bind_generic_function, to_boolean};
use super::scope::closest;
use super::types::{is_decimal, is_numeric, sql_type_name};
use super::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::execution::functions::scalar;
use crate::logical::expr::ScalarFunctionExpr;
use crate::logical::{AggregateExpr, AggregateFunction, Expr};
use arrow::datatypes::DataType;
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};

const GENERIC_FUNCTIONS: &[&str] = &["coalesce", "ifnull", "greatest", "least", "nullif"];
const AGGREGATE_NAMES: &[&str] = &[
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
];

impl Binder<'_> {
    pub(super) fn bind_function(
        &mut self,
        function: &ast::Function,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let name = function.name.to_string().to_lowercase();
        let (distinct, arg_list) = match &function.args {
            FunctionArguments::None => (false, vec![]),
            FunctionArguments::List(list) => (
                matches!(
                    list.duplicate_treatment,
                    Some(ast::DuplicateTreatment::Distinct)
                ),
                list.args.clone(),
            ),
            FunctionArguments::Subquery(_) => {
                return Err(QuarryError::NotImplemented(
                    "a subquery as a function argument".into(),
                ))
            }
        };
        if let Some(over) = &function.over {
            return self.bind_window(&name, distinct, &arg_list, over, function, ctx);
        }
        if let Some(func) = AggregateFunction::from_name(&name) {
            return self.bind_aggregate(func, &name, distinct, &arg_list, function, ctx);
        }
        if distinct || function.filter.is_some() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: DISTINCT and FILTER apply only to aggregate functions, not {name}"
            )));
        }
        let mut args = vec![];
        for arg in &arg_list {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => {
                    args.push(self.bind_expr(expr, ctx)?)
                }
                other => {
                    return Err(QuarryError::Plan(format!(
                        "Binder Error: unsupported argument {other} to {name}"
                    )))
                }
            }
        }
        if name == "grouping" {
            if ctx.aggregates.is_none() || args.is_empty() {
                return Err(QuarryError::Plan(
                    "Binder Error: GROUPING needs grouping columns and is allowed only where aggregates are".into(),
                ));
            }
            // Replaced by a computation on the grouping id once GROUP BY is bound.
            return Ok(Expr::ScalarFunction(ScalarFunctionExpr {
                name,
                args,
                data_type: DataType::Int64,
            }));
        }
        if let Some(expr) = bind_generic_function(&name, args.clone())? {
            return Ok(expr);
        }
        self.call_scalar(&name, args)
    }

    /// A call of a scalar function from the registry, with arguments cast to
    /// the types it resolved.
    pub(super) fn call_scalar(&mut self, name: &str, args: Vec<Expr>) -> Result<Expr> {
        if !scalar::is_scalar_function(name) {
            let known = scalar::scalar_function_names()
                .chain(GENERIC_FUNCTIONS.iter().copied())
                .chain(AGGREGATE_NAMES.iter().copied())
                .map(|s| s.to_string());
            let message =
                format!("Catalog Error: Scalar Function with name {name} does not exist!");
            return Err(QuarryError::Plan(match closest(name, known) {
                Some(suggestion) => format!("{message} Did you mean \"{suggestion}\"?"),
                None => message,
            }));
        }
        let arg_types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
        let (input_types, mut data_type) = scalar::resolve(name, &arg_types)?;
        // DuckDB: round(DECIMAL(p, s), n) with a constant n is DECIMAL(p, n),
        // n clamped to 0..=s.
        if let (Some(DataType::Decimal128(precision, scale)), Some(Expr::Literal(places))) =
            (arg_types.first(), args.get(1))
        {
            if name == "round" {
                if let Some(places) = places.as_i64() {
                    let scale = places.clamp(0, *scale as i64) as i8;
                    data_type = DataType::Decimal128(*precision, scale);
                }
            }
        }
        let args = args
            .into_iter()
            .zip(input_types.iter())
            .map(|(arg, target)| arg.cast_to(target))
            .collect();
        Ok(Expr::ScalarFunction(ScalarFunctionExpr {
            name: name.to_string(),
            args,
            data_type,
        }))
    }

    fn bind_aggregate(
        &mut self,
        func: AggregateFunction,
        name: &str,
        distinct: bool,
        arg_list: &[FunctionArg],
        function: &ast::Function,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        // Arguments of an aggregate are bound without aggregates: no nesting.
        let mut inner = ExprContext::new(ctx.scope);
        let (func, arg) = match arg_list {
            [] if func == AggregateFunction::Count => (AggregateFunction::CountStar, None),
            [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]
                if func == AggregateFunction::Count =>
            {
                (AggregateFunction::CountStar, None)
            }
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))] => {
                (func, Some(self.bind_expr(expr, &mut inner)?))
            }
            _ => {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: {name} takes exactly one argument"
                )))
            }
        };
        let filter = function
            .filter
            .as_ref()
            .map(|f| {
                self.bind_expr(f, &mut inner)
                    .and_then(|f| to_boolean(f, "FILTER"))
            })
            .transpose()?;
        let (arg, data_type) = aggregate_signature(func, name, arg)?;
        let call = AggregateExpr {
            func,
            arg,
            distinct,
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

/// The argument (cast as the accumulator needs it) and result type of an
/// aggregate, following DuckDB (except that integer SUM is BIGINT, not HUGEINT).
pub(super) fn aggregate_signature(
    func: AggregateFunction,
    name: &str,
    arg: Option<Expr>,
) -> Result<(Option<Expr>, DataType)> {
    use AggregateFunction::*;
    let Some(arg) = arg else {
        return Ok((None, DataType::Int64));
    };
    let arg_type = arg.data_type();
    let wrong_type = || {
        QuarryError::Plan(format!(
            "Binder Error: No function matches {name}({})",
            sql_type_name(&arg_type)
        ))
    };
    Ok(match func {
        CountStar | Count => (Some(arg), DataType::Int64),
        Min | Max => {
            let arg = if arg_type == DataType::Null {
                arg.cast_to(&DataType::Int32)
            } else {
                arg
            };
            let data_type = arg.data_type();
            (Some(arg), data_type)
        }
        Sum => match &arg_type {
            t if t.is_integer() || t == &DataType::Null => {
                (Some(arg.cast_to(&DataType::Int64)), DataType::Int64)
            }
            t if t.is_floating() => (Some(arg.cast_to(&DataType::Float64)), DataType::Float64),
            DataType::Decimal128(_, scale) => {
                let wide = DataType::Decimal128(38, *scale);
                (Some(arg.cast_to(&wide)), wide)
            }
            _ => return Err(wrong_type()),
        },
        Avg | StddevSamp | StddevPop | VarSamp | VarPop => {
            if !is_numeric(&arg_type) && arg_type != DataType::Null {
                return Err(wrong_type());
            }
            match &arg_type {
                // AVG of decimals sums exactly, then divides once.
                DataType::Decimal128(_, scale) if func == Avg && is_decimal(&arg_type) => (
                    Some(arg.cast_to(&DataType::Decimal128(38, *scale))),
                    DataType::Float64,
                ),
                _ => (Some(arg.cast_to(&DataType::Float64)), DataType::Float64),
            }
        }
    })
}
