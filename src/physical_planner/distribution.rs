//! Distribution requirements (Spark's EnsureRequirements). Every operator
//! has an output partitioning; an operator that needs its input distributed
//! a certain way asks for it here, and an Exchange is inserted only when the
//! input does not already satisfy it: a join on the keys an aggregate below
//! it grouped by (and so hash-partitioned by) adds no second exchange.
//!
//! - `single_partition`: all rows in one partition (global sort merge,
//!   LIMIT, aggregates without keys).
//! - `hash_partition(keys, n)`: equal keys in the same one of `n`
//!   partitions (shuffled joins, final aggregates, windows).

use crate::execution::expressions::PhysicalExpr;
use crate::execution::operators::*;
use std::sync::Arc;

/// How an operator's output rows are spread over its partitions, as far as
/// the planner can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputPartitioning {
    /// One partition.
    Single,
    /// Rows with equal values in these output columns share a partition.
    Hash(Vec<usize>, usize),
    /// Anything else, over this many partitions.
    Unknown(usize),
}

/// The output partitioning of `plan`.
pub fn output_partitioning(plan: &PhysicalPlan) -> OutputPartitioning {
    let partitions = plan.output_partitions();
    if partitions <= 1 {
        return OutputPartitioning::Single;
    }
    let unknown = OutputPartitioning::Unknown(partitions);
    match plan {
        PhysicalPlan::Exchange(exec) => match &exec.partitioning {
            Partitioning::Hash(keys, n) => match column_indices(keys) {
                Some(indices) => OutputPartitioning::Hash(indices, *n),
                None => unknown,
            },
            _ => unknown,
        },
        PhysicalPlan::Filter(exec) => output_partitioning(&exec.input),
        PhysicalPlan::Sort(exec) => output_partitioning(&exec.input),
        PhysicalPlan::Window(exec) => output_partitioning(&exec.input),
        PhysicalPlan::Projection(exec) => match output_partitioning(&exec.input) {
            OutputPartitioning::Hash(keys, n) => {
                let mapped: Option<Vec<usize>> = keys
                    .iter()
                    .map(|k| {
                        exec.exprs.iter().position(
                            |e| matches!(e, PhysicalExpr::Column { index, .. } if index == k),
                        )
                    })
                    .collect();
                mapped.map_or(unknown, |m| OutputPartitioning::Hash(m, n))
            }
            _ => unknown,
        },
        PhysicalPlan::HashAggregate(exec) if exec.mode != AggregateMode::Partial => {
            match output_partitioning(&exec.input) {
                OutputPartitioning::Hash(keys, n) => {
                    let mapped: Option<Vec<usize>> = keys
                        .iter()
                        .map(|k| {
                            exec.group_exprs.iter().position(
                                |e| matches!(e, PhysicalExpr::Column { index, .. } if index == k),
                            )
                        })
                        .collect();
                    mapped.map_or(unknown, |m| OutputPartitioning::Hash(m, n))
                }
                _ => unknown,
            }
        }
        PhysicalPlan::HashJoin(exec) => {
            probe_side_partitioning(&exec.probe, &exec.build, &exec.layout)
        }
        PhysicalPlan::SortMergeJoin(exec) => {
            probe_side_partitioning(&exec.probe, &exec.build, &exec.layout)
        }
        _ => unknown,
    }
}

/// A join's output keeps the probe side's partitioning, its columns shifted
/// when the build side's come first.
fn probe_side_partitioning(
    probe: &PhysicalPlan,
    build: &PhysicalPlan,
    layout: &JoinLayout,
) -> OutputPartitioning {
    let partitions = probe.output_partitions();
    if layout.join_type.emits_unmatched_build() {
        // Unmatched build rows carry NULL probe keys wherever they are.
        return if partitions <= 1 {
            OutputPartitioning::Single
        } else {
            OutputPartitioning::Unknown(partitions)
        };
    }
    match output_partitioning(probe) {
        OutputPartitioning::Hash(keys, n) => {
            // Outer rows padded with NULLs break nothing: NULL keys of the
            // probe side stay where they were.
            let shift = if layout.build_is_left {
                build.schema().fields().len()
            } else {
                0
            };
            OutputPartitioning::Hash(keys.into_iter().map(|k| k + shift).collect(), n)
        }
        _ if partitions <= 1 => OutputPartitioning::Single,
        _ => OutputPartitioning::Unknown(partitions),
    }
}

fn column_indices(keys: &[PhysicalExpr]) -> Option<Vec<usize>> {
    keys.iter()
        .map(|k| match k {
            PhysicalExpr::Column { index, .. } => Some(*index),
            _ => None,
        })
        .collect()
}

/// `plan` with all its rows in one partition.
pub fn single_partition(plan: Arc<PhysicalPlan>) -> Arc<PhysicalPlan> {
    if plan.output_partitions() <= 1 {
        return plan;
    }
    Arc::new(PhysicalPlan::Exchange(ExchangeExec::new(
        plan,
        Partitioning::Single,
    )))
}

/// Whether equal `keys` of `plan` already share one of `n` partitions.
pub fn is_hash_partitioned(plan: &PhysicalPlan, keys: &[PhysicalExpr], n: usize) -> bool {
    match (column_indices(keys), output_partitioning(plan)) {
        (Some(wanted), OutputPartitioning::Hash(have, m)) => have == wanted && m == n,
        _ => false,
    }
}

/// `plan` with equal `keys` in the same one of `n` partitions.
pub fn hash_partition(
    plan: Arc<PhysicalPlan>,
    keys: Vec<PhysicalExpr>,
    n: usize,
) -> Arc<PhysicalPlan> {
    if is_hash_partitioned(&plan, &keys, n) {
        return plan;
    }
    Arc::new(PhysicalPlan::Exchange(ExchangeExec::new(
        plan,
        Partitioning::Hash(keys, n),
    )))
}
