//! Moves a semi or anti join below an inner join to the input whose columns
//! its condition reads, when that input is estimated no larger than the
//! join's output: the semi join filters fewer rows there, and every join
//! above then sees only the rows that pass.
//!
//! `Join LeftSemi on [o_orderkey#9 = l_orderkey#34] <- (Join Inner on
//! [o_custkey#10 = c_custkey#1] <- (orders, customer), subquery)`
//! ==> `Join Inner on [o_custkey#10 = c_custkey#1] <- (Join LeftSemi on
//! [o_orderkey#9 = l_orderkey#34] <- (orders, subquery), customer)`
//!
//! Projections that pass the condition's columns through are crossed too.
//! Does not fire for null-aware (NOT IN) or correlated joins, nor when the
//! inner join shrinks its input (Q21's EXISTS stays above the joins that
//! filter lineitem by supplier nation), nor when the condition reads both
//! inputs.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{ColumnId, LogicalPlan};
use crate::optimizer::cost::estimate_rows;
use crate::optimizer::OptimizerRule;
use std::collections::HashSet;
use std::sync::Arc;

pub struct PushDownSemiJoin;

impl OptimizerRule for PushDownSemiJoin {
    fn name(&self) -> &'static str {
        "push_down_semi_join"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_down(plan, &mut |node| {
            Ok(match push_down(&node) {
                Some(new) => Transformed::yes(new),
                None => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

/// The left-side columns the semi join's condition reads.
fn left_columns_read(join: &Join) -> HashSet<ColumnId> {
    let right: HashSet<ColumnId> = join.right.columns().iter().map(|c| c.id).collect();
    let mut read = HashSet::new();
    for condition in join.conditions() {
        condition.collect_columns(&mut read);
    }
    read.retain(|id| !right.contains(id));
    read
}

fn push_down(node: &LogicalPlan) -> Option<Arc<LogicalPlan>> {
    let LogicalPlan::Join(semi) = node else {
        return None;
    };
    if !matches!(semi.join_type, JoinType::Semi | JoinType::Anti)
        || semi.null_aware
        || semi.dependent
    {
        return None;
    }
    let read = left_columns_read(semi);
    let rows_now = estimate_rows(&semi.left);
    let pushed = sink(&semi.left, semi, &read, rows_now)?;
    Some(pushed)
}

/// `semi` applied inside `input` (its current left side) below an inner
/// join, or `None` when no place below is better.
fn sink(
    input: &Arc<LogicalPlan>,
    semi: &Join,
    read: &HashSet<ColumnId>,
    rows_now: f64,
) -> Option<Arc<LogicalPlan>> {
    let contains = |plan: &LogicalPlan| {
        let ids: HashSet<ColumnId> = plan.columns().iter().map(|c| c.id).collect();
        read.is_subset(&ids)
    };
    match input.as_ref() {
        LogicalPlan::Projection(projection) if contains(&projection.input) => {
            let inner = sink(&projection.input, semi, read, rows_now)?;
            Some(Arc::new(LogicalPlan::Projection(Projection {
                input: inner,
                ..projection.clone()
            })))
        }
        LogicalPlan::Join(join) if join.join_type == JoinType::Inner && !join.dependent => {
            let (side_is_left, side) = if contains(&join.left) {
                (true, &join.left)
            } else if contains(&join.right) {
                (false, &join.right)
            } else {
                return None;
            };
            if estimate_rows(side) > rows_now {
                return None;
            }
            let filtered = Arc::new(LogicalPlan::Join(Join {
                left: side.clone(),
                ..semi.clone()
            }));
            let (left, right) = if side_is_left {
                (filtered, join.right.clone())
            } else {
                (join.left.clone(), filtered)
            };
            Some(Arc::new(LogicalPlan::Join(Join {
                left,
                right,
                ..join.clone()
            })))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, run};
    use crate::optimizer::rules::DecorrelateSubqueries;

    #[test]
    fn semi_join_moves_to_the_input_its_keys_come_from() {
        let (plan, changed) = run(
            &PushDownSemiJoin,
            bind("SELECT * FROM t1 JOIN t3 ON t1.b = t3.y WHERE t1.a IN (SELECT a FROM t2)"),
        );
        assert!(changed, "{plan}");
        let lines: Vec<&str> = plan.lines().map(str::trim).collect();
        let inner = lines
            .iter()
            .position(|l| l.starts_with("Join Inner"))
            .unwrap();
        let semi = lines
            .iter()
            .position(|l| l.starts_with("Join LeftSemi"))
            .unwrap();
        assert!(inner < semi, "{plan}");
        assert!(lines[semi + 1].starts_with("Scan t1"), "{plan}");
    }

    #[test]
    fn condition_over_both_inputs_stays_above_the_join() {
        let plan = bind(
            "SELECT * FROM t1 JOIN t3 ON t1.b = t3.y \
             WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a AND t2.b = t3.x)",
        );
        let (plan, _) = DecorrelateSubqueries.rewrite(plan).unwrap();
        let (plan, changed) = run(&PushDownSemiJoin, plan);
        assert!(!changed, "{plan}");
    }

    #[test]
    fn not_in_is_never_moved() {
        let (plan, changed) = run(
            &PushDownSemiJoin,
            bind("SELECT * FROM t1 JOIN t3 ON t1.b = t3.y WHERE t1.a NOT IN (SELECT a FROM t2)"),
        );
        assert!(!changed, "{plan}");
    }
}
