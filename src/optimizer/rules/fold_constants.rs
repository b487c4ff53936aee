//! Evaluates constant subexpressions once, at planning time, and simplifies
//! boolean algebra with literals.
//!
//! `Filter (l_shipdate <= (DATE '1998-12-01' - INTERVAL '90' DAY))`
//! ==> `Filter (l_shipdate <= 1998-09-02T00:00:00)`
//! `x AND true` ==> `x`; `x OR true` ==> `true`; `NOT NOT x` ==> `x`;
//! `(a AND b) OR (a AND c)` ==> `a AND (b OR c)`.
//!
//! Does not fire on expressions that fail to evaluate (the error is left to
//! execution, where it is reported as the query's error), nor on those that
//! read a parameter, whose value is known only when the statement executes.

use crate::error::Result;
use crate::logical::expr::BinaryExpr;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{BinaryOp, Expr, LogicalPlan};
use crate::optimizer::{evaluate_constant, OptimizerRule};
use std::sync::Arc;

pub struct FoldConstants;

impl OptimizerRule for FoldConstants {
    fn name(&self) -> &'static str {
        "fold_constants"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            let (node, changed) = map_expressions(&node, &mut |e| fold(e))?;
            Ok(Transformed::new(node, changed))
        })?;
        Ok((result.data, result.transformed))
    }
}

/// Rewrites every expression of one node with `f`.
pub fn map_expressions(
    node: &Arc<LogicalPlan>,
    f: &mut dyn FnMut(Expr) -> Result<Transformed<Expr>>,
) -> Result<(Arc<LogicalPlan>, bool)> {
    let mut changed = false;
    let mut apply = |e: &Expr| -> Result<Expr> {
        let result = f(e.clone())?;
        changed |= result.transformed;
        Ok(result.data)
    };
    let new = match node.as_ref() {
        LogicalPlan::Filter(filter) => LogicalPlan::Filter(Filter {
            input: filter.input.clone(),
            predicate: apply(&filter.predicate)?,
        }),
        LogicalPlan::Projection(projection) => LogicalPlan::Projection(Projection {
            input: projection.input.clone(),
            exprs: projection
                .exprs
                .iter()
                .map(&mut apply)
                .collect::<Result<_>>()?,
            columns: projection.columns.clone(),
        }),
        LogicalPlan::Aggregate(aggregate) => {
            let aggregates = aggregate
                .aggregates
                .iter()
                .map(|call| call.try_map_expressions(&mut apply))
                .collect::<Result<Vec<_>>>()?;
            LogicalPlan::Aggregate(Aggregate {
                input: aggregate.input.clone(),
                group_exprs: aggregate
                    .group_exprs
                    .iter()
                    .map(&mut apply)
                    .collect::<Result<_>>()?,
                group_columns: aggregate.group_columns.clone(),
                aggregates,
                aggregate_columns: aggregate.aggregate_columns.clone(),
                grouping_sets: aggregate.grouping_sets.clone(),
                grouping_id: aggregate.grouping_id.clone(),
            })
        }
        LogicalPlan::Sort(sort) => {
            let mut keys = sort.keys.clone();
            for key in keys.iter_mut() {
                key.expr = apply(&key.expr)?;
            }
            LogicalPlan::Sort(Sort {
                input: sort.input.clone(),
                keys,
            })
        }
        LogicalPlan::Window(window) => LogicalPlan::Window(Window {
            input: window.input.clone(),
            window_exprs: window
                .window_exprs
                .iter()
                .map(|call| call.try_map_expressions(&mut |e| apply(&e)))
                .collect::<Result<_>>()?,
            window_columns: window.window_columns.clone(),
        }),
        _ => return Ok((node.clone(), false)),
    };
    Ok(if changed {
        (Arc::new(new), true)
    } else {
        (node.clone(), false)
    })
}

fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::Literal(v) if v.as_bool() == Some(true))
}

fn is_false(expr: &Expr) -> bool {
    matches!(expr, Expr::Literal(v) if v.as_bool() == Some(false))
}

/// Folds one expression bottom-up.
pub fn fold(expr: Expr) -> Result<Transformed<Expr>> {
    expr.transform_up(&mut |e| {
        Ok(match e {
            Expr::Literal(_) | Expr::Column(_) => Transformed::no(e),
            Expr::Binary(BinaryExpr {
                left,
                op: BinaryOp::And,
                right,
                ..
            }) if is_true(&left) || is_true(&right) || is_false(&left) || is_false(&right) => {
                Transformed::yes(if is_true(&left) {
                    *right
                } else if is_true(&right) || is_false(&left) {
                    *left
                } else {
                    *right
                })
            }
            Expr::Binary(BinaryExpr {
                left,
                op: BinaryOp::Or,
                right,
                ..
            }) if is_true(&left) || is_true(&right) || is_false(&left) || is_false(&right) => {
                Transformed::yes(if is_false(&left) {
                    *right
                } else if is_false(&right) || is_true(&left) {
                    *left
                } else {
                    *right
                })
            }
            Expr::Binary(BinaryExpr {
                left,
                op: BinaryOp::Or,
                right,
                data_type,
            }) => factor_disjunction(*left, *right, data_type),
            Expr::Not(inner) if matches!(inner.as_ref(), Expr::Not(_)) => match *inner {
                Expr::Not(x) => Transformed::yes(*x),
                other => Transformed::no(Expr::Not(Box::new(other))),
            },
            e if e.column_ids().is_empty() && !e.has_parameters() => match evaluate_constant(&e) {
                Ok(value) => Transformed::yes(Expr::Literal(value)),
                Err(_) => Transformed::no(e),
            },
            e => Transformed::no(e),
        })
    })
}

/// `(a AND b) OR (a AND c)` ==> `a AND (b OR c)`, so a join key repeated in
/// every branch of a disjunction (TPC-H Q19) becomes a join condition.
fn factor_disjunction(
    left: Expr,
    right: Expr,
    data_type: arrow::datatypes::DataType,
) -> Transformed<Expr> {
    let left_terms = left.clone().split_conjunction();
    let right_terms = right.clone().split_conjunction();
    let common: Vec<Expr> = left_terms
        .iter()
        .filter(|t| right_terms.contains(t))
        .cloned()
        .collect();
    if common.is_empty() {
        return Transformed::no(Expr::binary(left, BinaryOp::Or, right, data_type));
    }
    let rest =
        |terms: Vec<Expr>| Expr::conjunction(terms.into_iter().filter(|t| !common.contains(t)));
    let factored = match (rest(left_terms), rest(right_terms)) {
        // `a OR (a AND c)` is `a`.
        (None, _) | (_, None) => None,
        (Some(l), Some(r)) => Some(Expr::binary(l, BinaryOp::Or, r, data_type)),
    };
    let mut result = common.clone();
    result.extend(factored);
    match Expr::conjunction(result) {
        Some(expr) => Transformed::yes(expr),
        None => Transformed::no(Expr::binary(
            left,
            BinaryOp::Or,
            right,
            arrow::datatypes::DataType::Boolean,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logical::{ColumnRef, ScalarValue};
    use arrow::datatypes::DataType;

    fn column() -> Expr {
        Expr::Column(ColumnRef::new(1, "b", DataType::Boolean, true))
    }

    #[test]
    fn and_true_is_dropped() {
        let expr = column().and(Expr::Literal(ScalarValue::boolean(true)));
        assert_eq!(fold(expr).unwrap().data, column());
    }

    #[test]
    fn constant_arithmetic_is_evaluated() {
        let expr = Expr::binary(
            Expr::Literal(ScalarValue::int64(2)),
            BinaryOp::Plus,
            Expr::Literal(ScalarValue::int64(3)),
            DataType::Int64,
        );
        let folded = fold(expr).unwrap();
        assert!(folded.transformed);
        assert_eq!(folded.data.to_string(), "5");
    }

    #[test]
    fn common_conjunct_is_factored_out_of_a_disjunction() {
        let a = column();
        let b = Expr::Column(ColumnRef::new(2, "c", DataType::Boolean, true));
        let c = Expr::Column(ColumnRef::new(3, "d", DataType::Boolean, true));
        let expr = Expr::binary(
            a.clone().and(b.clone()),
            BinaryOp::Or,
            a.clone().and(c.clone()),
            DataType::Boolean,
        );
        let folded = fold(expr).unwrap();
        assert!(folded.transformed);
        assert_eq!(folded.data.to_string(), "(b#1 AND (c#2 OR d#3))");
    }

    #[test]
    fn expression_with_a_parameter_is_not_evaluated() {
        let parameter = Expr::Parameter(crate::logical::Parameter {
            name: "1".into(),
            data_type: DataType::Int64,
        });
        let expr = Expr::binary(
            parameter,
            BinaryOp::Plus,
            Expr::Literal(ScalarValue::int64(3)),
            DataType::Int64,
        );
        let folded = fold(expr.clone()).unwrap();
        assert!(!folded.transformed);
        assert_eq!(folded.data, expr);
    }

    #[test]
    fn or_false_keeps_the_other_side() {
        let expr = Expr::binary(
            Expr::Literal(ScalarValue::boolean(false)),
            BinaryOp::Or,
            column(),
            DataType::Boolean,
        );
        assert_eq!(fold(expr).unwrap().data, column());
    }
}
