//! Moves LIMIT towards the scans, or copies it where the operator above
//! still needs it, so fewer rows flow through the plan:
//!
//! - through a projection: `Limit 10 <- Project [..] <- Sort`
//!   ==> `Project [..] <- Limit 10 <- Sort` (which the physical planner
//!   turns into a top-k sort);
//! - into every input of a UNION ALL, as `Limit skip+fetch` (the top limit
//!   stays);
//! - into the preserved side of a LEFT / RIGHT join, which outputs at least
//!   one row per row of that side (the top limit stays);
//! - `Limit 5 offset 2 <- Limit 10 offset 1` ==> `Limit 5 offset 3`;
//! - `Limit 0` ==> an empty relation with the same columns.
//!
//! A limit given by parameters (`LIMIT $1`) only moves through projections.
//!
//! Does not push past a filter, aggregate, sort, window or distinct, whose
//! output rows depend on more input rows than they output, nor into an
//! inner or full join.

use crate::error::Result;
use crate::logical::parameter::LimitParameters;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::LogicalPlan;
use crate::optimizer::OptimizerRule;
use std::sync::Arc;

pub struct PushDownLimit;

impl OptimizerRule for PushDownLimit {
    fn name(&self) -> &'static str {
        "push_down_limit"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_down(plan, &mut |node| {
            let pushed = match node.as_ref() {
                LogicalPlan::Limit(limit) => push(limit),
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

/// Whether `plan` outputs at most `rows` rows because of a limit at its top
/// (under projections, where an earlier push left it).
fn limited_to(plan: &LogicalPlan, rows: usize) -> bool {
    match plan {
        LogicalPlan::Limit(existing) => existing.fetch.is_some_and(|fetch| fetch <= rows),
        LogicalPlan::Projection(projection) => limited_to(&projection.input, rows),
        _ => false,
    }
}

/// `input` with at most `rows` rows, unless it is already limited to as few
/// (which keeps the fixed point finite).
fn limited(input: &Arc<LogicalPlan>, rows: usize) -> Option<Arc<LogicalPlan>> {
    if limited_to(input, rows) {
        return None;
    }
    Some(Arc::new(LogicalPlan::Limit(Limit {
        input: input.clone(),
        skip: 0,
        fetch: Some(rows),
        parameters: LimitParameters::default(),
    })))
}

/// The plan with `limit` pushed one step, or `None` when it stays.
fn push(limit: &Limit) -> Option<Arc<LogicalPlan>> {
    if limit.fetch == Some(0) {
        return Some(Arc::new(LogicalPlan::EmptyRelation(EmptyRelation {
            produce_one_row: false,
            columns: limit.input.columns(),
        })));
    }
    let wrap = |input: Arc<LogicalPlan>| {
        Arc::new(LogicalPlan::Limit(Limit {
            input,
            skip: limit.skip,
            fetch: limit.fetch,
            parameters: limit.parameters.clone(),
        }))
    };
    // A limit given by parameters moves only through projections: its
    // values are not known until the statement executes.
    let known = |limit: &Limit| limit.parameters.is_empty();
    match limit.input.as_ref() {
        LogicalPlan::Projection(projection) => {
            Some(Arc::new(LogicalPlan::Projection(Projection {
                input: wrap(projection.input.clone()),
                ..projection.clone()
            })))
        }
        LogicalPlan::Limit(inner) if known(limit) && known(inner) => {
            // The outer limit skips rows of what the inner one lets through.
            let inner_left = inner.fetch.map(|fetch| fetch.saturating_sub(limit.skip));
            let fetch = match (inner_left, limit.fetch) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            Some(Arc::new(LogicalPlan::Limit(Limit {
                input: inner.input.clone(),
                skip: inner.skip + limit.skip,
                fetch,
                parameters: LimitParameters::default(),
            })))
        }
        LogicalPlan::Union(union) if known(limit) => {
            let rows = limit.skip + limit.fetch?;
            let pushed: Vec<Option<Arc<LogicalPlan>>> =
                union.inputs.iter().map(|i| limited(i, rows)).collect();
            if pushed.iter().all(Option::is_none) {
                return None;
            }
            let inputs = pushed
                .into_iter()
                .zip(&union.inputs)
                .map(|(new, old)| new.unwrap_or_else(|| old.clone()))
                .collect();
            Some(wrap(Arc::new(LogicalPlan::Union(Union {
                inputs,
                columns: union.columns.clone(),
            }))))
        }
        LogicalPlan::Join(join)
            if known(limit) && matches!(join.join_type, JoinType::Left | JoinType::Right) =>
        {
            let rows = limit.skip + limit.fetch?;
            let new = match join.join_type {
                JoinType::Left => Join {
                    left: limited(&join.left, rows)?,
                    ..join.clone()
                },
                _ => Join {
                    right: limited(&join.right, rows)?,
                    ..join.clone()
                },
            };
            Some(wrap(Arc::new(LogicalPlan::Join(new))))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, rewrite, run};

    fn pushed(sql: &str) -> String {
        rewrite(&PushDownLimit, sql)
    }

    #[test]
    fn limit_moves_below_projection_onto_the_sort() {
        assert_eq!(
            pushed("SELECT a + 1 FROM t1 ORDER BY b LIMIT 3"),
            "Project [a + 1#4]\n\
            \x20 Limit 3 offset 0\n\
            \x20   Sort [b#2 ASC NULLS LAST]\n\
            \x20     Project [(a#1 + 1) AS a + 1#4, b#2]\n\
            \x20       Scan t1 [a#1, b#2, c#3]\n"
        );
    }

    #[test]
    fn limit_is_copied_into_every_union_all_input() {
        assert_eq!(
            pushed("SELECT a FROM t1 UNION ALL SELECT x FROM t3 LIMIT 2 OFFSET 1"),
            "Limit 2 offset 1\n\
            \x20 Union [a#6]\n\
            \x20   Project [a#1]\n\
            \x20     Limit 3 offset 0\n\
            \x20       Scan t1 [a#1, b#2, c#3]\n\
            \x20   Project [x#4]\n\
            \x20     Limit 3 offset 0\n\
            \x20       Scan t3 [x#4, y#5]\n"
        );
    }

    #[test]
    fn limit_is_copied_into_the_left_side_of_a_left_join() {
        assert_eq!(
            pushed("SELECT * FROM t1 LEFT JOIN t3 ON t1.a = t3.x LIMIT 4"),
            "Project [a#1, b#2, c#3, x#4, y#5]\n\
            \x20 Limit 4 offset 0\n\
            \x20   Join LeftOuter on [a#1 = x#4]\n\
            \x20     Limit 4 offset 0\n\
            \x20       Scan t1 [a#1, b#2, c#3]\n\
            \x20     Scan t3 [x#4, y#5]\n"
        );
    }

    #[test]
    fn limit_already_below_a_projection_is_not_added_again() {
        let sql = "SELECT a FROM t1 UNION ALL SELECT x FROM t3 LIMIT 2";
        let (once, _) = PushDownLimit.rewrite(bind(sql)).unwrap();
        let (_, changed) = run(&PushDownLimit, once);
        assert!(!changed);
    }

    #[test]
    fn nested_limits_merge() {
        assert_eq!(
            pushed("SELECT * FROM (SELECT a FROM t1 LIMIT 10 OFFSET 1) s LIMIT 5 OFFSET 2"),
            "Project [a#1]\n  Limit 5 offset 3\n    Project [a#1]\n      Scan t1 [a#1, b#2, c#3]\n"
        );
    }

    #[test]
    fn limit_zero_is_an_empty_relation() {
        assert_eq!(pushed("SELECT a FROM t1 LIMIT 0"), "EmptyRelation rows=0\n");
    }

    #[test]
    fn limit_stays_above_filter_aggregate_and_distinct() {
        let sql = "SELECT DISTINCT a FROM t1 WHERE b > 1 LIMIT 3";
        let (_, changed) = run(&PushDownLimit, bind(sql));
        assert!(!changed);
    }
}
