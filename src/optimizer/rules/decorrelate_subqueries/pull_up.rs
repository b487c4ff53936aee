//! The fast path of decorrelation: moving the correlated WHERE conjuncts of
//! a subquery up into its join condition. Only shapes where that is exactly
//! right are rewritten; `decorrelate` answers `None` for the rest, which the
//! general unnesting takes.

use super::{reads_any, substitute};
use crate::error::Result;
use crate::logical::plan::{Aggregate, Distinct, Filter, Join, JoinType, Projection};
use crate::logical::{ColumnId, ColumnRef, Expr, LogicalPlan, ScalarValue};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The dependent `join` with its correlated conjuncts pulled up, or `None`
/// when the subquery's shape needs the general unnesting.
pub fn decorrelate(
    join: &Join,
    outer: &HashSet<ColumnId>,
    next_id: &mut ColumnId,
) -> Result<Option<Arc<LogicalPlan>>> {
    match join.join_type {
        // A set membership (EXISTS, IN) or LATERAL: every row of the
        // subquery that satisfies the pulled conjuncts is one match.
        JoinType::Semi | JoinType::Anti | JoinType::Inner => {
            // Semi and anti joins only ask whether a row exists; LATERAL
            // counts rows, so DISTINCT passes equalities only.
            let strict_distinct = join.join_type == JoinType::Inner;
            let Some((right, pulled)) = pull_up(&join.right, outer, false, strict_distinct) else {
                return Ok(None);
            };
            if reads_any(&right, outer) {
                return Ok(None);
            }
            let mut conditions = join.conditions();
            conditions.extend(pulled);
            let mut plain =
                Join::from_conjuncts(join.left.clone(), right, join.join_type, conditions);
            plain.null_aware = join.null_aware;
            plain.null_equals_null = join.null_equals_null;
            Ok(Some(Arc::new(LogicalPlan::Join(plain))))
        }
        // A scalar subquery's join has no condition; a LEFT JOIN LATERAL
        // with one must keep NULLs where it fails: the general path.
        JoinType::Left if join.conditions().is_empty() => scalar_aggregate(join, outer, next_id),
        JoinType::Left => Ok(None),
        JoinType::Right | JoinType::Full => Ok(None),
    }
}

/// A scalar subquery `Projection* -> Aggregate (no GROUP BY) -> ...` whose
/// correlated conjuncts are `inner_column = outer` equalities: the
/// aggregate groups by those inner columns and is left-joined on them; the
/// projections move above the join, reading `count` as 0 where no group
/// matched (an aggregate over no rows).
fn scalar_aggregate(
    join: &Join,
    outer: &HashSet<ColumnId>,
    next_id: &mut ColumnId,
) -> Result<Option<Arc<LogicalPlan>>> {
    let mut projections = vec![];
    let mut node = &join.right;
    while let LogicalPlan::Projection(projection) = node.as_ref() {
        projections.push(projection);
        node = &projection.input;
    }
    let LogicalPlan::Aggregate(aggregate) = node.as_ref() else {
        return Ok(None);
    };
    if !aggregate.group_exprs.is_empty() || !aggregate.grouping_sets.is_empty() {
        return Ok(None);
    }
    let reads_outer = |e: &Expr| !e.column_ids().is_disjoint(outer);
    let own_exprs_read_outer = aggregate
        .aggregates
        .iter()
        .any(|call| call.expressions().any(reads_outer));
    if own_exprs_read_outer {
        return Ok(None);
    }
    let Some((input, pulled)) = pull_up(&aggregate.input, outer, true, true) else {
        return Ok(None);
    };
    if reads_any(&input, outer) || pulled.is_empty() {
        return Ok(None);
    }
    let keys = needed_inner(&pulled, outer, &input);
    // Counts get fresh ids below; the projection above the join gives the
    // original ids their value, 0 where no group matched.
    let mut fixed: Vec<(ColumnRef, ColumnRef)> = vec![];
    let aggregate_columns: Vec<ColumnRef> = aggregate
        .aggregates
        .iter()
        .zip(&aggregate.aggregate_columns)
        .map(|(call, column)| {
            if call.func.is_zero_on_empty() {
                let mut fresh = column.clone();
                fresh.id = *next_id;
                *next_id += 1;
                fresh.nullable = true;
                fixed.push((fresh.clone(), column.clone()));
                fresh
            } else {
                column.clone()
            }
        })
        .collect();
    let grouped = Arc::new(LogicalPlan::Aggregate(Aggregate {
        input,
        group_exprs: keys.iter().cloned().map(Expr::Column).collect(),
        group_columns: keys,
        aggregates: aggregate.aggregates.clone(),
        aggregate_columns: aggregate_columns.clone(),
        grouping_sets: vec![],
        grouping_id: None,
    }));
    let mut conditions = join.conditions();
    conditions.extend(pulled);
    // Projections that are NULL on the NULL row an outer join pads with
    // (`0.2 * avg(x)`) stay below the join and run once per group.
    let stay_below = fixed.is_empty()
        && projections.iter().all(|p| {
            p.exprs
                .iter()
                .all(|e| !reads_outer(e) && null_when_inputs_null(e))
        });
    if stay_below {
        let mut right = grouped;
        for projection in projections.into_iter().rev() {
            let mut exprs = projection.exprs.clone();
            let mut columns = projection.columns.clone();
            for key in keys_of(&right) {
                if !columns.iter().any(|c| c.id == key.id) {
                    exprs.push(Expr::Column(key.clone()));
                    columns.push(key);
                }
            }
            right = Arc::new(LogicalPlan::Projection(Projection {
                input: right,
                exprs,
                columns,
            }));
        }
        let joined = Join::from_conjuncts(join.left.clone(), right, JoinType::Left, conditions);
        return Ok(Some(Arc::new(LogicalPlan::Join(joined))));
    }
    let joined = Join::from_conjuncts(join.left.clone(), grouped, JoinType::Left, conditions);
    let left_columns = join.left.columns();
    let mut plan = Arc::new(LogicalPlan::Join(joined));
    if !fixed.is_empty() {
        let mut exprs: Vec<Expr> = left_columns.iter().cloned().map(Expr::Column).collect();
        let mut columns = left_columns.clone();
        for (column, original) in aggregate_columns.iter().zip(&aggregate.aggregate_columns) {
            match fixed.iter().find(|(fresh, _)| fresh.id == column.id) {
                Some((fresh, original)) => {
                    exprs.push(Expr::ScalarFunction(
                        crate::logical::expr::ScalarFunctionExpr {
                            name: "coalesce".into(),
                            args: vec![
                                Expr::Column(fresh.clone()),
                                Expr::Literal(ScalarValue::int64(0).cast_to(&original.data_type)?),
                            ],
                            data_type: original.data_type.clone(),
                        },
                    ));
                    columns.push(original.clone());
                }
                None => {
                    exprs.push(Expr::Column(column.clone()));
                    columns.push(original.clone());
                }
            }
        }
        plan = Arc::new(LogicalPlan::Projection(Projection {
            input: plan,
            exprs,
            columns,
        }));
    }
    // Above the outer join every aggregate value may be NULL.
    let nullable: HashMap<ColumnId, ColumnRef> = aggregate
        .aggregate_columns
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.nullable = true;
            (c.id, c)
        })
        .collect();
    for projection in projections.into_iter().rev() {
        let mut exprs: Vec<Expr> = left_columns.iter().cloned().map(Expr::Column).collect();
        for expr in &projection.exprs {
            exprs.push(substitute(expr.clone(), &nullable)?);
        }
        let mut columns = left_columns.clone();
        columns.extend(projection.columns.iter().cloned());
        plan = Arc::new(LogicalPlan::Projection(Projection {
            input: plan,
            exprs,
            columns,
        }));
    }
    Ok(Some(plan))
}

/// The group key columns an aggregate (under projections) outputs.
fn keys_of(plan: &LogicalPlan) -> Vec<ColumnRef> {
    match plan {
        LogicalPlan::Aggregate(aggregate) => aggregate.group_columns.clone(),
        LogicalPlan::Projection(projection) => {
            let below = keys_of(&projection.input);
            projection
                .columns
                .iter()
                .filter(|c| below.iter().any(|k| k.id == c.id))
                .cloned()
                .collect()
        }
        _ => vec![],
    }
}

/// Whether `expr` is NULL whenever every column it reads is NULL (and it
/// reads one): arithmetic, comparisons and casts of columns and constants.
fn null_when_inputs_null(expr: &Expr) -> bool {
    match expr {
        Expr::Column(_) => true,
        Expr::Literal(value) => value.is_null(),
        Expr::Binary(binary) => {
            use crate::logical::BinaryOp as B;
            !matches!(
                binary.op,
                B::And | B::Or | B::IsDistinctFrom | B::IsNotDistinctFrom
            ) && (null_when_inputs_null(&binary.left) || null_when_inputs_null(&binary.right))
        }
        Expr::Cast(cast) => null_when_inputs_null(&cast.expr),
        Expr::Negative(inner) | Expr::Not(inner) => null_when_inputs_null(inner),
        _ => false,
    }
}

/// Removes the conjuncts that read outer columns from the filters of `plan`
/// and makes the inner columns they read available at its output; `None`
/// when an operator between them and the top would change meaning. With
/// `equality_only` (below an aggregate), only `inner_column = outer`
/// conjuncts may move.
fn pull_up(
    plan: &Arc<LogicalPlan>,
    outer: &HashSet<ColumnId>,
    equality_only: bool,
    strict_distinct: bool,
) -> Option<(Arc<LogicalPlan>, Vec<Expr>)> {
    if !reads_any(plan, outer) {
        return Some((plan.clone(), vec![]));
    }
    Some(match plan.as_ref() {
        LogicalPlan::Filter(filter) => {
            let (input, mut pulled) =
                pull_up(&filter.input, outer, equality_only, strict_distinct)?;
            let (correlated, kept): (Vec<Expr>, Vec<Expr>) = filter
                .predicate
                .clone()
                .split_conjunction()
                .into_iter()
                .partition(|c| !c.column_ids().is_disjoint(outer));
            if equality_only && !correlated.iter().all(|c| is_key_equality(c, outer)) {
                return None;
            }
            pulled.extend(correlated);
            let plan = match Expr::conjunction(kept) {
                Some(predicate) => Arc::new(LogicalPlan::Filter(Filter { input, predicate })),
                None => input,
            };
            (plan, pulled)
        }
        LogicalPlan::Projection(projection) => {
            if projection
                .exprs
                .iter()
                .any(|e| !e.column_ids().is_disjoint(outer))
            {
                return None;
            }
            let (input, pulled) =
                pull_up(&projection.input, outer, equality_only, strict_distinct)?;
            let mut exprs = projection.exprs.clone();
            let mut columns = projection.columns.clone();
            for column in needed_inner(&pulled, outer, &input) {
                if !columns.iter().any(|c| c.id == column.id) {
                    exprs.push(Expr::Column(column.clone()));
                    columns.push(column);
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
        LogicalPlan::Aggregate(aggregate)
            if !aggregate.group_exprs.is_empty() && aggregate.grouping_sets.is_empty() =>
        {
            let own = aggregate.group_exprs.iter().chain(
                aggregate
                    .aggregates
                    .iter()
                    .flat_map(|call| call.expressions()),
            );
            if own.into_iter().any(|e| !e.column_ids().is_disjoint(outer)) {
                return None;
            }
            let (input, pulled) = pull_up(&aggregate.input, outer, true, strict_distinct)?;
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
                    ..aggregate.clone()
                })),
                pulled,
            )
        }
        LogicalPlan::Distinct(distinct) => {
            let (input, pulled) = pull_up(
                &distinct.input,
                outer,
                equality_only || strict_distinct,
                strict_distinct,
            )?;
            (Arc::new(LogicalPlan::Distinct(Distinct { input })), pulled)
        }
        // Order does not matter inside a subquery used as a set or a value.
        LogicalPlan::Sort(sort) => pull_up(&sort.input, outer, equality_only, strict_distinct)?,
        LogicalPlan::Join(join) if join.join_type == JoinType::Inner && !join.null_aware => {
            if join
                .conditions()
                .iter()
                .any(|c| !c.column_ids().is_disjoint(outer))
            {
                return None;
            }
            let (left, mut pulled) = pull_up(&join.left, outer, equality_only, strict_distinct)?;
            let (right, right_pulled) =
                pull_up(&join.right, outer, equality_only, strict_distinct)?;
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
        _ => return None,
    })
}

/// `inner_column = e` (either way round) where `e` reads outer columns only.
fn is_key_equality(conjunct: &Expr, outer: &HashSet<ColumnId>) -> bool {
    let Expr::Binary(binary) = conjunct else {
        return false;
    };
    if binary.op != crate::logical::BinaryOp::Eq {
        return false;
    }
    let side = |column: &Expr, other: &Expr| {
        let Expr::Column(c) = column else {
            return false;
        };
        let other_ids = other.column_ids();
        !outer.contains(&c.id) && !other_ids.is_empty() && other_ids.is_subset(outer)
    };
    side(&binary.left, &binary.right) || side(&binary.right, &binary.left)
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
