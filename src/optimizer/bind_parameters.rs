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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::bind;

    fn values(pairs: &[(&str, ScalarValue)]) -> HashMap<String, ScalarValue> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect()
    }

    #[test]
    fn parameters_become_literals_of_their_types() {
        let plan = bind("SELECT a FROM t1 WHERE a = $1 AND c = $2");
        let values = values(&[("1", ScalarValue::utf8("5")), ("2", ScalarValue::int64(7))]);
        let bound = bind_parameters(plan, &values).unwrap();
        assert_eq!(
            bound.display_indent(),
            "Project [a#1]\n  Filter ((a#1 = 5) AND (c#3 = '7'))\n    Scan t1 [a#1, b#2, c#3]\n"
        );
    }

    #[test]
    fn limit_parameters_become_counts() {
        let plan = bind("SELECT a FROM t1 LIMIT $1 OFFSET $2");
        let values = values(&[("1", ScalarValue::int64(3)), ("2", ScalarValue::utf8("4"))]);
        let bound = bind_parameters(plan, &values).unwrap();
        assert!(bound.display_indent().starts_with("Limit 3 offset 4"));
        let negative = [("1", ScalarValue::int64(-1)), ("2", ScalarValue::int64(0))];
        let error = bind_parameters(
            bind("SELECT a FROM t1 LIMIT $1 OFFSET $2"),
            &self::values(&negative),
        );
        assert!(error
            .unwrap_err()
            .to_string()
            .contains("LIMIT must be a non-negative integer"));
    }

    #[test]
    fn declared_type_cast_is_folded_to_a_literal() {
        let mut binder_plan = bind("SELECT a FROM t1 WHERE b < CAST($1 AS BIGINT)");
        binder_plan =
            bind_parameters(binder_plan, &values(&[("1", ScalarValue::int64(9))])).unwrap();
        assert!(
            binder_plan
                .display_indent()
                .contains("(CAST(b#2 AS BIGINT) < 9)"),
            "{}",
            binder_plan.display_indent()
        );
    }

    #[test]
    fn value_that_does_not_cast_names_the_parameter() {
        let plan = bind("SELECT a FROM t1 WHERE a = $1");
        let error = bind_parameters(plan, &values(&[("1", ScalarValue::utf8("x"))])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Conversion Error: parameter $1 (INTEGER): Could not convert string 'x' to INTEGER"
        );
    }

    #[test]
    fn nodes_without_parameters_are_shared() {
        let plan = bind("SELECT a FROM t1 WHERE a = $1");
        let bound =
            bind_parameters(plan.clone(), &values(&[("1", ScalarValue::int64(1))])).unwrap();
        let scan = |p: &Arc<LogicalPlan>| p.children()[0].children()[0].clone();
        assert!(Arc::ptr_eq(&scan(&plan), &scan(&bound)));
    }
}
