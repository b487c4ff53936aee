//! Computes a subexpression that an aggregate (or a projection) evaluates
//! more than once a single time, in a projection below it:
//!
//! `Aggregate [], [sum((p#1 * (1 - d#2))) AS s#5, sum(((p#1 * (1 - d#2)) * t#3)) AS u#6]`
//! ==> `Aggregate [], [sum(__common_expr_1#7) AS s#5, sum((__common_expr_1#7 * t#3)) AS u#6]
//!      <- Project [(p#1 * (1 - d#2)) AS __common_expr_1#7, t#3]`
//!
//! The shared subexpressions are the largest ones that occur at least twice
//! among the group expressions, aggregate arguments and aggregate filters
//! (or the projection's expressions); a subexpression occurring only inside
//! a larger shared one is not extracted on its own. The new columns get ids
//! above every id of the plan; the projection passes through the other
//! columns the node reads, so output columns do not change.
//!
//! Does not extract bare columns, literals, constant expressions, volatile
//! calls (`random()`), nor anything inside a CASE other than its first
//! condition (a THEN or a later WHEN is evaluated only for some rows).

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{ColumnId, ColumnRef, Expr, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::collections::HashSet;
use std::sync::Arc;

pub struct EliminateCommonSubexpressions;

impl OptimizerRule for EliminateCommonSubexpressions {
    fn name(&self) -> &'static str {
        "eliminate_common_subexpressions"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let mut next_id = max_column_id(&plan)? + 1;
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            let rewritten = match node.as_ref() {
                LogicalPlan::Aggregate(aggregate) => rewrite_aggregate(aggregate, &mut next_id)?,
                LogicalPlan::Projection(projection) => {
                    rewrite_projection(projection, &mut next_id)?
                }
                _ => None,
            };
            Ok(match rewritten {
                Some(new) => Transformed::yes(Arc::new(new)),
                None => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

fn max_column_id(plan: &LogicalPlan) -> Result<ColumnId> {
    let mut max = 0;
    plan.apply(&mut |node| {
        for column in node.columns() {
            max = max.max(column.id);
        }
        for expr in node.expressions() {
            max = expr.column_ids().into_iter().fold(max, ColumnId::max);
        }
        Ok(())
    })?;
    Ok(max)
}

fn is_volatile(expr: &Expr) -> bool {
    expr.any(&|e| {
        matches!(e, Expr::ScalarFunction(f) if matches!(f.name.as_str(), "random" | "uuid" | "gen_random_uuid"))
    })
}

/// Every subexpression `expr` evaluates for every row, outermost first.
fn unconditional<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    out.push(expr);
    match expr {
        Expr::Case(case) => {
            if let Some((when, _)) = case.when_then.first() {
                unconditional(when, out);
            }
        }
        _ => {
            for child in expr.children() {
                unconditional(child, out);
            }
        }
    }
}

/// The largest non-trivial subexpressions that occur at least twice.
fn shared(exprs: &[&Expr]) -> Vec<Expr> {
    let mut candidates: Vec<(&Expr, usize)> = vec![];
    let mut all = vec![];
    for expr in exprs {
        unconditional(expr, &mut all);
    }
    for expr in all {
        let trivial = matches!(expr, Expr::Column(_) | Expr::Literal(_))
            || expr.column_ids().is_empty()
            || is_volatile(expr);
        if trivial {
            continue;
        }
        match candidates.iter_mut().find(|(e, _)| *e == expr) {
            Some((_, count)) => *count += 1,
            None => candidates.push((expr, 1)),
        }
    }
    let repeated: Vec<(&Expr, usize)> = candidates.into_iter().filter(|(_, n)| *n >= 2).collect();
    // A subexpression seen as often as a larger shared one that contains it
    // occurs only inside that one.
    repeated
        .iter()
        .filter(|(expr, count)| {
            !repeated.iter().any(|(larger, larger_count)| {
                larger != expr && larger_count == count && larger.any(&|e| e == *expr)
            })
        })
        .map(|(expr, _)| (*expr).clone())
        .collect()
}

/// `expr` with every occurrence of `shared[i]` replaced by `columns[i]`,
/// largest matches first.
fn replace(expr: &Expr, shared: &[Expr], columns: &[ColumnRef]) -> Result<Expr> {
    if let Some(i) = shared.iter().position(|s| s == expr) {
        return Ok(Expr::Column(columns[i].clone()));
    }
    Ok(expr
        .clone()
        .map_children(&mut |child| Ok(Transformed::yes(replace(&child, shared, columns)?)))?
        .data)
}

/// The projection computing `shared` as new columns over `input`, passing
/// through the input columns in `needed`.
fn projection_below(
    input: &Arc<LogicalPlan>,
    shared: &[Expr],
    needed: &HashSet<ColumnId>,
    next_id: &mut ColumnId,
) -> (Projection, Vec<ColumnRef>) {
    let new_columns: Vec<ColumnRef> = shared
        .iter()
        .enumerate()
        .map(|(i, expr)| {
            let name = format!("__common_expr_{}", i + 1);
            let column = ColumnRef::new(*next_id, name, expr.data_type(), expr.nullable());
            *next_id += 1;
            column
        })
        .collect();
    let passed: Vec<ColumnRef> = input
        .columns()
        .into_iter()
        .filter(|c| needed.contains(&c.id))
        .collect();
    let projection = Projection {
        input: input.clone(),
        exprs: shared
            .iter()
            .cloned()
            .chain(passed.iter().cloned().map(Expr::Column))
            .collect(),
        columns: new_columns.iter().cloned().chain(passed).collect(),
    };
    (projection, new_columns)
}

fn rewrite_aggregate(aggregate: &Aggregate, next_id: &mut ColumnId) -> Result<Option<LogicalPlan>> {
    let shared = shared(&LogicalPlan::Aggregate(aggregate.clone()).expressions());
    if shared.is_empty() {
        return Ok(None);
    }
    let (projection, columns) = {
        // Ids of the input columns the aggregate still reads once the shared
        // subexpressions are columns of the projection.
        let placeholder: Vec<ColumnRef> = shared
            .iter()
            .map(|e| ColumnRef::new(usize::MAX, "", e.data_type(), true))
            .collect();
        let mut needed = HashSet::new();
        for expr in LogicalPlan::Aggregate(aggregate.clone()).expressions() {
            replace(expr, &shared, &placeholder)?.collect_columns(&mut needed);
        }
        projection_below(&aggregate.input, &shared, &needed, next_id)
    };
    let rewrite = |expr: &Expr| replace(expr, &shared, &columns);
    let aggregates = aggregate
        .aggregates
        .iter()
        .map(|call| call.try_map_expressions(&mut |e| rewrite(e)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(LogicalPlan::Aggregate(Aggregate {
        input: Arc::new(LogicalPlan::Projection(projection)),
        group_exprs: aggregate
            .group_exprs
            .iter()
            .map(rewrite)
            .collect::<Result<_>>()?,
        aggregates,
        ..aggregate.clone()
    })))
}

fn rewrite_projection(
    projection: &Projection,
    next_id: &mut ColumnId,
) -> Result<Option<LogicalPlan>> {
    let shared = shared(&projection.exprs.iter().collect::<Vec<_>>());
    if shared.is_empty() {
        return Ok(None);
    }
    let placeholder: Vec<ColumnRef> = shared
        .iter()
        .map(|e| ColumnRef::new(usize::MAX, "", e.data_type(), true))
        .collect();
    let mut needed = HashSet::new();
    for expr in &projection.exprs {
        replace(expr, &shared, &placeholder)?.collect_columns(&mut needed);
    }
    let (below, columns) = projection_below(&projection.input, &shared, &needed, next_id);
    Ok(Some(LogicalPlan::Projection(Projection {
        input: Arc::new(LogicalPlan::Projection(below)),
        exprs: projection
            .exprs
            .iter()
            .map(|e| replace(e, &shared, &columns))
            .collect::<Result<_>>()?,
        columns: projection.columns.clone(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, rewrite, run};

    fn eliminated(sql: &str) -> String {
        rewrite(&EliminateCommonSubexpressions, sql)
    }

    #[test]
    fn shared_aggregate_argument_is_computed_once_below_the_aggregate() {
        assert_eq!(
            eliminated("SELECT sum(a * (1 - b)), sum(a * (1 - b) * x) FROM t1, t3"),
            "Project [sum(a * (1 - b))#6, sum(a * (1 - b) * x)#7]\n\
            \x20 Aggregate [], [sum(CAST(__common_expr_1#8 AS BIGINT)) AS sum(a * (1 - b))#6, \
            sum(CAST((__common_expr_1#8 * x#4) AS BIGINT)) AS sum(a * (1 - b) * x)#7]\n\
            \x20   Project [(a#1 * (1 - b#2)) AS __common_expr_1#8, x#4]\n\
            \x20     Join Inner\n\
            \x20       Scan t1 [a#1, b#2, c#3]\n\
            \x20       Scan t3 [x#4, y#5]\n"
        );
    }

    #[test]
    fn shared_projection_subexpression_is_computed_once_below_it() {
        assert_eq!(
            eliminated("SELECT (a + b) * 2, (a + b) * 3, c FROM t1"),
            "Project [(__common_expr_1#6 * 2) AS (a + b) * 2#4, (__common_expr_1#6 * 3) AS (a + b) * 3#5, c#3]\n\
            \x20 Project [(a#1 + b#2) AS __common_expr_1#6, c#3]\n\
            \x20   Scan t1 [a#1, b#2, c#3]\n"
        );
    }

    #[test]
    fn expressions_inside_case_branches_are_not_extracted() {
        let sql =
            "SELECT CASE WHEN a > 0 THEN b / a ELSE 0 END, CASE WHEN a > 1 THEN b / a END FROM t1";
        let (_, changed) = run(&EliminateCommonSubexpressions, bind(sql));
        assert!(!changed);
    }

    #[test]
    fn distinct_expressions_are_left_alone() {
        let (_, changed) = run(
            &EliminateCommonSubexpressions,
            bind("SELECT sum(a + 1), sum(b + 1) FROM t1"),
        );
        assert!(!changed);
    }
}
