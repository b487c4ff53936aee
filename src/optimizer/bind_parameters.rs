//! Binds values to the parameters of an optimized plan when a prepared
//! statement executes. Not a rule of the batches: it runs once per
//! execution, after the optimizer and before the physical planner.
//!
//! `Filter (l_orderkey#1 < $1)` with `$1 = 10000`
//! ==> `Filter (l_orderkey#1 < 10000)`
//! `Limit $1 offset 0` with `$1 = 5` ==> `Limit 5 offset 0`
//!
//! Each parameter becomes its value cast to the parameter's type (CAST's
//! rules; an impossible cast names the parameter) and the expressions that
//! held parameters are folded, so the physical planner's Parquet pruning
//! compares columns with literals. Nodes without parameters are shared
//! untouched.

use crate::binder::count_value;
use crate::binder::types::sql_type_name;
use crate::error::{QuarryError, Result};
use crate::logical::parameter::LimitParameters;
use crate::logical::plan::{Join, Limit, Scan, Values};
use crate::logical::tree_node::Transformed;
use crate::logical::{Expr, LogicalPlan, ScalarValue};
use crate::optimizer::evaluate_constant;
use crate::optimizer::rules::{fold, map_expressions};
use std::collections::HashMap;
use std::sync::Arc;

/// `plan` with every parameter replaced by its value from `values` (by
/// parameter name: `1`, `2`, .. or the name of `$name`).
pub fn bind_parameters(
    plan: Arc<LogicalPlan>,
    values: &HashMap<String, ScalarValue>,
) -> Result<Arc<LogicalPlan>> {
    let result = LogicalPlan::transform_up(plan, &mut |node| {
        if !node.expressions().iter().any(|e| e.has_parameters()) {
            return Ok(Transformed::no(node));
        }
        Ok(Transformed::yes(bind_node(&node, values)?))
    })?;
    Ok(result.data)
}

fn bind_node(
    node: &Arc<LogicalPlan>,
    values: &HashMap<String, ScalarValue>,
) -> Result<Arc<LogicalPlan>> {
    let bind = |expr: &Expr| bind_expr(expr.clone(), values);
    let new = match node.as_ref() {
        LogicalPlan::Scan(scan) => LogicalPlan::Scan(Scan {
            filters: scan.filters.iter().map(bind).collect::<Result<_>>()?,
            ..scan.clone()
        }),
        LogicalPlan::Values(node) => LogicalPlan::Values(Values {
            columns: node.columns.clone(),
            rows: node
                .rows
                .iter()
                .map(|row| row.iter().map(bind).collect::<Result<_>>())
                .collect::<Result<_>>()?,
        }),
        LogicalPlan::Join(join) => LogicalPlan::Join(Join {
            on: join
                .on
                .iter()
                .map(|(l, r)| Ok((bind(l)?, bind(r)?)))
                .collect::<Result<_>>()?,
            filter: join.filter.as_ref().map(bind).transpose()?,
            ..join.clone()
        }),
        LogicalPlan::Limit(limit) => {
            let value = |expr: &Expr| evaluate_constant(&bind(expr)?);
            // `LIMIT NULL` is no limit, as written in the query.
            let fetch = match &limit.parameters.fetch {
                Some(expr) => Some(value(expr)?)
                    .filter(|v| !v.is_null())
                    .map(|v| count_value(&v, "LIMIT"))
                    .transpose()?,
                None => limit.fetch,
            };
            let skip = match &limit.parameters.skip {
                Some(expr) => count_value(&value(expr)?, "OFFSET")?,
                None => limit.skip,
            };
            LogicalPlan::Limit(Limit {
                input: limit.input.clone(),
                skip,
                fetch,
                parameters: LimitParameters::default(),
            })
        }
        _ => {
            return Ok(
                map_expressions(node, &mut |e| Ok(Transformed::yes(bind_expr(e, values)?)))?.0,
            )
        }
    };
    Ok(Arc::new(new))
}

/// One expression with its parameters replaced, then folded.
fn bind_expr(expr: Expr, values: &HashMap<String, ScalarValue>) -> Result<Expr> {
    if !expr.has_parameters() {
        return Ok(expr);
    }
    let bound = expr.transform_up(&mut |e| {
        let Expr::Parameter(parameter) = &e else {
            return Ok(Transformed::no(e));
        };
        let value = values.get(&parameter.name).ok_or_else(|| {
            QuarryError::Plan(format!(
                "Invalid Input Error: no value was given for parameter {parameter}"
            ))
        })?;
        let cast = value.cast_to(&parameter.data_type).map_err(|error| {
            let message = error.to_string();
            QuarryError::Execution(format!(
                "Conversion Error: parameter {parameter} ({}): {}",
                sql_type_name(&parameter.data_type),
                shorten(message.trim_start_matches("Conversion Error: "))
            ))
        })?;
        Ok(Transformed::yes(Expr::Literal(cast)))
    })?;
    Ok(fold(bound.data)?.data)
}

/// An error message that may quote a long value, cut short.
fn shorten(text: &str) -> String {
    const LIMIT: usize = 200;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}
