//! Turns dependent joins (correlated subqueries as the binder leaves them)
//! into plain joins: the conjuncts of the subquery's filters that read outer
//! columns are pulled out and become the join condition; the inner columns
//! they read are passed up through projections and added as group keys of
//! aggregates, so the subquery runs once, not once per outer row.
//!
//! `part LEFT JOIN dependent (SELECT avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)`
//! ==> `part LEFT JOIN (SELECT avg(l_quantity), l_partkey FROM lineitem GROUP BY l_partkey) ON p_partkey = l_partkey`
//!
//! Does not decorrelate outer columns read anywhere but in the subquery's
//! WHERE conditions (through projections, aggregates, DISTINCT, sorts and
//! inner joins), nor a subquery reading columns of a query two levels up:
//! both are reported as not implemented.

use crate::error::{QuarryError, Result};
use crate::logical::plan::{Aggregate, Distinct, Filter, Join, JoinType, Projection};
use crate::logical::tree_node::Transformed;
use crate::logical::{ColumnId, ColumnRef, Expr, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::collections::HashSet;
use std::sync::Arc;

pub struct DecorrelateSubqueries;

impl OptimizerRule for DecorrelateSubqueries {
    fn name(&self) -> &'static str {
        "decorrelate_subqueries"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            Ok(match node.as_ref() {
                LogicalPlan::Join(join) if join.dependent => {
                    Transformed::yes(Arc::new(LogicalPlan::Join(decorrelate(join)?)))
                }
                _ => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

/// The join with the right side's correlated conjuncts as its condition.
fn decorrelate(join: &Join) -> Result<Join> {
    let left_ids: HashSet<ColumnId> = join.left.columns().iter().map(|c| c.id).collect();
    let produced = produced_ids(&join.right);
    let free: HashSet<ColumnId> = read_ids(&join.right)
        .difference(&produced)
        .copied()
        .collect();
    if !free.is_subset(&left_ids) {
        return Err(QuarryError::NotImplemented(
            "a subquery reading columns of a query two levels up".into(),
        ));
    }
    let (right, pulled) = pull_up(&join.right, &free)?;
    if !read_ids(&right).is_disjoint(&free) {
        return Err(QuarryError::NotImplemented(
            "this correlated subquery: outer columns are only supported in its WHERE conditions"
                .into(),
        ));
    }
    let mut conditions = join.conditions();
    conditions.extend(pulled);
    let mut new = Join::from_conjuncts(join.left.clone(), right, join.join_type, conditions);
    new.null_aware = join.null_aware;
    new.null_equals_null = join.null_equals_null;
    Ok(new)
}

/// Every column id some node of `plan` outputs.
fn produced_ids(plan: &LogicalPlan) -> HashSet<ColumnId> {
    let mut ids = HashSet::new();
    let _ = plan.apply(&mut |node| {
        ids.extend(node.columns().iter().map(|c| c.id));
        Ok(())
    });
    ids
}

/// Every column id the expressions of `plan` read.
pub fn read_ids(plan: &LogicalPlan) -> HashSet<ColumnId> {
    let mut ids = HashSet::new();
    let _ = plan.apply(&mut |node| {
        for expr in node.expressions() {
            expr.collect_columns(&mut ids);
        }
        Ok(())
    });
    ids
}

/// Removes the conjuncts that read outer columns from the filters of `plan`
/// and makes the inner columns they read available at its output.
pub fn pull_up(
    plan: &Arc<LogicalPlan>,
    outer: &HashSet<ColumnId>,
) -> Result<(Arc<LogicalPlan>, Vec<Expr>)> {
    Ok(match plan.as_ref() {
        LogicalPlan::Filter(filter) => {
            let (input, mut pulled) = pull_up(&filter.input, outer)?;
            let (correlated, kept): (Vec<Expr>, Vec<Expr>) = filter
                .predicate
                .clone()
                .split_conjunction()
                .into_iter()
                .partition(|c| !c.column_ids().is_disjoint(outer));
            pulled.extend(correlated);
            let plan = match Expr::conjunction(kept) {
                Some(predicate) => Arc::new(LogicalPlan::Filter(Filter { input, predicate })),
                None => input,
            };
            (plan, pulled)
        }
        LogicalPlan::Projection(projection) => {
            let (input, pulled) = pull_up(&projection.input, outer)?;
            let mut exprs = projection.exprs.clone();
            let mut columns = projection.columns.clone();
            for column in needed_inner(&pulled, outer, &input) {
                if !columns.iter().any(|c| c.id == column.id) {
                    exprs.push(Expr::Column(column.clone()));
                    let mut output = column.clone();
                    output.name = format!("__correlated_{}", column.name);
                    columns.push(output);
                }
            }
            (
                Arc::new(LogicalPlan::Projection(Projection {
                    input,
                    exprs,
                    columns,
                })),
                pulled,
            )
        }
        LogicalPlan::Aggregate(aggregate) => {
            let (input, pulled) = pull_up(&aggregate.input, outer)?;
            let mut group_exprs = aggregate.group_exprs.clone();
            let mut group_columns = aggregate.group_columns.clone();
            for column in needed_inner(&pulled, outer, &input) {
                if !group_columns.iter().any(|c| c.id == column.id) {
                    group_exprs.push(Expr::Column(column.clone()));
                    group_columns.push(column);
                }
            }
            (
                Arc::new(LogicalPlan::Aggregate(Aggregate {
                    input,
                    group_exprs,
                    group_columns,
                    aggregates: aggregate.aggregates.clone(),
                    aggregate_columns: aggregate.aggregate_columns.clone(),
                    grouping_sets: aggregate.grouping_sets.clone(),
                    grouping_id: aggregate.grouping_id.clone(),
                })),
                pulled,
            )
        }
        LogicalPlan::Distinct(distinct) => {
            let (input, pulled) = pull_up(&distinct.input, outer)?;
            (Arc::new(LogicalPlan::Distinct(Distinct { input })), pulled)
        }
        // Order does not matter inside a subquery used as a set or a value.
        LogicalPlan::Sort(sort) => pull_up(&sort.input, outer)?,
        LogicalPlan::Join(join) if join.join_type == JoinType::Inner => {
            let (left, mut pulled) = pull_up(&join.left, outer)?;
            let (right, right_pulled) = pull_up(&join.right, outer)?;
            pulled.extend(right_pulled);
            (
                Arc::new(LogicalPlan::Join(Join {
                    left,
                    right,
                    ..join.clone()
                })),
                pulled,
            )
        }
        _ => (plan.clone(), vec![]),
    })
}

/// The inner columns (produced by `input`) that pulled predicates read.
fn needed_inner(pulled: &[Expr], outer: &HashSet<ColumnId>, input: &LogicalPlan) -> Vec<ColumnRef> {
    let mut ids = HashSet::new();
    for predicate in pulled {
        predicate.collect_columns(&mut ids);
    }
    input
        .columns()
        .into_iter()
        .filter(|c| ids.contains(&c.id) && !outer.contains(&c.id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, rewrite, run};

    #[test]
    fn exists_becomes_a_semi_join_on_the_correlated_predicate() {
        let sql = "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t3 WHERE t3.x = t1.a AND t3.y > 0)";
        let before = bind(sql).display_indent();
        assert!(before.contains("Join LeftSemi dependent"), "{before}");
        let after = rewrite(&DecorrelateSubqueries, sql);
        assert!(!after.contains("dependent"), "{after}");
        assert!(after.contains("Join LeftSemi on [a#1 = x#"), "{after}");
        // The uncorrelated conjunct stays inside the subquery.
        assert!(after.contains("Filter (y#"), "{after}");
    }

    #[test]
    fn a_correlated_aggregate_groups_by_the_correlation_key() {
        let after = rewrite(
            &DecorrelateSubqueries,
            "SELECT a, (SELECT sum(y) FROM t3 WHERE t3.x = t1.a) FROM t1",
        );
        assert!(after.contains("Join LeftOuter on [a#1 = x#"), "{after}");
        assert!(after.contains("Aggregate [x#"), "{after}");
    }

    #[test]
    fn not_in_keeps_its_null_aware_anti_join() {
        let after = rewrite(
            &DecorrelateSubqueries,
            "SELECT a FROM t1 WHERE b NOT IN (SELECT y FROM t3 WHERE t3.x = t1.a)",
        );
        assert!(after.contains("Join LeftAnti on"), "{after}");
        assert!(after.contains("null-aware"), "{after}");
        assert!(!after.contains("dependent"), "{after}");
    }

    #[test]
    fn uncorrelated_subqueries_are_left_alone() {
        let (after, changed) = run(
            &DecorrelateSubqueries,
            bind("SELECT a FROM t1 WHERE b IN (SELECT y FROM t3)"),
        );
        assert!(!changed, "{after}");
    }

    #[test]
    fn outer_columns_outside_where_are_not_implemented() {
        let plan = bind("SELECT a, (SELECT t1.b + y FROM t3 WHERE t3.x = t1.a) FROM t1");
        let error = DecorrelateSubqueries.rewrite(plan).unwrap_err().to_string();
        assert!(error.contains("Not implemented"), "{error}");
    }
}
