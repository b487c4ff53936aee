//! Feeds an aggregate only the rows whose group keys the other side of an
//! inner join can match: a semi join with that side goes below the
//! aggregate, so groups the join would drop are never built (DuckDB's
//! delim join does this for decorrelated subqueries).
//!
//! `Join Inner on [l_partkey#30 = p_partkey#17] <- (Aggregate [l_partkey#30],
//! [avg(..)] <- Scan lineitem, Filter <- Scan part)`
//! ==> `Join Inner on [l_partkey#30 = p_partkey#17] <- (Aggregate
//! [l_partkey#30], [avg(..)] <- Join LeftSemi on [l_partkey#30 =
//! p_partkey#17] <- (Scan lineitem, Filter <- Scan part), Filter <- Scan
//! part)`
//!
//! The other side is evaluated twice, so the rule fires only when it is
//! estimated at least 8 times smaller than the aggregate's output. Keys are
//! followed through projections that rename group columns. Does not fire
//! for grouping sets, joins other than inner, or an aggregate whose input
//! already is a semi join.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{ColumnId, Expr, LogicalPlan};
use crate::optimizer::cost::estimate_rows;
use crate::optimizer::OptimizerRule;
use std::sync::Arc;

/// How much smaller than the aggregate's groups the other side must be.
const MIN_REDUCTION: f64 = 8.0;

pub struct FilterAggregateInputByJoin;

impl OptimizerRule for FilterAggregateInputByJoin {
    fn name(&self) -> &'static str {
        "filter_aggregate_input_by_join"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            Ok(match rewrite_join(&node) {
                Some(new) => Transformed::yes(new),
                None => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

fn rewrite_join(node: &LogicalPlan) -> Option<Arc<LogicalPlan>> {
    let LogicalPlan::Join(join) = node else {
        return None;
    };
    if join.join_type != JoinType::Inner
        || join.dependent
        || join.null_aware
        || join.null_equals_null
    {
        return None;
    }
    // The aggregate on the right, or on the left with the pairs swapped.
    let right_keys: Vec<(Expr, Expr)> = join.on.clone();
    let left_keys: Vec<(Expr, Expr)> = join
        .on
        .iter()
        .map(|(l, r)| (r.clone(), l.clone()))
        .collect();
    if let Some(right) = filtered(&join.right, &join.left, &right_keys) {
        return Some(Arc::new(LogicalPlan::Join(Join {
            right,
            ..join.clone()
        })));
    }
    let left = filtered(&join.left, &join.right, &left_keys)?;
    Some(Arc::new(LogicalPlan::Join(Join {
        left,
        ..join.clone()
    })))
}

/// `side` (projections over an aggregate) with the aggregate's input
/// semi-joined to `other` on the keys of `pairs` (other's key, side's key)
/// that are group columns.
fn filtered(
    side: &Arc<LogicalPlan>,
    other: &Arc<LogicalPlan>,
    pairs: &[(Expr, Expr)],
) -> Option<Arc<LogicalPlan>> {
    match side.as_ref() {
        LogicalPlan::Projection(projection) => {
            let renamed: Vec<(Expr, Expr)> = pairs
                .iter()
                .filter_map(|(o, s)| {
                    let Expr::Column(c) = s else { return None };
                    let i = projection.columns.iter().position(|p| p.id == c.id)?;
                    matches!(projection.exprs[i], Expr::Column(_))
                        .then(|| (o.clone(), projection.exprs[i].clone()))
                })
                .collect();
            let input = filtered(&projection.input, other, &renamed)?;
            Some(Arc::new(LogicalPlan::Projection(Projection {
                input,
                ..projection.clone()
            })))
        }
        LogicalPlan::Aggregate(aggregate) => {
            if !aggregate.grouping_sets.is_empty()
                || matches!(aggregate.input.as_ref(), LogicalPlan::Join(j) if j.join_type == JoinType::Semi)
            {
                return None;
            }
            let on: Vec<(Expr, Expr)> = pairs
                .iter()
                .filter_map(|(o, s)| {
                    let Expr::Column(c) = s else { return None };
                    let i = group_index(aggregate, c.id)?;
                    Some((aggregate.group_exprs[i].clone(), o.clone()))
                })
                .collect();
            if on.is_empty() || estimate_rows(other) * MIN_REDUCTION > estimate_rows(side) {
                return None;
            }
            let input = Arc::new(LogicalPlan::Join(Join {
                left: aggregate.input.clone(),
                right: other.clone(),
                join_type: JoinType::Semi,
                on,
                filter: None,
                null_aware: false,
                null_equals_null: false,
                dependent: false,
            }));
            Some(Arc::new(LogicalPlan::Aggregate(Aggregate {
                input,
                ..aggregate.clone()
            })))
        }
        _ => None,
    }
}

fn group_index(aggregate: &Aggregate, id: ColumnId) -> Option<usize> {
    aggregate.group_columns.iter().position(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, run};

    #[test]
    fn join_keys_filter_the_rows_an_aggregate_groups() {
        let (plan, changed) = run(
            &FilterAggregateInputByJoin,
            bind(
                "SELECT * FROM (SELECT a, sum(b) AS s FROM t1 GROUP BY a) g \
                 JOIN t3 ON g.a = t3.x",
            ),
        );
        assert!(changed, "{plan}");
        let lines: Vec<&str> = plan.lines().map(str::trim).collect();
        let aggregate = lines
            .iter()
            .position(|l| l.starts_with("Aggregate"))
            .unwrap();
        assert!(
            lines[aggregate + 1].starts_with("Join LeftSemi on [a#1 = x#"),
            "{plan}"
        );
    }

    #[test]
    fn a_join_on_an_aggregated_value_is_left_alone() {
        let (plan, changed) = run(
            &FilterAggregateInputByJoin,
            bind(
                "SELECT * FROM (SELECT a, sum(b) AS s FROM t1 GROUP BY a) g \
                 JOIN t3 ON g.s = t3.x",
            ),
        );
        assert!(!changed, "{plan}");
    }

    #[test]
    fn outer_joins_are_left_alone() {
        let (plan, changed) = run(
            &FilterAggregateInputByJoin,
            bind(
                "SELECT * FROM t3 LEFT JOIN (SELECT a, sum(b) AS s FROM t1 GROUP BY a) g \
                 ON g.a = t3.x",
            ),
        );
        assert!(!changed, "{plan}");
    }
}
