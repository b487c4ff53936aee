//! Join strategy, chosen by cost as Spark does:
//!
//! 1. A hint on a side wins: `BROADCAST(t)` broadcasts the side reading t,
//!    `MERGE(t)` picks sort-merge, `SHUFFLE_HASH(t)` shuffled hash.
//! 2. Else BroadcastHashJoin when the buildable side with fewer rows is
//!    estimated at most `broadcast_threshold` bytes, or at most 10 times
//!    that and broadcasting costs less than shuffling both sides (on 2
//!    threads: the probe side has more rows than the build side).
//! 3. Else both sides are hash-partitioned on the keys: SortMergeJoin when
//!    `prefer_sort_merge_join`, else ShuffledHashJoin.
//!
//! Without equality keys: BroadcastNestedLoopJoin. A null-aware anti join
//! (NOT IN) must see every build row, so it is always broadcast. Every
//! alternative's cost is recorded for EXPLAIN COST.

use super::distribution::{hash_partition, single_partition};
use super::{nullable_schema, InputLayout, PhysicalPlanner};
use crate::error::Result;
use crate::execution::expressions::PhysicalExpr;
use crate::execution::operators::*;
use crate::logical::plan::{Join, JoinHint};
use crate::logical::{JoinType, LogicalPlan};
use crate::optimizer::cost::estimate;
use arrow::compute::SortOptions;
use std::sync::Arc;

/// How far above `broadcast_threshold` a build side may be broadcast when
/// the costs favour it over shuffling both sides.
const BROADCAST_COST_FACTOR: u64 = 10;

/// The physical join operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    BroadcastHash,
    ShuffledHash,
    SortMerge,
}

impl Strategy {
    fn name(self) -> &'static str {
        match self {
            Strategy::BroadcastHash => "BroadcastHashJoin",
            Strategy::ShuffledHash => "ShuffledHashJoin",
            Strategy::SortMerge => "SortMergeJoin",
        }
    }
}

/// A hint on a scan below `plan` that no join sits between.
fn hint_of(plan: &LogicalPlan) -> Option<JoinHint> {
    match plan {
        LogicalPlan::Scan(scan) => scan.hint,
        LogicalPlan::Join(_) => None,
        other => other.children().into_iter().find_map(|c| hint_of(c)),
    }
}

impl PhysicalPlanner<'_> {
    pub(super) fn plan_join(&self, join: &Join) -> Result<PhysicalPlan> {
        if join.dependent {
            return Err(crate::error::QuarryError::Internal(
                "a correlated subquery reached the physical planner undecorrelated".into(),
            ));
        }
        let left = self.create(&join.left)?;
        let right = self.create(&join.right)?;
        let (left_columns, right_columns) = (join.left.columns(), join.right.columns());
        let joined = [left_columns.clone(), right_columns.clone()].concat();
        let filter = join
            .filter
            .as_ref()
            .map(|f| InputLayout::new(&joined).create(f))
            .transpose()?;
        let layout = |join_type: ProbeJoinType, build_is_left: bool| JoinLayout {
            join_type,
            build_is_left,
            null_aware: join.null_aware,
            null_equals_null: join.null_equals_null,
            filter: filter.clone(),
            schema: nullable_schema(&join.columns()),
            joined_schema: nullable_schema(&joined),
        };
        let probe_type = match join.join_type {
            JoinType::Inner => ProbeJoinType::Inner,
            JoinType::Left => ProbeJoinType::ProbeOuter,
            JoinType::Right => ProbeJoinType::ProbeOuter,
            JoinType::Full => ProbeJoinType::Full,
            JoinType::Semi => ProbeJoinType::Semi,
            JoinType::Anti => ProbeJoinType::Anti,
        };
        if join.on.is_empty() {
            // Right joins probe with the right side and build the left.
            let (probe, build, build_is_left) = if join.join_type == JoinType::Right {
                (right, left, true)
            } else {
                (left, right, false)
            };
            let probe = if probe_type.emits_unmatched_build() {
                single_partition(probe)
            } else {
                probe
            };
            return Ok(PhysicalPlan::NestedLoopJoin(NestedLoopJoinExec {
                probe,
                build,
                layout: layout(probe_type, build_is_left),
                built: Default::default(),
            }));
        }
        let left_layout = InputLayout::new(&left_columns);
        let right_layout = InputLayout::new(&right_columns);
        let left_keys = join
            .on
            .iter()
            .map(|(l, _)| left_layout.create(l))
            .collect::<Result<Vec<_>>>()?;
        let right_keys = join
            .on
            .iter()
            .map(|(_, r)| right_layout.create(r))
            .collect::<Result<Vec<_>>>()?;

        let (mut strategy, build_left) = self.choose(join);
        // Sides: the probe (streamed) side and the build side. RIGHT joins,
        // and inner joins building on the left, swap them.
        let mut build_is_left = match join.join_type {
            JoinType::Right => true,
            JoinType::Inner => build_left,
            _ => false,
        };
        // A semi / anti join whose left side is much smaller than its right
        // builds the left and probes with the right, both hash-partitioned,
        // so neither a big build nor a one-partition probe holds it back.
        // Broadcast when the left side is small enough: the probe side then
        // needs no exchange at all.
        let mut probe_type = probe_type;
        if self.builds_left_of_semi_join(join) {
            let left_bytes = estimate(&join.left).bytes(&join.left.columns());
            let broadcast = self
                .config
                .broadcast_threshold
                .is_some_and(|t| left_bytes <= t as f64);
            strategy = if broadcast {
                Strategy::BroadcastHash
            } else {
                Strategy::ShuffledHash
            };
            build_is_left = true;
            probe_type = if join.join_type == JoinType::Semi {
                ProbeJoinType::BuildSemi
            } else {
                ProbeJoinType::BuildAnti
            };
            if let Some(last) = self.join_choices.borrow_mut().last_mut() {
                last.push_str(&format!(
                    "; instead {} building the left side, 8x smaller",
                    strategy.name()
                ));
            }
        }
        let (probe, build, probe_keys, build_keys) = if build_is_left {
            (right, left, right_keys, left_keys)
        } else {
            (left, right, left_keys, right_keys)
        };
        let n = self.config.target_partitions.max(1);
        Ok(match strategy {
            Strategy::BroadcastHash => PhysicalPlan::HashJoin(HashJoinExec {
                probe,
                build,
                probe_keys,
                build_keys,
                layout: layout(probe_type, build_is_left),
                partitioned: false,
                built: Default::default(),
                marks: Default::default(),
            }),
            Strategy::ShuffledHash => PhysicalPlan::HashJoin(HashJoinExec {
                probe: hash_partition(probe, probe_keys.clone(), n),
                build: hash_partition(build, build_keys.clone(), n),
                probe_keys,
                build_keys,
                layout: layout(probe_type, build_is_left),
                partitioned: true,
                built: Default::default(),
                marks: Default::default(),
            }),
            Strategy::SortMerge => {
                let sorted = |plan: Arc<PhysicalPlan>, keys: &[PhysicalExpr]| {
                    Arc::new(PhysicalPlan::Sort(SortExec {
                        input: hash_partition(plan, keys.to_vec(), n),
                        keys: keys
                            .iter()
                            .map(|k| SortKeyExpr {
                                expr: k.clone(),
                                options: SortOptions::default(),
                            })
                            .collect(),
                        fetch: None,
                    }))
                };
                PhysicalPlan::SortMergeJoin(SortMergeJoinExec {
                    probe: sorted(probe, &probe_keys),
                    build: sorted(build, &build_keys),
                    probe_keys,
                    build_keys,
                    layout: layout(probe_type, build_is_left),
                })
            }
        })
    }

    /// Whether a semi / anti join should build its left side: its left is
    /// estimated at least 8 times smaller than its right, no hint says
    /// otherwise, and it is not NOT IN (whose NULL rules need the right side
    /// whole).
    fn builds_left_of_semi_join(&self, join: &Join) -> bool {
        if !matches!(join.join_type, JoinType::Semi | JoinType::Anti)
            || join.null_aware
            || hint_of(&join.left).is_some()
            || hint_of(&join.right).is_some()
        {
            return false;
        }
        let (left, right) = (estimate(&join.left), estimate(&join.right));
        left.rows * 8.0 < right.rows
    }

    /// The strategy for an equi-join and, for inner joins, whether to build
    /// on the left. Records the alternatives and their costs.
    fn choose(&self, join: &Join) -> (Strategy, bool) {
        let (left, right) = (estimate(&join.left), estimate(&join.right));
        let left_bytes = left.bytes(&join.left.columns());
        let right_bytes = right.bytes(&join.right.columns());
        // Which sides may be built (and broadcast) for this join type.
        let (can_build_left, can_build_right) = match join.join_type {
            JoinType::Inner => (true, true),
            JoinType::Right => (true, false),
            JoinType::Left | JoinType::Semi | JoinType::Anti => (false, true),
            JoinType::Full => (false, true),
        };
        // Build the side with fewer rows: a hash table is built by one task
        // per partition (by one task in all when broadcast), while the probe
        // runs in every task.
        let build_left = can_build_left
            && (!can_build_right
                || left.rows < right.rows
                || (left.rows == right.rows && left_bytes < right_bytes));
        let (build_rows, probe_rows, build_bytes) = if build_left {
            (left.rows, right.rows, left_bytes)
        } else {
            (right.rows, left.rows, right_bytes)
        };
        let n = self.config.target_partitions.max(1) as f64;
        // Rows touched per task, as wall time on n threads: probing once
        // per probe row, building twice per build row when the keys pack
        // into integers and four times in the row format (encoding the
        // keys), shuffling every row of both sides once, sorting n log n per
        // partition. A broadcast build is made by one task while the others
        // wait; every other step is shared by the n tasks.
        let shuffle = build_rows + probe_rows;
        let key_types: Vec<_> = join.on.iter().map(|(l, _)| l.data_type()).collect();
        let build = if KeyPacking::for_types(&key_types).is_some() {
            2.0 * build_rows
        } else {
            4.0 * build_rows
        };
        let costs = [
            (Strategy::BroadcastHash, probe_rows / n + build),
            (Strategy::ShuffledHash, (shuffle + probe_rows + build) / n),
            (Strategy::SortMerge, {
                let sort = |rows: f64| rows * ((rows / n).max(2.0)).log2();
                (shuffle + sort(build_rows) + sort(probe_rows) + shuffle) / n
            }),
        ];
        // Above broadcast_threshold, up to BROADCAST_COST_FACTOR times it, a
        // side is still broadcast when that costs less than shuffling both.
        let broadcast_is_cheaper = costs[0].1 < costs[1].1;
        let hint = hint_of(&join.right)
            .map(|h| (h, false))
            .or_else(|| hint_of(&join.left).map(|h| (h, true)));
        let (strategy, build_left, reason) = if join.null_aware {
            (
                Strategy::BroadcastHash,
                false,
                "NOT IN needs every build row".to_string(),
            )
        } else {
            match hint {
                Some((JoinHint::Broadcast, on_left))
                    if (on_left && can_build_left) || (!on_left && can_build_right) =>
                {
                    (
                        Strategy::BroadcastHash,
                        on_left,
                        "BROADCAST hint".to_string(),
                    )
                }
                Some((JoinHint::Merge, _)) => {
                    (Strategy::SortMerge, build_left, "MERGE hint".into())
                }
                Some((JoinHint::ShuffleHash, _)) => (
                    Strategy::ShuffledHash,
                    build_left,
                    "SHUFFLE_HASH hint".into(),
                ),
                _ => match self.config.broadcast_threshold {
                    Some(threshold) if build_bytes <= threshold as f64 => (
                        Strategy::BroadcastHash,
                        build_left,
                        format!(
                            "build side {:.0} bytes <= broadcast_threshold {threshold}",
                            build_bytes
                        ),
                    ),
                    Some(threshold)
                        if broadcast_is_cheaper
                            && build_bytes
                                <= BROADCAST_COST_FACTOR.saturating_mul(threshold) as f64 =>
                    {
                        (
                            Strategy::BroadcastHash,
                            build_left,
                            format!(
                                "build side {:.0} bytes <= {BROADCAST_COST_FACTOR} x broadcast_threshold {threshold} and broadcasting costs least",
                                build_bytes
                            ),
                        )
                    }
                    threshold => {
                        let why = match threshold {
                            None => "broadcast disabled".to_string(),
                            Some(t) => format!(
                                "build side {:.0} bytes > broadcast_threshold {t}",
                                build_bytes
                            ),
                        };
                        if self.config.prefer_sort_merge_join {
                            (
                                Strategy::SortMerge,
                                build_left,
                                format!("{why}; prefer_sort_merge_join"),
                            )
                        } else {
                            (
                                Strategy::ShuffledHash,
                                build_left,
                                format!("{why}; prefer_sort_merge_join = false"),
                            )
                        }
                    }
                },
            }
        };
        let keys: Vec<String> = join.on.iter().map(|(l, r)| format!("{l} = {r}")).collect();
        let alternatives: Vec<String> = costs
            .iter()
            .map(|(s, c)| {
                format!(
                    "{}{} cost={:.0}",
                    if *s == strategy { "*" } else { "" },
                    s.name(),
                    c
                )
            })
            .collect();
        self.join_choices.borrow_mut().push(format!(
            "{} Join [{}]: {} ({reason})",
            join.join_type.name(),
            keys.join(", "),
            alternatives.join(", ")
        ));
        (strategy, build_left)
    }
}
