//! Turns an outer join into a less outer one when a filter above it drops
//! every row the outer join pads with NULLs:
//!
//! `Filter (b#2 > 1) <- Join LeftOuter on [a#1 = b#2] <- (t1, t2)`
//! ==> `Filter (b#2 > 1) <- Join Inner on [a#1 = b#2] <- (t1, t2)`
//!
//! A conjunct rejects NULLs of a side when it cannot be true while a column
//! of that side is NULL: a comparison, LIKE, IN or IS NOT NULL over such a
//! column (or over arithmetic, casts or concatenation of it), an AND with
//! one such branch, an OR whose every branch is one. LEFT becomes INNER when
//! the right side is rejected, RIGHT becomes INNER when the left side is,
//! FULL becomes LEFT, RIGHT or INNER. The filter stays; `push_down_filter`
//! moves it afterwards.
//!
//! Does not fire for IS NULL, IS DISTINCT FROM, COALESCE, CASE, NOT or
//! function calls (they can be true on NULL), nor on a null-aware join.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{BinaryOp, ColumnId, Expr, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::collections::HashSet;
use std::sync::Arc;

pub struct EliminateOuterJoin;

impl OptimizerRule for EliminateOuterJoin {
    fn name(&self) -> &'static str {
        "eliminate_outer_join"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            Ok(match eliminate(&node) {
                Some(new) => Transformed::yes(new),
                None => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

fn eliminate(node: &LogicalPlan) -> Option<Arc<LogicalPlan>> {
    let LogicalPlan::Filter(filter) = node else {
        return None;
    };
    let LogicalPlan::Join(join) = filter.input.as_ref() else {
        return None;
    };
    if join.null_aware
        || !matches!(
            join.join_type,
            JoinType::Left | JoinType::Right | JoinType::Full
        )
    {
        return None;
    }
    let rejects = |side: &Arc<LogicalPlan>| {
        let ids: HashSet<ColumnId> = side.columns().iter().map(|c| c.id).collect();
        rejects_nulls(&filter.predicate, &ids)
    };
    let (left, right) = (rejects(&join.left), rejects(&join.right));
    let join_type = match (join.join_type, left, right) {
        (JoinType::Left, _, true) | (JoinType::Right, true, _) | (JoinType::Full, true, true) => {
            JoinType::Inner
        }
        (JoinType::Full, true, false) => JoinType::Left,
        (JoinType::Full, false, true) => JoinType::Right,
        _ => return None,
    };
    Some(Arc::new(LogicalPlan::Filter(Filter {
        input: Arc::new(LogicalPlan::Join(Join {
            join_type,
            ..join.clone()
        })),
        predicate: filter.predicate.clone(),
    })))
}

/// Whether `predicate` cannot be true when every column of `side` is NULL.
fn rejects_nulls(predicate: &Expr, side: &HashSet<ColumnId>) -> bool {
    let any_strict = |exprs: &[&Expr]| exprs.iter().any(|e| !strict(e).is_disjoint(side));
    match predicate {
        Expr::Binary(binary) => match binary.op {
            BinaryOp::And => {
                rejects_nulls(&binary.left, side) || rejects_nulls(&binary.right, side)
            }
            BinaryOp::Or => rejects_nulls(&binary.left, side) && rejects_nulls(&binary.right, side),
            BinaryOp::IsDistinctFrom | BinaryOp::IsNotDistinctFrom => false,
            op if op.is_comparison() => any_strict(&[&binary.left, &binary.right]),
            _ => false,
        },
        Expr::Like(like) => any_strict(&[&like.expr, &like.pattern]),
        Expr::InList(in_list) => any_strict(&[&in_list.expr]),
        Expr::IsNotNull(inner) => any_strict(&[inner]),
        _ => false,
    }
}

/// Columns any of which, when NULL, makes `expr` NULL.
fn strict(expr: &Expr) -> HashSet<ColumnId> {
    match expr {
        Expr::Column(column) => HashSet::from([column.id]),
        Expr::Cast(cast) => strict(&cast.expr),
        Expr::Negative(inner) => strict(inner),
        Expr::Binary(binary)
            if matches!(
                binary.op,
                BinaryOp::Plus
                    | BinaryOp::Minus
                    | BinaryOp::Multiply
                    | BinaryOp::Divide
                    | BinaryOp::IntegerDivide
                    | BinaryOp::Modulo
                    | BinaryOp::StringConcat
            ) =>
        {
            let mut out = strict(&binary.left);
            out.extend(strict(&binary.right));
            out
        }
        _ => HashSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, rewrite, run};

    fn join_line(sql: &str) -> String {
        rewrite(&EliminateOuterJoin, sql)
            .lines()
            .find(|line| line.trim_start().starts_with("Join"))
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    #[test]
    fn comparison_on_the_null_side_makes_a_left_join_inner() {
        assert_eq!(
            join_line("SELECT * FROM t1 LEFT JOIN t3 ON a = x WHERE y + 1 > 2"),
            "Join Inner on [a#1 = x#4]"
        );
    }

    #[test]
    fn full_join_keeps_the_side_nothing_rejects() {
        assert_eq!(
            join_line("SELECT * FROM t1 FULL JOIN t3 ON a = x WHERE t1.b = 1"),
            "Join LeftOuter on [a#1 = x#4]"
        );
        assert_eq!(
            join_line("SELECT * FROM t1 FULL JOIN t3 ON a = x WHERE CAST(y AS VARCHAR) LIKE '1%' OR x IN (1, 2)"),
            "Join RightOuter on [a#1 = x#4]"
        );
        assert_eq!(
            join_line("SELECT * FROM t1 FULL JOIN t3 ON a = x WHERE y IS NOT NULL AND b < 3"),
            "Join Inner on [a#1 = x#4]"
        );
    }

    #[test]
    fn predicates_true_on_null_keep_the_outer_join() {
        for predicate in [
            "y IS NULL",
            "coalesce(y, 0) = 0",
            "y IS DISTINCT FROM 1",
            "CASE WHEN y IS NULL THEN true ELSE false END",
            "y = 1 OR b = 2",
        ] {
            let sql = format!("SELECT * FROM t1 LEFT JOIN t3 ON a = x WHERE {predicate}");
            let (_, changed) = run(&EliminateOuterJoin, bind(&sql));
            assert!(!changed, "{predicate}");
        }
    }
}
