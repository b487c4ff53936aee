//! Replaces DISTINCT by an aggregate that groups by every input column and
//! computes nothing, so later rules and the physical planner see one kind
//! of grouping operator.
//!
//! `Distinct <- Scan t [a#1, b#2]` ==> `Aggregate [a#1, b#2], [] <- Scan t`
//!
//! The group columns are the input's own columns (same ids), so the output
//! columns do not change. Always fires on a Distinct; the physical planner
//! still plans a Distinct the same way, so the plan is correct without this
//! rule.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::tree_node::Transformed;
use crate::logical::LogicalPlan;
use crate::optimizer::OptimizerRule;
use std::sync::Arc;

pub struct ReplaceDistinctWithAggregate;

impl OptimizerRule for ReplaceDistinctWithAggregate {
    fn name(&self) -> &'static str {
        "replace_distinct_with_aggregate"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            let LogicalPlan::Distinct(distinct) = node.as_ref() else {
                return Ok(Transformed::no(node));
            };
            Ok(Transformed::yes(Arc::new(LogicalPlan::Aggregate(
                Aggregate::distinct(distinct.input.clone()),
            ))))
        })?;
        Ok((result.data, result.transformed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::rewrite;

    #[test]
    fn distinct_becomes_an_aggregate_over_every_column() {
        assert_eq!(
            rewrite(
                &ReplaceDistinctWithAggregate,
                "SELECT DISTINCT a, c FROM t1"
            ),
            "Aggregate [a#1, c#3], []\n  Project [a#1, c#3]\n    Scan t1 [a#1, b#2, c#3]\n"
        );
    }
}
