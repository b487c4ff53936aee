//! Function calls: aggregate calls (bound in `aggregate.rs`) and window calls
//! (`window.rs`) are told apart here; functions the binder types itself
//! (COALESCE, NULLIF, GREATEST, LEAST) and the scalar functions of
//! `execution::functions::scalar` are bound here.

use super::aggregate::AggregateCall;
use super::expr::bind_generic_function;
use super::scope::closest;
use super::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::execution::functions::scalar;
use crate::logical::expr::ScalarFunctionExpr;
use crate::logical::{AggregateFunction, Expr};
use arrow::datatypes::DataType;
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};

const GENERIC_FUNCTIONS: &[&str] = &["coalesce", "ifnull", "greatest", "least", "nullif"];

impl Binder<'_> {
    pub(super) fn bind_function(
        &mut self,
        function: &ast::Function,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let name = function.name.to_string().to_lowercase();
        let mut order_by: &[ast::OrderByExpr] = &[];
        let (distinct, arg_list) = match &function.args {
            FunctionArguments::None => (false, vec![]),
            FunctionArguments::List(list) => {
                for clause in &list.clauses {
                    match clause {
                        ast::FunctionArgumentClause::OrderBy(_) if function.over.is_some() => {
                            return Err(QuarryError::NotImplemented(format!(
                                "ORDER BY inside the arguments of the window aggregate {name}"
                            )))
                        }
                        ast::FunctionArgumentClause::OrderBy(keys) => order_by = keys,
                        other => {
                            return Err(QuarryError::NotImplemented(format!(
                                "{other} inside the arguments of {name}"
                            )))
                        }
                    }
                }
                (
                    matches!(
                        list.duplicate_treatment,
                        Some(ast::DuplicateTreatment::Distinct)
                    ),
                    list.args.clone(),
                )
            }
            FunctionArguments::Subquery(_) => {
                return Err(QuarryError::NotImplemented(
                    "a subquery as a function argument".into(),
                ))
            }
        };
        if !function.within_group.is_empty() {
            return Err(QuarryError::NotImplemented(format!(
                "WITHIN GROUP (ORDER BY ..) for {name}"
            )));
        }
        if let Some(over) = &function.over {
            return self.bind_window(&name, distinct, &arg_list, over, function, ctx);
        }
        if let Some(func) = AggregateFunction::from_name(&name) {
            let call = AggregateCall {
                func,
                name: &name,
                distinct,
                args: &arg_list,
                order_by,
            };
            return self.bind_aggregate(call, function, ctx);
        }
        if !order_by.is_empty() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: ORDER BY applies only to aggregate functions, not {name}"
            )));
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
                .chain(AggregateFunction::NAMES.iter().copied())
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
}
