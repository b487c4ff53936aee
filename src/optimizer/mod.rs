//! The optimizer: batches of rewrite rules run in a fixed order, each batch
//! once or to a fixed point (Catalyst's RuleExecutor). Every rule that changes
//! the plan is recorded in the trace.
//!
//! The order, and why:
//! 0. `decorrelate_subqueries` before everything: the binder leaves
//!    correlated subqueries as dependent joins whose right side reads the
//!    left's columns; no other rule has to know about them.
//! 1. Simplify: `fold_constants` first, so later rules see literals, not
//!    expressions; `simplify_expressions` beside it, since each exposes work
//!    for the other (`CASE WHEN 1 = 1` needs the fold, a removed `x * 1`
//!    can leave a constant to fold).
//! 2. Pushdown, to a fixed point, so filters sit on scans before pruning
//!    decides which columns each scan must read:
//!    - `eliminate_outer_join` before `push_down_filter`, which pushes no
//!      conjunct into the padded side of an outer join: once the join is
//!      inner, the filter above it can move down;
//!    - `infer_predicates` before `push_down_filter`, which then moves the
//!      copied predicates down the other side of the join;
//!    - `push_down_semi_join` after the filters, so the inputs it compares
//!      are estimated with their filters in place;
//!    - `push_down_limit` after the filters, since a limit never passes a
//!      filter;
//!    - `propagate_empty_relation` last and after Simplify (`WHERE 1 = 0`
//!      is `false` by then); pushed-down `false` filters and `LIMIT 0`
//!      become empty relations here, and the emptiness climbs to the root
//!      within the same fixed point.
//! 3. `reorder_joins` once the join conditions sit on the joins, so it sees
//!    which inputs connect; then `filter_aggregate_input_by_join`, whose
//!    semi joins copy a join's other side and must not be reordered with
//!    it.
//! 4. `replace_distinct_with_aggregate` after the pushdown (whose rules
//!    treat DISTINCT and a grouping by every column alike), so the traces
//!    above still show the DISTINCT the query wrote.
//! 5. `eliminate_common_subexpressions` once, after join reordering (the
//!    projections it inserts would cut the join trees `reorder_joins`
//!    collects) and before pruning, which then trims the columns the
//!    inserted projections pass through.
//! 6. `prune_columns` last: it reads the final shape of the plan.

pub mod bind_parameters;
pub mod cost;
pub mod rules;

use crate::error::Result;
use crate::execution::expressions::PhysicalExpr;
use crate::logical::{Expr, LogicalPlan, ScalarValue};
use arrow::datatypes::Schema;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use std::sync::Arc;

/// A plan rewrite. `name()` is the file stem of the rule.
pub trait OptimizerRule {
    fn name(&self) -> &'static str;
    /// Returns the rewritten plan and whether anything changed.
    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)>;
}

/// How often a batch runs.
pub enum Strategy {
    Once,
    FixedPoint(usize),
}

pub struct Batch {
    pub name: &'static str,
    pub strategy: Strategy,
    pub rules: Vec<Box<dyn OptimizerRule>>,
}

/// One effective rule application: the rule and the plan after it.
#[derive(Debug, Clone)]
pub struct TraceEntry {
    pub rule: &'static str,
    pub plan: String,
}

pub struct Optimizer {
    batches: Vec<Batch>,
}

impl Default for Optimizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Optimizer {
    pub fn new() -> Self {
        Self {
            batches: vec![
                Batch {
                    name: "Decorrelate",
                    strategy: Strategy::Once,
                    rules: vec![Box::new(rules::DecorrelateSubqueries)],
                },
                Batch {
                    name: "Simplify",
                    strategy: Strategy::FixedPoint(10),
                    rules: vec![
                        Box::new(rules::FoldConstants),
                        Box::new(rules::SimplifyExpressions),
                    ],
                },
                Batch {
                    name: "Pushdown",
                    strategy: Strategy::FixedPoint(10),
                    rules: vec![
                        Box::new(rules::EliminateOuterJoin),
                        Box::new(rules::InferPredicates),
                        Box::new(rules::PushDownFilter),
                        Box::new(rules::PushDownSemiJoin),
                        Box::new(rules::PushDownLimit),
                        Box::new(rules::PropagateEmptyRelation),
                    ],
                },
                Batch {
                    name: "Join order",
                    strategy: Strategy::Once,
                    rules: vec![
                        Box::new(rules::ReorderJoins),
                        Box::new(rules::FilterAggregateInputByJoin),
                    ],
                },
                Batch {
                    name: "Operators",
                    strategy: Strategy::Once,
                    rules: vec![Box::new(rules::ReplaceDistinctWithAggregate)],
                },
                Batch {
                    name: "Common subexpressions",
                    strategy: Strategy::Once,
                    rules: vec![Box::new(rules::EliminateCommonSubexpressions)],
                },
                Batch {
                    name: "Pruning",
                    strategy: Strategy::Once,
                    rules: vec![Box::new(rules::PruneColumns)],
                },
            ],
        }
    }

    /// Optimizes `plan`, returning it with the trace of effective rules.
    pub fn optimize(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, Vec<TraceEntry>)> {
        let mut plan = plan;
        let mut trace = vec![];
        for batch in &self.batches {
            let max_iterations = match batch.strategy {
                Strategy::Once => 1,
                Strategy::FixedPoint(n) => n,
            };
            for _ in 0..max_iterations {
                let mut changed = false;
                for rule in &batch.rules {
                    let before_columns = plan.columns();
                    let (next, rule_changed) = rule.rewrite(plan)?;
                    plan = next;
                    if rule_changed {
                        changed = true;
                        if cfg!(debug_assertions) {
                            check_invariants(rule.name(), &before_columns, &plan)?;
                        }
                        trace.push(TraceEntry {
                            rule: rule.name(),
                            plan: plan.display_indent(),
                        });
                    }
                }
                if !changed {
                    break;
                }
            }
            let _ = batch.name;
        }
        Ok((plan, trace))
    }
}

/// After a rule: the output columns are unchanged and every column an
/// expression reads is produced by the node's children.
fn check_invariants(
    rule: &str,
    before: &[crate::logical::ColumnRef],
    plan: &LogicalPlan,
) -> Result<()> {
    let after = plan.columns();
    let ids = |cols: &[crate::logical::ColumnRef]| {
        cols.iter()
            .map(|c| (c.id, c.data_type.clone()))
            .collect::<Vec<_>>()
    };
    if ids(before) != ids(&after) {
        return Err(crate::error::QuarryError::Internal(format!(
            "optimizer rule {rule} changed the output columns"
        )));
    }
    plan.apply(&mut |node| {
        let available: std::collections::HashSet<_> = node
            .children()
            .iter()
            .flat_map(|c| c.columns())
            .map(|c| c.id)
            .collect();
        if node.children().is_empty() {
            return Ok(());
        }
        for expr in node.expressions() {
            for id in expr.column_ids() {
                if !available.contains(&id) {
                    return Err(crate::error::QuarryError::Internal(format!(
                        "after optimizer rule {rule}, {} reads column #{id}, which its input does not produce",
                        node.node_line()
                    )));
                }
            }
        }
        Ok(())
    })
}

/// Evaluates an expression that reads no columns.
pub fn evaluate_constant(expr: &Expr) -> Result<ScalarValue> {
    let physical: PhysicalExpr = crate::physical_planner::InputLayout::new(&[]).create(expr)?;
    let batch = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )?;
    let array = physical.evaluate_to_array(&batch)?;
    ScalarValue::try_new(array)
}
