//! Turns dependent joins (correlated subqueries and LATERAL as the binder
//! leaves them: the right side reads columns of the left) into plain joins.
//!
//! Two ways, the first where it is provably right:
//!
//! 1. **Pulling the correlated predicates up** (`pull_up.rs`): when the
//!    outer columns are read only by WHERE conjuncts below filters,
//!    projections, inner joins, DISTINCT and sorts, those conjuncts become
//!    the join condition. Below an aggregate only `inner_column = outer`
//!    equalities may move (the column becomes a group key), and a scalar
//!    subquery over an aggregate without GROUP BY keeps the aggregate's
//!    value over no rows (`count(*)` is 0) for outer rows without a group.
//!
//!    `part LEFT JOIN dependent (SELECT avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)`
//!    ==> `part LEFT JOIN (SELECT avg(l_quantity), l_partkey FROM lineitem GROUP BY l_partkey) ON p_partkey = l_partkey`
//!
//! 2. **The general unnesting** (`domain.rs`) for every other shape: the
//!    distinct outer values are joined into the subquery and carried up
//!    through every operator, and the join matches each outer row with the
//!    rows computed for its value.
//!
//! Each dependent join is rewritten bottom-up, so a subquery nested in
//! another is unnested first; columns it reads from two or more levels out
//! stay free in its plan and are the business of the enclosing join.

mod domain;
mod pull_up;

use crate::error::Result;
use crate::logical::plan::Join;
use crate::logical::tree_node::Transformed;
use crate::logical::{ColumnId, ColumnRef, Expr, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub struct DecorrelateSubqueries;

impl OptimizerRule for DecorrelateSubqueries {
    fn name(&self) -> &'static str {
        "decorrelate_subqueries"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let mut next_id = max_column_id(&plan) + 1;
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            Ok(match node.as_ref() {
                LogicalPlan::Join(join) if join.dependent => {
                    Transformed::yes(decorrelate(join, &mut next_id)?)
                }
                _ => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

/// The plain join (and operators above it) equal to the dependent `join`.
fn decorrelate(join: &Join, next_id: &mut ColumnId) -> Result<Arc<LogicalPlan>> {
    let produced = produced_ids(&join.right);
    let free: HashSet<ColumnId> = read_ids(&join.right)
        .difference(&produced)
        .copied()
        .collect();
    let correlated: Vec<ColumnRef> = join
        .left
        .columns()
        .into_iter()
        .filter(|c| free.contains(&c.id))
        .collect();
    if correlated.is_empty() {
        let mut plain = join.clone();
        plain.dependent = false;
        return Ok(Arc::new(LogicalPlan::Join(plain)));
    }
    let outer: HashSet<ColumnId> = correlated.iter().map(|c| c.id).collect();
    if let Some(plan) = pull_up::decorrelate(join, &outer, next_id)? {
        return Ok(plan);
    }
    let mut domain = domain::Domain {
        outer: &join.left,
        correlated: correlated.clone(),
        next_id,
    };
    let (right, domain_columns) = domain.push(&join.right)?;
    let mut conditions = join.conditions();
    conditions.extend(domain::not_distinct(&correlated, &domain_columns));
    let mut plain = Join::from_conjuncts(join.left.clone(), right, join.join_type, conditions);
    plain.null_equals_null = join.null_equals_null;
    plain.null_aware = join.null_aware;
    Ok(Arc::new(LogicalPlan::Join(plain)))
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
fn read_ids(plan: &LogicalPlan) -> HashSet<ColumnId> {
    let mut ids = HashSet::new();
    let _ = plan.apply(&mut |node| {
        for expr in node.expressions() {
            expr.collect_columns(&mut ids);
        }
        Ok(())
    });
    ids
}

/// Whether some expression of `plan` reads one of `ids`.
fn reads_any(plan: &LogicalPlan, ids: &HashSet<ColumnId>) -> bool {
    !read_ids(plan).is_disjoint(ids)
}

fn max_column_id(plan: &LogicalPlan) -> ColumnId {
    let mut max = 0;
    let _ = plan.apply(&mut |node| {
        max = node.columns().iter().map(|c| c.id).fold(max, ColumnId::max);
        for expr in node.expressions() {
            max = expr.column_ids().into_iter().fold(max, ColumnId::max);
        }
        Ok(())
    });
    max
}

/// `expr` with every column in `map` replaced by its image.
fn substitute(expr: Expr, map: &HashMap<ColumnId, ColumnRef>) -> Result<Expr> {
    Ok(expr
        .transform_up(&mut |e| {
            Ok(match e {
                Expr::Column(column) => match map.get(&column.id) {
                    Some(image) => Transformed::yes(Expr::Column(image.clone())),
                    None => Transformed::no(Expr::Column(column)),
                },
                other => Transformed::no(other),
            })
        })?
        .data)
}

#[cfg(test)]
mod tests;
