//! HashAggregateExec: groups rows by key in a hash table (keys in Arrow's row
//! format) and updates accumulators a batch at a time by group index.
//! `Partial` emits keys plus partial states per input partition, `Final`
//! merges those states, `Single` does both at once (DISTINCT aggregates).

use super::packed_keys::KeyPacking;
use crate::error::Result;
use crate::execution::expressions::PhysicalExpr;
use crate::execution::functions::aggregate::{create_accumulator, GroupsAccumulator};
use crate::execution::operators::slice_stream;
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use crate::logical::AggregateFunction;
use arrow::array::{Array, ArrayRef};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use arrow::row::{RowConverter, Rows, SortField};
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateMode {
    Partial,
    Final,
    Single,
}

/// One aggregate call as the operator runs it.
#[derive(Debug, Clone)]
pub struct AggregateCall {
    pub func: AggregateFunction,
    pub arg: Option<PhysicalExpr>,
    pub arg_type: Option<DataType>,
    pub filter: Option<PhysicalExpr>,
    pub distinct: bool,
    pub result_type: DataType,
    /// Number of partial-state columns (for `Final` input).
    pub state_width: usize,
    pub display: String,
}

#[derive(Debug)]
pub struct HashAggregateExec {
    pub input: Arc<PhysicalPlan>,
    pub mode: AggregateMode,
    /// Group key expressions (in `Final` mode: the leading input columns).
    pub group_exprs: Vec<PhysicalExpr>,
    pub aggregates: Vec<AggregateCall>,
    pub schema: SchemaRef,
}

/// Maps group keys to dense group indices. A single integer key is packed
/// into a `u64` (`Packed`); other keys are stored once, in Arrow's row format,
/// and the hash table holds (hash, group index) pairs compared against the
/// stored rows, so adding a group allocates nothing of its own.
struct GroupTable {
    keys: GroupKeys,
    hasher: DefaultHashBuilder,
    groups: usize,
}

enum GroupKeys {
    /// No GROUP BY: one group.
    None,
    Packed {
        packing: KeyPacking,
        /// (key, group index) per non-NULL key.
        table: HashTable<(u64, u32)>,
        /// The key of every group (anything for the NULL group).
        values: Vec<u64>,
        null_group: Option<u32>,
        packed: Vec<u64>,
    },
    Rows {
        converter: RowConverter,
        table: HashTable<(u64, u32)>,
        stored: Rows,
    },
}

impl GroupTable {
    fn try_new(key_types: &[DataType]) -> Result<Self> {
        let keys = if key_types.is_empty() {
            GroupKeys::None
        } else if let Some(packing @ KeyPacking::Single(_)) = KeyPacking::for_types(key_types) {
            GroupKeys::Packed {
                packing,
                table: HashTable::new(),
                values: vec![],
                null_group: None,
                packed: vec![],
            }
        } else {
            let converter = RowConverter::new(
                key_types
                    .iter()
                    .map(|t| SortField::new(t.clone()))
                    .collect(),
            )?;
            let stored = converter.empty_rows(0, 0);
            GroupKeys::Rows {
                converter,
                table: HashTable::new(),
                stored,
            }
        };
        let groups = usize::from(matches!(keys, GroupKeys::None));
        Ok(Self {
            keys,
            hasher: DefaultHashBuilder::default(),
            groups,
        })
    }

    /// The group index of every row of `keys`, adding new groups as needed.
    fn intern(&mut self, keys: &[ArrayRef], num_rows: usize, out: &mut Vec<usize>) -> Result<()> {
        out.clear();
        out.reserve(num_rows);
        let hasher = &self.hasher;
        let groups = &mut self.groups;
        match &mut self.keys {
            GroupKeys::None => out.resize(num_rows, 0),
            GroupKeys::Packed {
                packing,
                table,
                values,
                null_group,
                packed,
            } => {
                packing.pack(keys, packed)?;
                let nulls = keys[0].logical_nulls();
                for (row, &key) in packed.iter().enumerate() {
                    if nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                        let group = *null_group.get_or_insert_with(|| {
                            values.push(0);
                            *groups += 1;
                            (*groups - 1) as u32
                        });
                        out.push(group as usize);
                        continue;
                    }
                    let hash = hasher.hash_one(key);
                    let group = match table.find(hash, |(k, _)| *k == key) {
                        Some(&(_, group)) => group,
                        None => {
                            let group = *groups as u32;
                            table.insert_unique(hash, (key, group), |(k, _)| hasher.hash_one(*k));
                            values.push(key);
                            *groups += 1;
                            group
                        }
                    };
                    out.push(group as usize);
                }
            }
            GroupKeys::Rows {
                converter,
                table,
                stored,
            } => {
                let rows = converter.convert_columns(keys)?;
                for row in rows.iter() {
                    let hash = hasher.hash_one(row.as_ref());
                    let found = table.find(hash, |(h, group)| {
                        *h == hash && stored.row(*group as usize) == row
                    });
                    let index = match found {
                        Some((_, group)) => *group as usize,
                        None => {
                            let index = *groups;
                            table.insert_unique(hash, (hash, index as u32), |(h, _)| *h);
                            stored.push(row);
                            *groups += 1;
                            index
                        }
                    };
                    out.push(index);
                }
            }
        }
        Ok(())
    }

    fn size(&self) -> usize {
        match &self.keys {
            GroupKeys::None => 0,
            GroupKeys::Packed { table, values, .. } => {
                table.capacity() * 16 + values.capacity() * 8
            }
            GroupKeys::Rows { table, stored, .. } => stored.size() + table.capacity() * 16,
        }
    }

    /// The key columns of every group, in group index order.
    fn emit(&mut self) -> Result<Vec<ArrayRef>> {
        match &mut self.keys {
            GroupKeys::None => Ok(vec![]),
            GroupKeys::Packed {
                packing,
                values,
                null_group,
                ..
            } => {
                let nulls = null_group.map(|group| {
                    let mut valid = vec![true; values.len()];
                    valid[group as usize] = false;
                    NullBuffer::from(valid)
                });
                Ok(vec![packing.unpack_single(std::mem::take(values), nulls)?])
            }
            GroupKeys::Rows {
                converter, stored, ..
            } => Ok(converter.convert_rows(stored.iter())?),
        }
    }
}

impl HashAggregateExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let input = self.input.execute(partition, ctx)?;
        let key_types: Vec<DataType> = self
            .schema
            .fields()
            .iter()
            .take(self.group_exprs.len())
            .map(|f| f.data_type().clone())
            .collect();
        let mut table = GroupTable::try_new(&key_types)?;
        let mut accumulators: Vec<Box<dyn GroupsAccumulator>> = self
            .aggregates
            .iter()
            .map(|a| create_accumulator(a.func, a.arg_type.as_ref(), &a.result_type, a.distinct))
            .collect::<Result<_>>()?;
        let mut reservation = ctx.reserve("HashAggregate");
        let mut group_indices = vec![];
        for batch in input {
            let batch = batch?;
            ctx.check_cancelled()?;
            let keys = self
                .group_exprs
                .iter()
                .map(|e| e.evaluate_to_array(&batch))
                .collect::<Result<Vec<_>>>()?;
            table.intern(&keys, batch.num_rows(), &mut group_indices)?;
            let total = table.groups;
            let mut state_column = self.group_exprs.len();
            for (call, accumulator) in self.aggregates.iter().zip(accumulators.iter_mut()) {
                if self.mode == AggregateMode::Final {
                    let states = &batch.columns()[state_column..state_column + call.state_width];
                    state_column += call.state_width;
                    accumulator.merge(states, &group_indices, total)?;
                    continue;
                }
                let values = call
                    .arg
                    .as_ref()
                    .map(|arg| arg.evaluate_to_array(&batch))
                    .transpose()?;
                let filter = match &call.filter {
                    Some(filter) => {
                        let mask = filter.evaluate_to_array(&batch)?;
                        Some(crate::execution::expressions::as_boolean(&mask)?.clone())
                    }
                    None => None,
                };
                accumulator.update(values.as_ref(), &group_indices, filter.as_ref(), total)?;
            }
            let size = table.size() + accumulators.iter().map(|a| a.size()).sum::<usize>();
            reservation.try_resize(size)?;
        }
        let mut columns = table.emit()?;
        for accumulator in accumulators.iter_mut() {
            if self.mode == AggregateMode::Partial {
                columns.extend(accumulator.state(table.groups)?);
            } else {
                columns.push(accumulator.evaluate(table.groups)?);
            }
        }
        let options = RecordBatchOptions::new().with_row_count(Some(table.groups));
        let batch = RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)?;
        drop(reservation);
        Ok(slice_stream(batch, ctx.batch_size))
    }

    pub fn describe(&self) -> String {
        let keys: Vec<String> = self.group_exprs.iter().map(|e| e.to_string()).collect();
        let functions: Vec<&str> = self.aggregates.iter().map(|a| a.display.as_str()).collect();
        let mode = match self.mode {
            AggregateMode::Partial => "partial",
            AggregateMode::Final => "final",
            AggregateMode::Single => "single",
        };
        format!(
            "HashAggregate(keys=[{}], functions=[{}], mode={mode})",
            keys.join(", "),
            functions.join(", ")
        )
    }
}
