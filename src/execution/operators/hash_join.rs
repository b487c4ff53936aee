//! HashJoinExec, in two modes:
//! - broadcast: the build side is collected once (from all its partitions)
//!   before any probe task starts and shared by every probe partition;
//! - shuffled: both sides are hash-partitioned on the keys, and each task
//!   builds a table from its own build partition and probes it with the
//!   same probe partition.
//!
//! Keys are
//! encoded in Arrow's row format; a hash table maps each distinct key to the
//! head of a chain of build rows (`next`), so building and probing allocate
//! per batch, never per row. Rows with a NULL key never match.

use super::join_output::JoinLayout;
use crate::error::{QuarryError, Result};
use crate::execution::expressions::PhysicalExpr;
use crate::execution::memory::MemoryReservation;
use crate::execution::{scheduler, BatchStream, PhysicalPlan, TaskContext};
use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::compute::concat_batches;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, Rows, SortField};
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;
use std::sync::{Arc, OnceLock};

const NO_ROW: u32 = u32::MAX;

/// The build side of a join, in memory.
pub struct BuildSide {
    pub batch: RecordBatch,
    keys: Option<KeyIndex>,
    pub has_null_key: bool,
    _reservation: MemoryReservation,
}

struct KeyIndex {
    converter: RowConverter,
    rows: Rows,
    /// (hash, first build row) per distinct key.
    table: HashTable<(u64, u32)>,
    /// The next build row with the same key, or NO_ROW.
    next: Vec<u32>,
    hasher: DefaultHashBuilder,
}

/// Rows where any key column is NULL.
pub fn null_key_mask(keys: &[ArrayRef], rows: usize) -> Option<BooleanArray> {
    let mut mask: Option<BooleanArray> = None;
    for key in keys {
        if key.null_count() == 0 {
            continue;
        }
        let is_null = arrow::compute::is_null(key.as_ref()).ok()?;
        mask = Some(match mask {
            None => is_null,
            Some(previous) => arrow::compute::or(&previous, &is_null).ok()?,
        });
    }
    mask.filter(|m| m.len() == rows)
}

impl BuildSide {
    /// Collects `plan` and, when there are keys, indexes it by them.
    pub fn collect(
        plan: &Arc<PhysicalPlan>,
        keys: &[PhysicalExpr],
        null_equals_null: bool,
        ctx: &TaskContext,
    ) -> Result<Self> {
        let batches = scheduler::collect(plan, ctx)?;
        Self::from_batches(&plan.schema(), batches, keys, null_equals_null, ctx)
    }

    /// Indexes `batches` by `keys`.
    pub fn from_batches(
        schema: &arrow::datatypes::SchemaRef,
        batches: Vec<RecordBatch>,
        keys: &[PhysicalExpr],
        null_equals_null: bool,
        ctx: &TaskContext,
    ) -> Result<Self> {
        let batch = concat_batches(schema, &batches)?;
        drop(batches);
        let mut reservation = ctx.reserve("HashJoin build");
        reservation.try_resize(batch.get_array_memory_size())?;
        if keys.is_empty() {
            return Ok(Self {
                batch,
                keys: None,
                has_null_key: false,
                _reservation: reservation,
            });
        }
        let key_arrays = keys
            .iter()
            .map(|k| k.evaluate_to_array(&batch))
            .collect::<Result<Vec<_>>>()?;
        let types: Vec<DataType> = key_arrays.iter().map(|k| k.data_type().clone()).collect();
        let converter = RowConverter::new(types.into_iter().map(SortField::new).collect())?;
        let rows = converter.convert_columns(&key_arrays)?;
        let nulls = if null_equals_null {
            None
        } else {
            null_key_mask(&key_arrays, batch.num_rows())
        };
        let hasher = DefaultHashBuilder::default();
        let mut table: HashTable<(u64, u32)> = HashTable::with_capacity(batch.num_rows());
        let mut next = vec![NO_ROW; batch.num_rows()];
        let mut has_null_key = false;
        // Insert in reverse so each chain lists rows in input order.
        for index in (0..batch.num_rows()).rev() {
            if nulls.as_ref().is_some_and(|n| n.value(index)) {
                has_null_key = true;
                continue;
            }
            let row = rows.row(index);
            let hash = hasher.hash_one(row.as_ref());
            match table.find_mut(hash, |(h, head)| {
                *h == hash && rows.row(*head as usize) == row
            }) {
                Some((_, head)) => {
                    next[index] = *head;
                    *head = index as u32;
                }
                None => {
                    table.insert_unique(hash, (hash, index as u32), |(h, _)| *h);
                }
            }
        }
        reservation.try_grow(rows.size() + table.capacity() * 16 + next.len() * 4)?;
        Ok(Self {
            batch,
            keys: Some(KeyIndex {
                converter,
                rows,
                table,
                next,
                hasher,
            }),
            has_null_key,
            _reservation: reservation,
        })
    }
}

#[derive(Debug)]
pub struct HashJoinExec {
    pub probe: Arc<PhysicalPlan>,
    pub build: Arc<PhysicalPlan>,
    pub probe_keys: Vec<PhysicalExpr>,
    pub build_keys: Vec<PhysicalExpr>,
    pub layout: JoinLayout,
    /// Shuffled: each partition builds from its own build partition.
    pub partitioned: bool,
    pub built: OnceLock<Arc<BuildSide>>,
}

impl BuildSide {
    /// A build side without a key index (sort-merge join finds its pairs).
    pub fn unindexed(batch: RecordBatch, reservation: MemoryReservation) -> Self {
        Self {
            batch,
            keys: None,
            has_null_key: false,
            _reservation: reservation,
        }
    }
}

impl std::fmt::Debug for BuildSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BuildSide({} rows)", self.batch.num_rows())
    }
}

impl HashJoinExec {
    /// Builds the hash table; the scheduler calls this before probe tasks run.
    pub fn prepare(&self, ctx: &TaskContext) -> Result<()> {
        if self.partitioned {
            // Only the stages below the build side run now.
            return self.build.prepare(ctx);
        }
        if self.built.get().is_some() {
            return Ok(());
        }
        let side = BuildSide::collect(
            &self.build,
            &self.build_keys,
            self.layout.null_equals_null,
            ctx,
        )?;
        let _ = self.built.set(Arc::new(side));
        Ok(())
    }

    /// Streams the joined rows of one probe partition, one probe batch at a
    /// time; unmatched build rows (RIGHT/FULL) follow the last batch.
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let build = if self.partitioned {
            let batches = self
                .build
                .execute(partition, ctx)?
                .collect::<Result<Vec<_>>>()?;
            Arc::new(BuildSide::from_batches(
                &self.build.schema(),
                batches,
                &self.build_keys,
                self.layout.null_equals_null,
                ctx,
            )?)
        } else {
            self.built.get().cloned().ok_or_else(|| {
                QuarryError::Internal("hash join probed before its build side was prepared".into())
            })?
        };
        let mut probe = self.probe.execute(partition, ctx)?;
        let probe_keys = self.probe_keys.clone();
        let probe_schema = self.probe.schema();
        let layout = self.layout.clone();
        let mut matched = vec![false; build.batch.num_rows()];
        let mut finished = false;
        Ok(Box::new(std::iter::from_fn(move || loop {
            if finished {
                return None;
            }
            let Some(batch) = probe.next() else {
                finished = true;
                if !layout.join_type.emits_unmatched_build() {
                    return None;
                }
                return layout
                    .unmatched_build(&probe_schema, &build.batch, &matched)
                    .transpose();
            };
            let joined = batch.and_then(|batch| {
                let keys = probe_keys
                    .iter()
                    .map(|k| k.evaluate_to_array(&batch))
                    .collect::<Result<Vec<_>>>()?;
                let nulls = if layout.null_equals_null {
                    None
                } else {
                    null_key_mask(&keys, batch.num_rows())
                };
                let pairs = candidates(&build, &keys, nulls.as_ref())?;
                layout.output(&batch, nulls.as_ref(), &build, pairs, &mut matched)
            });
            match joined {
                Ok(None) => continue,
                Ok(Some(out)) => return Some(Ok(out)),
                Err(error) => {
                    finished = true;
                    return Some(Err(error));
                }
            }
        })))
    }

    pub fn describe(&self) -> String {
        let keys: Vec<String> = self
            .probe_keys
            .iter()
            .zip(&self.build_keys)
            .map(|(p, b)| format!("{p} = {b}"))
            .collect();
        // Broadcast: the build side is collected once and shared by every
        // probe task.
        let mut line = format!(
            "{} {} keys=[{}] {}",
            if self.partitioned {
                "ShuffledHashJoin"
            } else {
                "BroadcastHashJoin"
            },
            self.layout.join_type,
            keys.join(", "),
            if self.layout.build_is_left {
                "BuildLeft"
            } else {
                "BuildRight"
            }
        );
        if let Some(filter) = &self.layout.filter {
            line.push_str(&format!(" filter={filter}"));
        }
        if self.layout.null_aware {
            line.push_str(" null-aware");
        }
        line
    }
}

/// Candidate pairs (probe row, build row) whose keys are equal.
fn candidates(
    build: &BuildSide,
    keys: &[ArrayRef],
    nulls: Option<&BooleanArray>,
) -> Result<(Vec<u32>, Vec<u32>)> {
    let Some(index) = &build.keys else {
        return Err(QuarryError::Internal(
            "hash join build side has no key index".into(),
        ));
    };
    let rows = index.converter.convert_columns(keys)?;
    let mut probe_indices = vec![];
    let mut build_indices = vec![];
    for (probe_row, row) in rows.iter().enumerate() {
        if nulls.is_some_and(|n| n.value(probe_row)) {
            continue;
        }
        let hash = index.hasher.hash_one(row.as_ref());
        if let Some((_, head)) = index.table.find(hash, |(h, head)| {
            *h == hash && index.rows.row(*head as usize) == row
        }) {
            let mut build_row = *head;
            while build_row != NO_ROW {
                probe_indices.push(probe_row as u32);
                build_indices.push(build_row);
                build_row = index.next[build_row as usize];
            }
        }
    }
    Ok((probe_indices, build_indices))
}
