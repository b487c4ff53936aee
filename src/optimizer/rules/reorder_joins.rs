//! Orders trees of inner joins greedily so that no cross product is formed
//! while a join condition could connect the tables, and builds on the
//! smaller side: start from the largest input (the fact table) and add, at
//! each step, the connected input whose join has the fewest estimated rows
//! (ties: the smaller input, which becomes the build side). The output
//! columns keep their order through a projection.
//!
//! `(part ⨯ supplier) ⋈ lineitem ...` with conditions p = l, s = l
//! ==> `(lineitem ⋈ part) ⋈ supplier ...`
//!
//! Does not reorder outer, semi or anti joins; they are leaves here.

use crate::error::Result;
use crate::logical::plan::{Filter, Join, JoinType, Projection};
use crate::logical::{BinaryOp, ColumnId, Expr, LogicalPlan};
use crate::optimizer::cost::{distinct_bounds, estimate_rows, join_rows};
use crate::optimizer::OptimizerRule;
use arrow::datatypes::DataType;
use std::collections::HashSet;
use std::sync::Arc;

pub struct ReorderJoins;

impl OptimizerRule for ReorderJoins {
    fn name(&self) -> &'static str {
        "reorder_joins"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let before = plan.display_indent();
        let after = reorder(&plan)?;
        let changed = after.display_indent() != before;
        Ok((if changed { after } else { plan }, changed))
    }
}

fn is_inner(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::Join(join) if join.join_type == JoinType::Inner && !join.null_aware)
}

fn reorder(plan: &Arc<LogicalPlan>) -> Result<Arc<LogicalPlan>> {
    if !is_inner(plan) {
        let children = plan
            .children()
            .into_iter()
            .map(reorder)
            .collect::<Result<Vec<_>>>()?;
        return Ok(Arc::new(plan.with_new_children(children)));
    }
    let mut leaves = vec![];
    let mut conditions = vec![];
    flatten(plan, &mut leaves, &mut conditions);
    let leaves = leaves.iter().map(reorder).collect::<Result<Vec<_>>>()?;
    let distinct = distinct_bounds(plan);
    let joined = greedy(leaves, conditions, &distinct);
    // Keep the original column order.
    let columns = plan.columns();
    if joined
        .columns()
        .iter()
        .map(|c| c.id)
        .eq(columns.iter().map(|c| c.id))
    {
        return Ok(joined);
    }
    Ok(Arc::new(LogicalPlan::Projection(Projection {
        input: joined,
        exprs: columns.iter().cloned().map(Expr::Column).collect(),
        columns,
    })))
}

/// The inputs and the conditions of a tree of inner joins.
fn flatten(
    plan: &Arc<LogicalPlan>,
    leaves: &mut Vec<Arc<LogicalPlan>>,
    conditions: &mut Vec<Expr>,
) {
    match plan.as_ref() {
        LogicalPlan::Join(join) if is_inner(plan) => {
            flatten(&join.left, leaves, conditions);
            flatten(&join.right, leaves, conditions);
            for (l, r) in &join.on {
                conditions.push(Expr::binary(
                    l.clone(),
                    BinaryOp::Eq,
                    r.clone(),
                    DataType::Boolean,
                ));
            }
            if let Some(filter) = &join.filter {
                conditions.extend(filter.clone().split_conjunction());
            }
        }
        _ => leaves.push(plan.clone()),
    }
}

struct Input {
    plan: Arc<LogicalPlan>,
    ids: HashSet<ColumnId>,
    rows: f64,
}

fn greedy(
    leaves: Vec<Arc<LogicalPlan>>,
    mut conditions: Vec<Expr>,
    distinct: &std::collections::HashMap<ColumnId, f64>,
) -> Arc<LogicalPlan> {
    let mut inputs: Vec<Input> = leaves
        .into_iter()
        .map(|plan| Input {
            ids: plan.columns().iter().map(|c| c.id).collect(),
            rows: estimate_rows(&plan),
            plan,
        })
        .collect();
    let start = (0..inputs.len())
        .max_by(|&a, &b| inputs[a].rows.total_cmp(&inputs[b].rows))
        .unwrap_or(0);
    let first = inputs.swap_remove(start);
    let (mut plan, mut ids, mut rows) = (first.plan, first.ids, first.rows);
    while !inputs.is_empty() {
        let connects = |input: &Input| {
            conditions.iter().any(|c| {
                let used = c.column_ids();
                !used.is_disjoint(&ids)
                    && !used.is_disjoint(&input.ids)
                    && used
                        .iter()
                        .all(|id| ids.contains(id) || input.ids.contains(id))
            })
        };
        let connected: Vec<usize> = (0..inputs.len())
            .filter(|&i| connects(&inputs[i]))
            .collect();
        let pool = if connected.is_empty() {
            (0..inputs.len()).collect()
        } else {
            connected.clone()
        };
        let output_rows = |input: &Input| {
            let applicable: Vec<Expr> = conditions
                .iter()
                .filter(|c| {
                    c.column_ids()
                        .iter()
                        .all(|id| ids.contains(id) || input.ids.contains(id))
                })
                .cloned()
                .collect();
            join_rows(rows, input.rows, &applicable, distinct)
        };
        let pick = pool
            .into_iter()
            .min_by(|&a, &b| {
                output_rows(&inputs[a])
                    .total_cmp(&output_rows(&inputs[b]))
                    .then(inputs[a].rows.total_cmp(&inputs[b].rows))
            })
            .unwrap_or(0);
        let next = inputs.swap_remove(pick);
        let mut all_ids = ids.clone();
        all_ids.extend(next.ids.iter().copied());
        let (applicable, rest): (Vec<Expr>, Vec<Expr>) = conditions
            .into_iter()
            .partition(|c| c.column_ids().is_subset(&all_ids));
        conditions = rest;
        rows = join_rows(rows, next.rows, &applicable, distinct);
        plan = Arc::new(LogicalPlan::Join(Join::from_conjuncts(
            plan,
            next.plan,
            JoinType::Inner,
            applicable,
        )));
        ids = all_ids;
    }
    match Expr::conjunction(conditions) {
        Some(predicate) => Arc::new(LogicalPlan::Filter(Filter {
            input: plan,
            predicate,
        })),
        None => plan,
    }
}
