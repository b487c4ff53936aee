//! Moves filters towards the scans: through projections (rewriting aliases),
//! through sorts, into aggregates when they test group keys only, and records
//! the conjuncts on the scan (`PushedFilters`) so the scan can skip data.
//!
//! `Filter (a > 1) <- Project [a#1, b#2 AS c#3] <- Scan t`
//! ==> `Project [a#1, b#2 AS c#3] <- Filter (a > 1) <- Scan t filters=[a > 1]`
//!
//! Through joins, a conjunct goes to the side it reads unless an outer join
//! preserves that side; over both sides of an inner join it becomes the join
//! condition (so comma joins never stay cross joins).
//!
//! Through a window, only conjuncts that read nothing but columns every window
//! call partitions by (removing whole partitions leaves the others unchanged).
//!
//! Through DISTINCT unchanged (a row is kept or dropped with all its
//! duplicates); through UNION into every input, each union column replaced by
//! the input's column at the same position:
//!
//! `Filter (x#5 > 1) <- Union [x#5] <- (Scan t1 [a#1], Scan t2 [b#2])`
//! ==> `Union [x#5] <- (Filter (a#1 > 1) <- Scan t1, Filter (b#2 > 1) <- Scan t2)`
//!
//! Does not push past LIMIT, nor a conjunct of an aggregate's output that
//! reads an aggregate result.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{ColumnId, Expr, JoinType, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub struct PushDownFilter;

impl OptimizerRule for PushDownFilter {
    fn name(&self) -> &'static str {
        "push_down_filter"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_down(plan, &mut |node| {
            let pushed = match node.as_ref() {
                LogicalPlan::Filter(filter) => push(filter)?,
                LogicalPlan::Join(join) => push_join_condition(join),
                _ => None,
            };
            Ok(match pushed {
                Some(new) => Transformed::yes(new),
                None => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

fn filter(input: Arc<LogicalPlan>, conjuncts: Vec<Expr>) -> Arc<LogicalPlan> {
    match Expr::conjunction(conjuncts) {
        Some(predicate) => Arc::new(LogicalPlan::Filter(Filter { input, predicate })),
        None => input,
    }
}

/// The plan with `filter` moved one step down, or `None` when it stays.
fn push(node: &Filter) -> Result<Option<Arc<LogicalPlan>>> {
    let conjuncts = node.predicate.clone().split_conjunction();
    Ok(match node.input.as_ref() {
        LogicalPlan::Filter(inner) => {
            // A conjunct the inner filter has already (one `infer_predicates`
            // derived again above a union) is not repeated.
            let mut all = inner.predicate.clone().split_conjunction();
            for conjunct in conjuncts {
                if !all.contains(&conjunct) {
                    all.push(conjunct);
                }
            }
            // Moved on at once, so a filter that keeps being merged still
            // reaches the scan below.
            let merged = filter(inner.input.clone(), all);
            match merged.as_ref() {
                LogicalPlan::Filter(node) => Some(push(node)?.unwrap_or(merged)),
                _ => Some(merged),
            }
        }
        LogicalPlan::Projection(projection) => {
            let substitutions: HashMap<ColumnId, Expr> = projection
                .columns
                .iter()
                .zip(&projection.exprs)
                .map(|(c, e)| (c.id, e.clone()))
                .collect();
            let rewritten = conjuncts
                .into_iter()
                .map(|c| substitute(c, &substitutions))
                .collect::<Result<Vec<_>>>()?;
            Some(Arc::new(LogicalPlan::Projection(Projection {
                input: filter(projection.input.clone(), rewritten),
                ..projection.clone()
            })))
        }
        LogicalPlan::Sort(sort) => Some(Arc::new(LogicalPlan::Sort(Sort {
            input: filter(sort.input.clone(), conjuncts),
            keys: sort.keys.clone(),
        }))),
        LogicalPlan::Aggregate(aggregate) => {
            let group_ids: HashMap<ColumnId, Expr> = aggregate
                .group_columns
                .iter()
                .zip(&aggregate.group_exprs)
                .map(|(c, e)| (c.id, e.clone()))
                .collect();
            let (below, above): (Vec<Expr>, Vec<Expr>) = conjuncts
                .into_iter()
                .partition(|c| c.column_ids().iter().all(|id| group_ids.contains_key(id)));
            // Under grouping sets a group column is NULL in some sets, so a
            // filter on it cannot move below the aggregate.
            if below.is_empty()
                || aggregate.group_exprs.is_empty()
                || !aggregate.grouping_sets.is_empty()
            {
                return Ok(None);
            }
            let below = below
                .into_iter()
                .map(|c| substitute(c, &group_ids))
                .collect::<Result<Vec<_>>>()?;
            let pushed = Arc::new(LogicalPlan::Aggregate(Aggregate {
                input: filter(aggregate.input.clone(), below),
                ..aggregate.clone()
            }));
            Some(filter(pushed, above))
        }
        LogicalPlan::Scan(scan) => {
            let known: HashSet<String> = scan.filters.iter().map(|f| f.to_string()).collect();
            let new: Vec<Expr> = conjuncts
                .iter()
                .filter(|c| !known.contains(&c.to_string()))
                .cloned()
                .collect();
            if new.is_empty() {
                return Ok(None);
            }
            let mut filters = scan.filters.clone();
            filters.extend(new);
            let scan = Arc::new(LogicalPlan::Scan(Scan {
                filters,
                ..scan.clone()
            }));
            Some(filter(scan, conjuncts))
        }
        LogicalPlan::Join(join) => push_into_join(join, conjuncts),
        LogicalPlan::Distinct(distinct) => Some(Arc::new(LogicalPlan::Distinct(Distinct {
            input: filter(distinct.input.clone(), conjuncts),
        }))),
        LogicalPlan::Union(union) => {
            let inputs = union
                .inputs
                .iter()
                .map(|input| {
                    let substitutions: HashMap<ColumnId, Expr> = union
                        .columns
                        .iter()
                        .zip(input.columns())
                        .map(|(c, input_column)| (c.id, Expr::Column(input_column)))
                        .collect();
                    let rewritten = conjuncts
                        .iter()
                        .map(|c| substitute(c.clone(), &substitutions))
                        .collect::<Result<Vec<_>>>()?;
                    Ok(filter(input.clone(), rewritten))
                })
                .collect::<Result<Vec<_>>>()?;
            Some(Arc::new(LogicalPlan::Union(Union {
                inputs,
                columns: union.columns.clone(),
            })))
        }
        LogicalPlan::Window(window) => {
            let partition_ids = window
                .window_exprs
                .iter()
                .map(|call| {
                    call.partition_by
                        .iter()
                        .filter_map(|e| match e {
                            Expr::Column(c) => Some(c.id),
                            _ => None,
                        })
                        .collect::<HashSet<ColumnId>>()
                })
                .reduce(|a, b| a.intersection(&b).copied().collect())
                .unwrap_or_default();
            let (below, above): (Vec<Expr>, Vec<Expr>) = conjuncts.into_iter().partition(|c| {
                let ids = c.column_ids();
                !ids.is_empty() && ids.is_subset(&partition_ids)
            });
            if below.is_empty() {
                return Ok(None);
            }
            let pushed = Arc::new(LogicalPlan::Window(Window {
                input: filter(window.input.clone(), below),
                ..window.clone()
            }));
            Some(filter(pushed, above))
        }
        _ => None,
    })
}

fn ids(plan: &LogicalPlan) -> HashSet<ColumnId> {
    plan.columns().iter().map(|c| c.id).collect()
}

/// Conjuncts of a filter above a join go to the side they read when that
/// side's rows are not preserved by an outer join; conjuncts over both sides
/// of an inner join become its condition.
fn push_into_join(join: &Join, conjuncts: Vec<Expr>) -> Option<Arc<LogicalPlan>> {
    let (left_ids, right_ids) = (ids(&join.left), ids(&join.right));
    let to_left = matches!(
        join.join_type,
        JoinType::Inner | JoinType::Left | JoinType::Semi | JoinType::Anti
    );
    let to_right = matches!(join.join_type, JoinType::Inner | JoinType::Right);
    let (mut left, mut right, mut condition, mut above) = (vec![], vec![], vec![], vec![]);
    for conjunct in conjuncts {
        let used = conjunct.column_ids();
        if to_left && used.is_subset(&left_ids) {
            left.push(conjunct);
        } else if to_right && used.is_subset(&right_ids) {
            right.push(conjunct);
        } else if join.join_type == JoinType::Inner
            && used
                .iter()
                .all(|id| left_ids.contains(id) || right_ids.contains(id))
        {
            condition.push(conjunct);
        } else {
            above.push(conjunct);
        }
    }
    if left.is_empty() && right.is_empty() && condition.is_empty() {
        return None;
    }
    let mut new = Join::from_conjuncts(
        filter(join.left.clone(), left),
        filter(join.right.clone(), right),
        join.join_type,
        condition,
    );
    new.on = join.on.iter().cloned().chain(new.on).collect();
    new.filter = Expr::conjunction(join.filter.iter().cloned().chain(new.filter));
    new.null_aware = join.null_aware;
    new.null_equals_null = join.null_equals_null;
    Some(filter(Arc::new(LogicalPlan::Join(new)), above))
}

/// Conjuncts of a join's own condition that read one side only move into
/// that side when the join does not preserve it.
fn push_join_condition(join: &Join) -> Option<Arc<LogicalPlan>> {
    let condition = join.filter.clone()?;
    let (left_ids, right_ids) = (ids(&join.left), ids(&join.right));
    let to_left = matches!(
        join.join_type,
        JoinType::Inner | JoinType::Right | JoinType::Semi
    );
    let to_right = matches!(
        join.join_type,
        JoinType::Inner | JoinType::Left | JoinType::Semi | JoinType::Anti
    );
    let (mut left, mut right, mut kept) = (vec![], vec![], vec![]);
    for conjunct in condition.split_conjunction() {
        let used = conjunct.column_ids();
        if used.is_empty() {
            kept.push(conjunct);
        } else if to_left && used.is_subset(&left_ids) {
            left.push(conjunct);
        } else if to_right && used.is_subset(&right_ids) {
            right.push(conjunct);
        } else {
            kept.push(conjunct);
        }
    }
    if left.is_empty() && right.is_empty() {
        return None;
    }
    Some(Arc::new(LogicalPlan::Join(Join {
        left: filter(join.left.clone(), left),
        right: filter(join.right.clone(), right),
        filter: Expr::conjunction(kept),
        ..join.clone()
    })))
}

/// Replaces columns by the expressions that define them.
fn substitute(expr: Expr, substitutions: &HashMap<ColumnId, Expr>) -> Result<Expr> {
    Ok(expr
        .transform_up(&mut |e| {
            Ok(match &e {
                Expr::Column(c) => match substitutions.get(&c.id) {
                    Some(replacement) if replacement != &e => Transformed::yes(replacement.clone()),
                    _ => Transformed::no(e),
                },
                _ => Transformed::no(e),
            })
        })?
        .data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::rewrite;

    #[test]
    fn filter_moves_into_every_union_input_by_position() {
        let plan = rewrite(
            &PushDownFilter,
            "SELECT * FROM (SELECT a FROM t1 UNION ALL SELECT x FROM t3) u WHERE a > 1",
        );
        assert_eq!(
            plan,
            "Project [a#6]\n\
            \x20 Union [a#6]\n\
            \x20   Project [a#1]\n\
            \x20     Filter (a#1 > 1)\n\
            \x20       Scan t1 [a#1, b#2, c#3] filters=[(a#1 > 1)]\n\
            \x20   Project [x#4]\n\
            \x20     Filter (x#4 > 1)\n\
            \x20       Scan t3 [x#4, y#5] filters=[(x#4 > 1)]\n"
        );
    }

    #[test]
    fn filter_moves_below_distinct() {
        let plan = rewrite(
            &PushDownFilter,
            "SELECT * FROM (SELECT DISTINCT a, b FROM t1) d WHERE b = 2",
        );
        assert_eq!(
            plan,
            "Project [a#1, b#2]\n\
            \x20 Distinct\n\
            \x20   Project [a#1, b#2]\n\
            \x20     Filter (b#2 = 2)\n\
            \x20       Scan t1 [a#1, b#2, c#3] filters=[(b#2 = 2)]\n"
        );
    }
}
