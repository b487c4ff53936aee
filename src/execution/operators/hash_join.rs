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
use super::packed_keys::{KeyPacking, PackedKey};
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
    keys: IndexedKeys,
    /// The next build row with the same key, or NO_ROW.
    next: Vec<u32>,
    hasher: DefaultHashBuilder,
}

/// The distinct build keys, each with the first build row holding it.
enum IndexedKeys {
    /// Integer keys packed into a `u64`: (key, first build row).
    Packed {
        packing: KeyPacking,
        table: HashTable<(u64, u32)>,
    },
    /// Integer keys of up to 128 bits.
    Wide {
        packing: KeyPacking,
        table: HashTable<(u128, u32)>,
    },
    /// Any other keys, in Arrow's row format: (hash, first build row).
    Rows {
        converter: RowConverter,
        rows: Rows,
        table: HashTable<(u64, u32)>,
    },
}

/// The distinct packed keys of `keys` with their first row; `next` chains
/// the rows of equal keys in input order (rows go in in reverse).
fn index_packed<K: PackedKey>(
    packing: &KeyPacking,
    keys: &[ArrayRef],
    is_null: &dyn Fn(usize) -> bool,
    hasher: &DefaultHashBuilder,
    next: &mut [u32],
) -> Result<HashTable<(K, u32)>> {
    let mut packed: Vec<K> = vec![];
    packing.pack(keys, &mut packed)?;
    let mut table: HashTable<(K, u32)> = HashTable::with_capacity(packed.len());
    for index in (0..packed.len()).rev() {
        if is_null(index) {
            continue;
        }
        let key = packed[index];
        let hash = hasher.hash_one(key);
        match table.find_mut(hash, |(k, _)| *k == key) {
            Some((_, head)) => {
                next[index] = *head;
                *head = index as u32;
            }
            None => {
                table.insert_unique(hash, (key, index as u32), |(k, _)| hasher.hash_one(*k));
            }
        }
    }
    Ok(table)
}

/// Calls `found(probe row, first build row)` for every probe row of `keys`
/// whose packed key is in `table`.
fn probe_packed<K: PackedKey>(
    packing: &KeyPacking,
    table: &HashTable<(K, u32)>,
    keys: &[ArrayRef],
    is_null: &dyn Fn(usize) -> bool,
    hasher: &DefaultHashBuilder,
    found: &mut dyn FnMut(usize, u32),
) -> Result<()> {
    let mut packed: Vec<K> = vec![];
    packing.pack(keys, &mut packed)?;
    for (probe_row, &key) in packed.iter().enumerate() {
        if is_null(probe_row) {
            continue;
        }
        let hash = hasher.hash_one(key);
        if let Some(&(_, head)) = table.find(hash, |(k, _)| *k == key) {
            found(probe_row, head);
        }
    }
    Ok(())
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
        probe_types: &[DataType],
        null_equals_null: bool,
        ctx: &TaskContext,
    ) -> Result<Self> {
        let batches = scheduler::collect(plan, ctx)?;
        Self::from_batches(
            &plan.schema(),
            batches,
            keys,
            probe_types,
            null_equals_null,
            ctx,
        )
    }

    /// Indexes `batches` by `keys`; `probe_types` are the types of the keys
    /// that will probe it (integer keys of equal types are packed).
    pub fn from_batches(
        schema: &arrow::datatypes::SchemaRef,
        batches: Vec<RecordBatch>,
        keys: &[PhysicalExpr],
        probe_types: &[DataType],
        null_equals_null: bool,
        ctx: &TaskContext,
    ) -> Result<Self> {
        let batch = concat_batches(schema, &batches)?;
        drop(batches);
        let mut reservation = ctx.reserve("HashJoin build");
        reservation.try_resize(crate::execution::memory::batches_bytes([&batch]))?;
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
            .map(|k| k.evaluate_key(&batch))
            .collect::<Result<Vec<_>>>()?;
        let nulls = if null_equals_null {
            None
        } else {
            null_key_mask(&key_arrays, batch.num_rows())
        };
        let is_null = |row: usize| nulls.as_ref().is_some_and(|n| n.value(row));
        let has_null_key = nulls.as_ref().is_some_and(|n| n.true_count() > 0);
        let hasher = DefaultHashBuilder::default();
        let mut next = vec![NO_ROW; batch.num_rows()];
        let types: Vec<DataType> = key_arrays.iter().map(|k| k.data_type().clone()).collect();
        // NULL equal to NULL (set operations) needs NULLs inside the key.
        // Probe strings too long to pack never equal a build key that fits.
        let packing = (!null_equals_null)
            .then(|| KeyPacking::for_join(&types, probe_types))
            .flatten()
            .filter(|packing| packing.fits(&key_arrays));
        // Chains list rows in input order: rows are inserted in reverse.
        let keys = if let Some(packing) = packing {
            let rows = batch.num_rows();
            if packing.is_wide() {
                let table =
                    index_packed::<u128>(&packing, &key_arrays, &is_null, &hasher, &mut next)?;
                reservation.try_grow(table.capacity() * 32 + rows * 4)?;
                IndexedKeys::Wide { packing, table }
            } else {
                let table =
                    index_packed::<u64>(&packing, &key_arrays, &is_null, &hasher, &mut next)?;
                reservation.try_grow(table.capacity() * 16 + rows * 4)?;
                IndexedKeys::Packed { packing, table }
            }
        } else {
            let converter = RowConverter::new(types.into_iter().map(SortField::new).collect())?;
            let rows = converter.convert_columns(&key_arrays)?;
            let mut table: HashTable<(u64, u32)> = HashTable::with_capacity(batch.num_rows());
            for index in (0..batch.num_rows()).rev() {
                if is_null(index) {
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
            IndexedKeys::Rows {
                converter,
                rows,
                table,
            }
        };
        Ok(Self {
            batch,
            keys: Some(KeyIndex { keys, next, hasher }),
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
    /// Broadcast joins that emit build rows (RIGHT, FULL, build-side semi
    /// and anti): the build rows some finished probe task matched, and the
    /// probe tasks still running. The last to finish emits the build rows.
    pub marks: Arc<std::sync::Mutex<Option<BuildMarks>>>,
}

#[derive(Debug)]
pub struct BuildMarks {
    matched: Vec<bool>,
    running: usize,
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
    /// The types of the probe keys (empty when one cannot be told, which
    /// keeps the keys in the row format).
    fn probe_key_types(&self) -> Vec<DataType> {
        key_types(&self.probe_keys, &self.probe.schema()).unwrap_or_default()
    }

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
            &self.probe_key_types(),
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
                &self.probe_key_types(),
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
        let probe_tasks = self.probe.output_partitions();
        let shared_build = !self.partitioned && probe_tasks > 1;
        let marks = self.marks.clone();
        Ok(Box::new(std::iter::from_fn(move || loop {
            if finished {
                return None;
            }
            let Some(batch) = probe.next() else {
                finished = true;
                if !layout.join_type.emits_unmatched_build() {
                    return None;
                }
                if shared_build && !merge_marks(&marks, &mut matched, probe_tasks) {
                    return None;
                }
                return layout
                    .unmatched_build(&probe_schema, &build.batch, &matched)
                    .transpose();
            };
            let joined = batch.and_then(|batch| {
                let keys = probe_keys
                    .iter()
                    .map(|k| k.evaluate_key(&batch))
                    .collect::<Result<Vec<_>>>()?;
                let nulls = if layout.null_equals_null {
                    None
                } else {
                    null_key_mask(&keys, batch.num_rows())
                };
                // A probe-side semi / anti join without a filter needs one
                // match per probe row, not every one (INTERSECT's build side
                // repeats each key many times).
                let first_only = layout.filter.is_none()
                    && matches!(
                        layout.join_type,
                        super::ProbeJoinType::Semi | super::ProbeJoinType::Anti
                    );
                let pairs = candidates(&build, &keys, nulls.as_ref(), first_only)?;
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

/// Adds one probe task's `matched` build rows to the others'; true
/// (with `matched` holding every task's) for the last task to finish.
fn merge_marks(
    marks: &std::sync::Mutex<Option<BuildMarks>>,
    matched: &mut Vec<bool>,
    probe_tasks: usize,
) -> bool {
    let mut guard = marks.lock().unwrap_or_else(|p| p.into_inner());
    let marks = guard.get_or_insert_with(|| BuildMarks {
        matched: vec![false; matched.len()],
        running: probe_tasks,
    });
    for (all, mine) in marks.matched.iter_mut().zip(matched.iter()) {
        *all |= *mine;
    }
    marks.running = marks.running.saturating_sub(1);
    if marks.running > 0 {
        return false;
    }
    *matched = std::mem::take(&mut marks.matched);
    // A later run of the plan starts counting again.
    *guard = None;
    true
}

/// The types of `keys` over rows of `schema`.
fn key_types(keys: &[PhysicalExpr], schema: &arrow::datatypes::SchemaRef) -> Result<Vec<DataType>> {
    let empty = RecordBatch::new_empty(schema.clone());
    keys.iter()
        .map(|k| Ok(k.evaluate_to_array(&empty)?.data_type().clone()))
        .collect()
}

/// Candidate pairs (probe row, build row) whose keys are equal.
fn candidates(
    build: &BuildSide,
    keys: &[ArrayRef],
    nulls: Option<&BooleanArray>,
    first_only: bool,
) -> Result<(Vec<u32>, Vec<u32>)> {
    let Some(index) = &build.keys else {
        return Err(QuarryError::Internal(
            "hash join build side has no key index".into(),
        ));
    };
    let rows = keys.first().map_or(0, |k| k.len());
    let mut probe_indices = Vec::with_capacity(rows);
    let mut build_indices = Vec::with_capacity(rows);
    let mut chain = |probe_row: usize, head: u32| {
        let mut build_row = head;
        while build_row != NO_ROW {
            probe_indices.push(probe_row as u32);
            build_indices.push(build_row);
            build_row = if first_only {
                NO_ROW
            } else {
                index.next[build_row as usize]
            };
        }
    };
    let is_null = |row: usize| nulls.is_some_and(|n| n.value(row));
    match &index.keys {
        IndexedKeys::Packed { packing, table } => {
            probe_packed(packing, table, keys, &is_null, &index.hasher, &mut chain)?
        }
        IndexedKeys::Wide { packing, table } => {
            probe_packed(packing, table, keys, &is_null, &index.hasher, &mut chain)?
        }
        IndexedKeys::Rows {
            converter,
            rows: build_rows,
            table,
        } => {
            let rows = converter.convert_columns(keys)?;
            for (probe_row, row) in rows.iter().enumerate() {
                if is_null(probe_row) {
                    continue;
                }
                let hash = index.hasher.hash_one(row.as_ref());
                if let Some(&(_, head)) = table.find(hash, |(h, head)| {
                    *h == hash && build_rows.row(*head as usize) == row
                }) {
                    chain(probe_row, head);
                }
            }
        }
    }
    Ok((probe_indices, build_indices))
}
