//! ExchangeExec: the boundary between two stages. When the stage above is
//! prepared, every partition of the input runs as a task (the stage below);
//! their batches are routed to the output partitions by the exchange's
//! partitioning and buffered, reserved from the query's memory pool. Each
//! output partition then reads its buffer.
//!
//! - `SinglePartition`: everything to one partition.
//! - `hashpartitioning(keys, n)`: a row goes to partition `hash(keys) % n`,
//!   so equal keys meet in one partition (shuffled joins, final aggregates).
//! - `roundrobinpartitioning(n)`: whole batches dealt out in turn.

use crate::error::{QuarryError, Result};
use crate::execution::expressions::PhysicalExpr;
use crate::execution::memory::MemoryReservation;
use crate::execution::{scheduler, BatchStream, PhysicalPlan, TaskContext};
use arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use arrow::datatypes::*;
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use std::sync::{Arc, Mutex, OnceLock};

/// How an exchange distributes rows over its output partitions.
#[derive(Debug, Clone)]
pub enum Partitioning {
    Single,
    Hash(Vec<PhysicalExpr>, usize),
    RoundRobin(usize),
}

impl Partitioning {
    pub fn partition_count(&self) -> usize {
        match self {
            Partitioning::Single => 1,
            Partitioning::Hash(_, n) | Partitioning::RoundRobin(n) => *n,
        }
    }
}

#[derive(Debug)]
pub struct ExchangeExec {
    pub input: Arc<PhysicalPlan>,
    pub partitioning: Partitioning,
    buffered: OnceLock<Buffered>,
}

/// The routed batches of every output partition.
#[derive(Debug)]
struct Buffered {
    partitions: Vec<Mutex<Vec<RecordBatch>>>,
    bytes: usize,
    rows: usize,
    _reservation: MemoryReservation,
}

impl ExchangeExec {
    pub fn new(input: Arc<PhysicalPlan>, partitioning: Partitioning) -> Self {
        Self {
            input,
            partitioning,
            buffered: OnceLock::new(),
        }
    }

    /// Runs the stage below and routes its batches; once.
    pub fn prepare(&self, ctx: &TaskContext) -> Result<()> {
        if self.buffered.get().is_some() {
            return Ok(());
        }
        let inputs = scheduler::collect_partitions(&self.input, ctx)?;
        let n = self.partitioning.partition_count();
        let routed: Vec<Vec<(usize, RecordBatch)>> = match &self.partitioning {
            Partitioning::Single => vec![inputs.into_iter().flatten().map(|b| (0, b)).collect()],
            Partitioning::RoundRobin(_) => vec![inputs
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, b)| (i % n, b))
                .collect()],
            Partitioning::Hash(keys, _) => inputs
                .into_par_iter()
                .map(|batches| {
                    let mut out = vec![];
                    for batch in batches {
                        out.extend(hash_split(&batch, keys, n)?);
                    }
                    Ok(out)
                })
                .collect::<Result<Vec<_>>>()?,
        };
        let mut partitions: Vec<Vec<RecordBatch>> = (0..n).map(|_| vec![]).collect();
        for (target, batch) in routed.into_iter().flatten() {
            partitions[target].push(batch);
        }
        let schema = self.input.schema();
        let partitions = partitions
            .into_par_iter()
            .map(|batches| coalesce(&schema, batches, ctx.batch_size))
            .collect::<Result<Vec<_>>>()?;
        let bytes = crate::execution::memory::batches_bytes(partitions.iter().flatten());
        let rows = partitions.iter().flatten().map(|b| b.num_rows()).sum();
        let mut reservation = ctx.reserve("Exchange");
        reservation.try_resize(bytes)?;
        let _ = self.buffered.set(Buffered {
            partitions: partitions.into_iter().map(Mutex::new).collect(),
            bytes,
            rows,
            _reservation: reservation,
        });
        Ok(())
    }

    /// Hands over the buffered batches of `partition` (each is read once).
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        self.prepare(ctx)?;
        let buffered = self
            .buffered
            .get()
            .ok_or_else(|| QuarryError::Internal("exchange read before it ran".into()))?;
        let slot = buffered.partitions.get(partition).ok_or_else(|| {
            QuarryError::Internal(format!("exchange has no partition {partition}"))
        })?;
        let batches = std::mem::take(&mut *slot.lock().unwrap_or_else(|p| p.into_inner()));
        Ok(Box::new(batches.into_iter().map(Ok)))
    }

    /// Bytes and rows that went through, once run.
    pub fn transferred(&self) -> Option<(usize, usize)> {
        self.buffered.get().map(|b| (b.bytes, b.rows))
    }

    pub fn describe(&self) -> String {
        match &self.partitioning {
            Partitioning::Single => "Exchange SinglePartition".into(),
            Partitioning::Hash(keys, n) => {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                format!("Exchange hashpartitioning({}, {n})", keys.join(", "))
            }
            Partitioning::RoundRobin(n) => format!("Exchange RoundRobinPartitioning({n})"),
        }
    }
}

/// Batches of at least half `batch_size` rows: the pieces routed from
/// selective joins and filters (often a few hundred rows each) are joined,
/// so the stage above pays its per-batch costs once per batch, not per piece.
fn coalesce(
    schema: &SchemaRef,
    batches: Vec<RecordBatch>,
    batch_size: usize,
) -> Result<Vec<RecordBatch>> {
    let small = batch_size.max(2) / 2;
    let mut out = Vec::with_capacity(batches.len());
    let mut pending: Vec<RecordBatch> = vec![];
    let mut pending_rows = 0;
    // Rows keep their order.
    let flush = |pending: &mut Vec<RecordBatch>, out: &mut Vec<RecordBatch>| -> Result<()> {
        match pending.len() {
            0 => {}
            1 => out.append(pending),
            _ => out.push(arrow::compute::concat_batches(schema, pending.iter())?),
        }
        pending.clear();
        Ok(())
    };
    for batch in batches {
        if batch.num_rows() >= small {
            flush(&mut pending, &mut out)?;
            pending_rows = 0;
            out.push(batch);
            continue;
        }
        pending_rows += batch.num_rows();
        pending.push(batch);
        if pending_rows >= batch_size {
            flush(&mut pending, &mut out)?;
            pending_rows = 0;
        }
    }
    flush(&mut pending, &mut out)?;
    Ok(out)
}

/// Splits `batch` by the hash of `keys` into at most `n` batches.
fn hash_split(
    batch: &RecordBatch,
    keys: &[PhysicalExpr],
    n: usize,
) -> Result<Vec<(usize, RecordBatch)>> {
    if batch.num_rows() == 0 {
        return Ok(vec![]);
    }
    let arrays = keys
        .iter()
        .map(|k| k.evaluate_key(batch))
        .collect::<Result<Vec<_>>>()?;
    let targets = partition_of_rows(&arrays, batch.num_rows(), n)?;
    // Counting sort of row indices by target partition.
    let mut counts = vec![0usize; n];
    for &t in &targets {
        counts[t as usize] += 1;
    }
    let mut offsets = vec![0usize; n + 1];
    for i in 0..n {
        offsets[i + 1] = offsets[i] + counts[i];
    }
    let mut next = offsets.clone();
    let mut order = vec![0u32; targets.len()];
    for (row, &t) in targets.iter().enumerate() {
        order[next[t as usize]] = row as u32;
        next[t as usize] += 1;
    }
    let sorted = arrow::compute::take_record_batch(batch, &UInt32Array::from(order))?;
    (0..n)
        .filter(|&i| counts[i] > 0)
        .map(|i| Ok((i, compact_views(&sorted.slice(offsets[i], counts[i]))?)))
        .collect()
}

/// The batch with its string and binary view columns copied into buffers
/// of their own: a slice of a view array otherwise keeps (and is counted
/// with) every data buffer of the array it came from.
pub fn compact_views(batch: &RecordBatch) -> Result<RecordBatch> {
    if !batch
        .columns()
        .iter()
        .any(|c| matches!(c.data_type(), DataType::Utf8View | DataType::BinaryView))
    {
        return Ok(batch.clone());
    }
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|c| -> ArrayRef {
            match c.data_type() {
                DataType::Utf8View => Arc::new(c.as_string_view().gc()),
                DataType::BinaryView => Arc::new(c.as_binary_view().gc()),
                _ => c.clone(),
            }
        })
        .collect();
    Ok(RecordBatch::try_new_with_options(
        batch.schema(),
        columns,
        &arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}

/// The partition of every row: a hash of its key values, the same for equal
/// values of the same type whichever batch or side they come from.
pub fn partition_of_rows(arrays: &[ArrayRef], rows: usize, n: usize) -> Result<Vec<u32>> {
    let mut hashes = vec![0x9e37_79b9_7f4a_7c15_u64; rows];
    for array in arrays {
        hash_column(array, &mut hashes)?;
    }
    Ok(hashes
        .into_iter()
        .map(|h| (finish(h) % n as u64) as u32)
        .collect())
}

fn combine(hash: u64, value: u64) -> u64 {
    (hash.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

fn bytes_hash(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = combine(h, u64::from_le_bytes(word));
    }
    h
}

const NULL_HASH: u64 = 0x1234_5678;

fn hash_column(array: &ArrayRef, hashes: &mut [u64]) -> Result<()> {
    macro_rules! primitive {
        ($t:ty, $f:expr) => {{
            let values = array.as_primitive::<$t>();
            for (row, h) in hashes.iter_mut().enumerate() {
                let value = if values.is_null(row) {
                    NULL_HASH
                } else {
                    $f(values.value(row))
                };
                *h = combine(*h, value);
            }
        }};
    }
    match array.data_type() {
        DataType::Int8 => primitive!(Int8Type, |v: i8| v as u64),
        DataType::Int16 => primitive!(Int16Type, |v: i16| v as u64),
        DataType::Int32 => primitive!(Int32Type, |v: i32| v as u64),
        DataType::Int64 => primitive!(Int64Type, |v: i64| v as u64),
        DataType::UInt8 => primitive!(UInt8Type, |v: u8| v as u64),
        DataType::UInt16 => primitive!(UInt16Type, |v: u16| v as u64),
        DataType::UInt32 => primitive!(UInt32Type, |v: u32| v as u64),
        DataType::UInt64 => primitive!(UInt64Type, |v: u64| v),
        DataType::Date32 => primitive!(Date32Type, |v: i32| v as u64),
        DataType::Date64 => primitive!(Date64Type, |v: i64| v as u64),
        DataType::Float32 => primitive!(Float32Type, |v: f32| (v + 0.0).to_bits() as u64),
        DataType::Float64 => primitive!(Float64Type, |v: f64| (v + 0.0).to_bits()),
        DataType::Decimal128(..) => {
            primitive!(Decimal128Type, |v: i128| (v as u64) ^ ((v >> 64) as u64))
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let strings: Vec<Option<&str>> = match array.data_type() {
                DataType::Utf8 => array.as_string::<i32>().iter().collect(),
                DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
                _ => array.as_string_view().iter().collect(),
            };
            for (h, value) in hashes.iter_mut().zip(strings) {
                *h = combine(*h, value.map_or(NULL_HASH, |s| bytes_hash(s.as_bytes())));
            }
        }
        _ => {
            // Any other type: its row-format bytes.
            let converter = arrow::row::RowConverter::new(vec![arrow::row::SortField::new(
                array.data_type().clone(),
            )])?;
            let rows = converter.convert_columns(std::slice::from_ref(array))?;
            for (row, h) in hashes.iter_mut().enumerate() {
                *h = combine(*h, bytes_hash(rows.row(row).as_ref()));
            }
        }
    }
    Ok(())
}
