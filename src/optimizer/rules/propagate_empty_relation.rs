//! Replaces subtrees that can produce no row by an empty relation with the
//! same columns, bottom-up, so an impossible predicate removes the scans and
//! joins it makes useless.
//!
//! `Project [a#1] <- Filter false <- Scan t` ==> `EmptyRelation rows=0`
//!
//! Empty are: a filter whose predicate is `false` or NULL; a projection,
//! filter, sort, limit, window or distinct over an empty input; an aggregate
//! with group keys over an empty input; an inner or semi join with an empty
//! side; an outer join whose preserved sides are empty; an anti join with an
//! empty left. An anti join with an empty right is its left input (even
//! null-aware: `x NOT IN (empty)` is true). Empty UNION inputs are dropped;
//! a union left with one input becomes a projection renaming its columns to
//! the union's.
//!
//! Does not fire on an aggregate without group keys (or with a grouping set
//! of no keys): over no rows it still returns one row.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{Expr, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::sync::Arc;

pub struct PropagateEmptyRelation;

impl OptimizerRule for PropagateEmptyRelation {
    fn name(&self) -> &'static str {
        "propagate_empty_relation"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            Ok(match propagate(&node) {
                Some(new) => Transformed::yes(new),
                None => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

fn is_empty(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::EmptyRelation(empty) if !empty.produce_one_row)
}

fn empty(plan: &LogicalPlan) -> Arc<LogicalPlan> {
    Arc::new(LogicalPlan::EmptyRelation(EmptyRelation {
        produce_one_row: false,
        columns: plan.columns(),
    }))
}

/// `node` replaced when it can produce no row, or by what remains of it.
fn propagate(node: &Arc<LogicalPlan>) -> Option<Arc<LogicalPlan>> {
    let empty_child = node.children().iter().any(|c| is_empty(c));
    match node.as_ref() {
        LogicalPlan::Filter(filter) => {
            let never = matches!(&filter.predicate,
                Expr::Literal(v) if v.is_null() || v.as_bool() == Some(false));
            (never || empty_child).then(|| empty(node))
        }
        LogicalPlan::Projection(_)
        | LogicalPlan::Sort(_)
        | LogicalPlan::Limit(_)
        | LogicalPlan::Window(_)
        | LogicalPlan::Distinct(_) => empty_child.then(|| empty(node)),
        LogicalPlan::Aggregate(aggregate) => {
            let keyed = !aggregate.group_exprs.is_empty()
                && aggregate.grouping_sets.iter().all(|set| !set.is_empty());
            (keyed && empty_child).then(|| empty(node))
        }
        LogicalPlan::Join(join) => {
            let (left, right) = (is_empty(&join.left), is_empty(&join.right));
            let none = match join.join_type {
                JoinType::Inner | JoinType::Semi => left || right,
                JoinType::Left | JoinType::Anti => left,
                JoinType::Right => right,
                JoinType::Full => left && right,
            };
            if none {
                Some(empty(node))
            } else if join.join_type == JoinType::Anti && right {
                Some(join.left.clone())
            } else {
                None
            }
        }
        LogicalPlan::Union(union) => {
            if !empty_child {
                return None;
            }
            let mut rest: Vec<Arc<LogicalPlan>> = union
                .inputs
                .iter()
                .filter(|input| !is_empty(input))
                .cloned()
                .collect();
            Some(match rest.len() {
                0 => empty(node),
                1 => {
                    let input = rest.remove(0);
                    Arc::new(LogicalPlan::Projection(Projection {
                        exprs: input.columns().into_iter().map(Expr::Column).collect(),
                        columns: union.columns.clone(),
                        input,
                    }))
                }
                _ => Arc::new(LogicalPlan::Union(Union {
                    inputs: rest,
                    columns: union.columns.clone(),
                })),
            })
        }
        LogicalPlan::Scan(_) | LogicalPlan::Values(_) | LogicalPlan::EmptyRelation(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, rewrite, run};

    fn propagated(sql: &str) -> String {
        rewrite(&PropagateEmptyRelation, sql)
    }

    #[test]
    fn false_filter_empties_everything_above_it() {
        assert_eq!(
            propagated("SELECT a FROM t1 WHERE false ORDER BY a LIMIT 3"),
            "EmptyRelation rows=0\n"
        );
    }

    #[test]
    fn aggregate_without_group_keys_keeps_its_row() {
        // Folded first, so the filter is the literal NULL.
        let (plan, _) = crate::optimizer::rules::FoldConstants
            .rewrite(bind("SELECT count(*) FROM t1 WHERE NULL"))
            .unwrap();
        assert_eq!(
            run(&PropagateEmptyRelation, plan).0,
            "Project [count(*)#4]\n  Aggregate [], [count(*) AS count(*)#4]\n    EmptyRelation rows=0\n"
        );
    }

    #[test]
    fn aggregate_with_group_keys_over_nothing_is_empty() {
        assert_eq!(
            propagated("SELECT a, count(*) FROM t1 WHERE false GROUP BY a"),
            "EmptyRelation rows=0\n"
        );
    }

    #[test]
    fn inner_join_with_an_empty_side_is_empty_but_left_join_keeps_its_left() {
        assert_eq!(
            propagated("SELECT * FROM t1 JOIN (SELECT * FROM t3 WHERE false) e ON a = x"),
            "EmptyRelation rows=0\n"
        );
        let left =
            propagated("SELECT * FROM t1 LEFT JOIN (SELECT * FROM t3 WHERE false) e ON a = x");
        assert!(
            left.contains("Join LeftOuter") && left.contains("EmptyRelation rows=0"),
            "{left}"
        );
    }

    #[test]
    fn anti_join_with_an_empty_right_is_its_left() {
        assert_eq!(
            propagated("SELECT a FROM t1 WHERE a NOT IN (SELECT x FROM t3 WHERE false)"),
            "Project [a#1]\n  Scan t1 [a#1, b#2, c#3]\n"
        );
    }

    #[test]
    fn empty_union_input_is_dropped_and_a_single_input_renamed() {
        assert_eq!(
            propagated("SELECT a FROM t1 UNION ALL SELECT x FROM t3 WHERE false"),
            "Project [a#1 AS a#6]\n  Project [a#1]\n    Scan t1 [a#1, b#2, c#3]\n"
        );
    }
}
