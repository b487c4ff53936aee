//! Copies single-column predicates across the equi-join keys of inner and
//! semi joins, so both sides of the join are filtered before it:
//!
//! `Join Inner on [a#1 = b#2] <- (Filter (a#1 < 5) <- Scan t1, Scan t2)`
//! ==> `Join Inner on [a#1 = b#2] <- (Filter (a#1 < 5) <- Scan t1,
//!      Filter (b#2 < 5) <- Scan t2)`
//!
//! A predicate qualifies when it reads one key column (or a cast of it) and
//! literals only: a comparison, `IN (literals)`, `IS NOT NULL`. A side's
//! predicates are found through filters, scan filters, projections and
//! aggregates (mapping computed expressions back to the columns they
//! define), sorts, limits, distincts, windows, unions (predicates every input
//! has) and the preserved sides of joins. The copy goes on top of the other
//! side as a filter only when that side does not have it yet, so the rule
//! reaches a fixed point; `push_down_filter` then moves it down.
//!
//! Does not fire for outer or anti joins (the copy would change which rows
//! are padded or kept), for keys that are not bare columns of equal type,
//! nor for predicates over more than one column.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::{BinaryOp, ColumnId, ColumnRef, Expr, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::collections::HashSet;
use std::sync::Arc;

pub struct InferPredicates;

impl OptimizerRule for InferPredicates {
    fn name(&self) -> &'static str {
        "infer_predicates"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            let LogicalPlan::Join(join) = node.as_ref() else {
                return Ok(Transformed::no(node));
            };
            Ok(match infer(join)? {
                Some(new) => Transformed::yes(Arc::new(LogicalPlan::Join(new))),
                None => Transformed::no(node),
            })
        })?;
        Ok((result.data, result.transformed))
    }
}

fn infer(join: &Join) -> Result<Option<Join>> {
    if !matches!(join.join_type, JoinType::Inner | JoinType::Semi) {
        return Ok(None);
    }
    let (left_facts, right_facts) = (facts(&join.left), facts(&join.right));
    let known = |facts: &[Expr]| facts.iter().map(|f| f.to_string()).collect::<HashSet<_>>();
    let (mut left_known, mut right_known) = (known(&left_facts), known(&right_facts));
    let (mut to_left, mut to_right) = (vec![], vec![]);
    for (l, r) in &join.on {
        let (Expr::Column(l), Expr::Column(r)) = (l, r) else {
            continue;
        };
        if l.data_type != r.data_type {
            continue;
        }
        copy(&left_facts, l, r, &mut right_known, &mut to_right)?;
        copy(&right_facts, r, l, &mut left_known, &mut to_left)?;
    }
    if to_left.is_empty() && to_right.is_empty() {
        return Ok(None);
    }
    let filtered =
        |input: &Arc<LogicalPlan>, conjuncts: Vec<Expr>| match Expr::conjunction(conjuncts) {
            Some(predicate) => Arc::new(LogicalPlan::Filter(Filter {
                input: input.clone(),
                predicate,
            })),
            None => input.clone(),
        };
    Ok(Some(Join {
        left: filtered(&join.left, to_left),
        right: filtered(&join.right, to_right),
        ..join.clone()
    }))
}

/// Appends to `out` every fact on `from` rewritten to `to` that `known`
/// does not hold yet.
fn copy(
    facts: &[Expr],
    from: &ColumnRef,
    to: &ColumnRef,
    known: &mut HashSet<String>,
    out: &mut Vec<Expr>,
) -> Result<()> {
    for fact in facts.iter().filter(|f| fact_column(f) == Some(from.id)) {
        let copied = fact
            .clone()
            .transform_up(&mut |e| {
                Ok(match e {
                    Expr::Column(c) if c.id == from.id => {
                        Transformed::yes(Expr::Column(to.clone()))
                    }
                    e => Transformed::no(e),
                })
            })?
            .data;
        if known.insert(copied.to_string()) {
            out.push(copied);
        }
    }
    Ok(())
}

/// The column a predicate restricts when it is a comparison with a literal,
/// an IN list of literals or IS NOT NULL over that column (or a cast of it).
/// A parameter counts as a literal: it is one in every execution.
fn fact_column(fact: &Expr) -> Option<ColumnId> {
    let column = |e: &Expr| match e {
        Expr::Column(c) => Some(c.id),
        Expr::Cast(cast) => match cast.expr.as_ref() {
            Expr::Column(c) => Some(c.id),
            _ => None,
        },
        _ => None,
    };
    let literal = |e: &Expr| matches!(e, Expr::Literal(_) | Expr::Parameter(_));
    match fact {
        Expr::Binary(binary)
            if binary.op.is_comparison()
                && !matches!(
                    binary.op,
                    BinaryOp::IsDistinctFrom | BinaryOp::IsNotDistinctFrom
                ) =>
        {
            match (column(&binary.left), column(&binary.right)) {
                (Some(id), None) if literal(&binary.right) => Some(id),
                (None, Some(id)) if literal(&binary.left) => Some(id),
                _ => None,
            }
        }
        Expr::InList(in_list) if in_list.list.iter().all(literal) => column(&in_list.expr),
        Expr::IsNotNull(inner) => column(inner),
        _ => None,
    }
}

/// Conjuncts that hold for every output row of `plan`, over its columns.
fn facts(plan: &LogicalPlan) -> Vec<Expr> {
    match plan {
        LogicalPlan::Filter(filter) => {
            let mut out = filter.predicate.clone().split_conjunction();
            out.extend(facts(&filter.input));
            out
        }
        LogicalPlan::Scan(scan) => scan.filters.clone(),
        LogicalPlan::Projection(projection) => map_back(
            facts(&projection.input),
            &projection.exprs,
            &projection.columns,
        ),
        LogicalPlan::Aggregate(aggregate) if aggregate.grouping_sets.is_empty() => map_back(
            facts(&aggregate.input),
            &aggregate.group_exprs,
            &aggregate.group_columns,
        ),
        LogicalPlan::Sort(Sort { input, .. })
        | LogicalPlan::Limit(Limit { input, .. })
        | LogicalPlan::Distinct(Distinct { input })
        | LogicalPlan::Window(Window { input, .. }) => facts(input),
        LogicalPlan::Join(join) => match join.join_type {
            JoinType::Inner => [facts(&join.left), facts(&join.right)].concat(),
            JoinType::Left | JoinType::Semi | JoinType::Anti => facts(&join.left),
            JoinType::Right => facts(&join.right),
            JoinType::Full => vec![],
        },
        LogicalPlan::Union(union) => {
            let per_input: Vec<Vec<Expr>> = union
                .inputs
                .iter()
                .map(|input| {
                    let exprs: Vec<Expr> = input.columns().into_iter().map(Expr::Column).collect();
                    map_back(facts(input), &exprs, &union.columns)
                })
                .collect();
            let Some((first, rest)) = per_input.split_first() else {
                return vec![];
            };
            first
                .iter()
                .filter(|fact| {
                    let text = fact.to_string();
                    rest.iter()
                        .all(|other| other.iter().any(|o| o.to_string() == text))
                })
                .cloned()
                .collect()
        }
        _ => vec![],
    }
}

/// Facts over a node's input rewritten over its output: each `exprs[i]` is
/// replaced by `columns[i]`; facts reading other columns are dropped.
fn map_back(facts: Vec<Expr>, exprs: &[Expr], columns: &[ColumnRef]) -> Vec<Expr> {
    let outputs: HashSet<ColumnId> = columns.iter().map(|c| c.id).collect();
    facts
        .into_iter()
        .filter_map(|fact| {
            let mapped = fact
                .transform_up(&mut |e| {
                    let defined = exprs
                        .iter()
                        .position(|x| x == &e)
                        .map(|i| Expr::Column(columns[i].clone()));
                    Ok(match defined {
                        Some(column) if column != e => Transformed::yes(column),
                        _ => Transformed::no(e),
                    })
                })
                .ok()?
                .data;
            mapped.column_ids().is_subset(&outputs).then_some(mapped)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, run};
    use crate::optimizer::rules::PushDownFilter;

    /// The plan after filters were pushed (so the predicate sits on a join
    /// side), then after this rule alone.
    fn inferred(sql: &str) -> (String, String) {
        let (pushed, _) = PushDownFilter.rewrite(bind(sql)).unwrap();
        let before = pushed.display_indent();
        (before, run(&InferPredicates, pushed).0)
    }

    #[test]
    fn key_predicate_is_copied_to_the_other_side() {
        let (before, after) = inferred("SELECT * FROM t1 JOIN t2 ON t1.a = t2.b WHERE t1.a < 5");
        assert!(!before.contains("(b#4 < 5)"), "{before}");
        assert_eq!(
            after,
            "Project [a#1, b#2, c#3, a#4, b#5, c#6]\n\
            \x20 Join Inner on [a#1 = b#5]\n\
            \x20   Filter (a#1 < 5)\n\
            \x20     Scan t1 [a#1, b#2, c#3] filters=[(a#1 < 5)]\n\
            \x20   Filter (b#5 < 5)\n\
            \x20     Scan t2 [a#4, b#5, c#6]\n"
        );
    }

    #[test]
    fn in_list_and_is_not_null_are_copied_from_the_right() {
        let (_, after) = inferred(
            "SELECT * FROM t1 JOIN t3 ON t1.a = t3.x WHERE t3.x IN (1, 2) AND t3.x IS NOT NULL",
        );
        assert_eq!(
            after,
            "Project [a#1, b#2, c#3, x#4, y#5]\n\
            \x20 Join Inner on [a#1 = x#4]\n\
            \x20   Filter (a#1 IN (1, 2) AND a#1 IS NOT NULL)\n\
            \x20     Scan t1 [a#1, b#2, c#3]\n\
            \x20   Filter (x#4 IN (1, 2) AND x#4 IS NOT NULL)\n\
            \x20     Scan t3 [x#4, y#5] filters=[x#4 IN (1, 2), x#4 IS NOT NULL]\n"
        );
    }

    #[test]
    fn predicate_already_on_both_sides_is_not_copied_again() {
        let sql = "SELECT * FROM t1 JOIN t2 ON t1.a = t2.b WHERE t1.a < 5 AND t2.b < 5";
        let (pushed, _) = PushDownFilter.rewrite(bind(sql)).unwrap();
        let (_, changed) = run(&InferPredicates, pushed);
        assert!(!changed);
    }

    #[test]
    fn left_join_gets_no_inferred_predicate() {
        let sql = "SELECT * FROM t1 LEFT JOIN t3 ON t1.a = t3.x WHERE t1.a < 5";
        let (pushed, _) = PushDownFilter.rewrite(bind(sql)).unwrap();
        let (_, changed) = run(&InferPredicates, pushed);
        assert!(!changed);
    }
}
