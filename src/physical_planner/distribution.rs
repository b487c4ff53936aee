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
        PhysicalPlan::Shared(exec) => output_partitioning(&exec.input),
        PhysicalPlan::Projection(exec) => {
            passed_through(output_partitioning(&exec.input), &exec.exprs).unwrap_or(unknown)
        }
        PhysicalPlan::HashAggregate(exec) if exec.mode != AggregateMode::Partial => {
            passed_through(output_partitioning(&exec.input), &exec.group_exprs).unwrap_or(unknown)
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

/// An input hash partitioning seen through `exprs` (a projection's, or an
/// aggregate's group keys, which come first in its output): kept when every
/// key column is passed through as it is.
fn passed_through(input: OutputPartitioning, exprs: &[PhysicalExpr]) -> Option<OutputPartitioning> {
    let OutputPartitioning::Hash(keys, n) = input else {
        return None;
    };
    let mapped: Option<Vec<usize>> = keys
        .iter()
        .map(|k| {
            exprs
                .iter()
                .position(|e| matches!(e, PhysicalExpr::Column { index, .. } if index == k))
        })
        .collect();
    mapped.map(|m| OutputPartitioning::Hash(m, n))
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

/// What an operator requires of how a child's rows are spread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distribution {
    Any,
    /// All rows in one partition.
    Single,
    /// Equal values of these child columns in one partition.
    Hash(Vec<usize>),
    /// Every row available to every task (collected once, shared).
    Broadcast,
}

/// The distribution `plan` requires of each of its children, in the order
/// of `children()`.
pub fn required_distribution(plan: &PhysicalPlan) -> Vec<Distribution> {
    let hash = |keys: &[PhysicalExpr]| match column_indices(keys) {
        Some(indices) if !indices.is_empty() => Distribution::Hash(indices),
        Some(_) => Distribution::Single,
        None => Distribution::Any,
    };
    match plan {
        PhysicalPlan::HashAggregate(exec) => match exec.mode {
            AggregateMode::Partial => vec![Distribution::Any],
            _ if exec.group_exprs.is_empty() => vec![Distribution::Single],
            _ => vec![hash(&exec.group_exprs)],
        },
        PhysicalPlan::Limit(_) => vec![Distribution::Single],
        PhysicalPlan::HashJoin(exec) if exec.partitioned => {
            vec![hash(&exec.probe_keys), hash(&exec.build_keys)]
        }
        // Probe tasks of a broadcast hash join merge which build rows they
        // matched; the last one emits the unmatched: any probe partitioning.
        PhysicalPlan::HashJoin(_) => vec![Distribution::Any, Distribution::Broadcast],
        PhysicalPlan::NestedLoopJoin(exec) => {
            vec![probe_requirement(&exec.layout), Distribution::Broadcast]
        }
        PhysicalPlan::SortMergeJoin(exec) => {
            vec![hash(&exec.probe_keys), hash(&exec.build_keys)]
        }
        PhysicalPlan::Window(exec) => {
            let shared: Vec<PhysicalExpr> = match exec.calls.split_first() {
                Some((first, rest)) => first
                    .partition_by
                    .iter()
                    .filter(|e| {
                        rest.iter().all(|c| {
                            c.partition_by
                                .iter()
                                .any(|o| o.to_string() == e.to_string())
                        })
                    })
                    .cloned()
                    .collect(),
                None => vec![],
            };
            vec![hash(&shared)]
        }
        other => other.children().iter().map(|_| Distribution::Any).collect(),
    }
}

/// A broadcast join emitting unmatched build rows probes in one partition.
fn probe_requirement(layout: &JoinLayout) -> Distribution {
    if layout.join_type.emits_unmatched_build() {
        Distribution::Single
    } else {
        Distribution::Any
    }
}

/// Whether `child` satisfies `required`.
pub fn satisfies(child: &PhysicalPlan, required: &Distribution) -> bool {
    match required {
        Distribution::Any | Distribution::Broadcast => true,
        _ if child.output_partitions() <= 1 => true,
        Distribution::Single => false,
        Distribution::Hash(keys) => {
            matches!(output_partitioning(child), OutputPartitioning::Hash(have, _) if &have == keys)
        }
    }
}

/// Checks that every operator's children are distributed as it requires;
/// names the first that is not (a planner bug).
pub fn check_distribution(plan: &PhysicalPlan) -> crate::error::Result<()> {
    let children = plan.children();
    for (child, required) in children.iter().zip(required_distribution(plan)) {
        // A sort-merge join's children are Sorts over the exchanges.
        let below = match (plan, child.as_ref()) {
            (PhysicalPlan::SortMergeJoin(_), PhysicalPlan::Sort(sort)) => &sort.input,
            _ => *child,
        };
        if !satisfies(below, &required) {
            return Err(crate::error::QuarryError::Internal(format!(
                "{} requires {required:?} of {}, which is {:?}",
                plan.node_line(),
                below.node_line(),
                output_partitioning(below)
            )));
        }
        check_distribution(child)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::record_batch::RecordBatch;

    fn values() -> Arc<PhysicalPlan> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, false),
            Field::new("b", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![1, 2])),
                Arc::new(Int64Array::from(vec![3, 4])),
            ],
        )
        .unwrap();
        Arc::new(PhysicalPlan::Values(ValuesExec { batch }))
    }

    fn column(index: usize) -> PhysicalExpr {
        PhysicalExpr::Column {
            index,
            name: format!("c{index}"),
        }
    }

    #[test]
    fn one_partition_satisfies_everything() {
        let plan = values();
        for required in [
            Distribution::Single,
            Distribution::Hash(vec![1]),
            Distribution::Broadcast,
        ] {
            assert!(satisfies(&plan, &required));
        }
    }

    #[test]
    fn a_hash_exchange_satisfies_only_its_own_keys() {
        let exchanged = hash_partition(values(), vec![column(0)], 2);
        assert!(matches!(exchanged.as_ref(), PhysicalPlan::Exchange(_)));
        assert!(satisfies(&exchanged, &Distribution::Hash(vec![0])));
        assert!(!satisfies(&exchanged, &Distribution::Hash(vec![1])));
        assert!(!satisfies(&exchanged, &Distribution::Single));
        // Asking again adds no second exchange; other keys or counts do.
        let again = hash_partition(exchanged.clone(), vec![column(0)], 2);
        assert!(Arc::ptr_eq(&again, &exchanged));
        let other = hash_partition(exchanged.clone(), vec![column(1)], 2);
        assert!(!Arc::ptr_eq(&other, &exchanged));
        let more = hash_partition(exchanged.clone(), vec![column(0)], 3);
        assert!(!Arc::ptr_eq(&more, &exchanged));
    }

    #[test]
    fn the_check_names_an_unsatisfied_requirement() {
        // A LIMIT over two partitions: LIMIT needs one.
        let exchanged = hash_partition(values(), vec![column(0)], 2);
        let limit = PhysicalPlan::Limit(LimitExec {
            input: exchanged,
            skip: 0,
            fetch: Some(1),
        });
        let error = check_distribution(&limit).unwrap_err().to_string();
        assert!(error.contains("requires Single"), "{error}");
        let fixed = PhysicalPlan::Limit(LimitExec {
            input: single_partition(hash_partition(values(), vec![column(0)], 2)),
            skip: 0,
            fetch: Some(1),
        });
        check_distribution(&fixed).unwrap();
    }
}
