//! HashAggregateExec: groups rows by key in a hash table (keys in Arrow's row
//! format) and updates accumulators a batch at a time by group index.
//! `Partial` emits keys plus partial states per input partition, `Final`
//! merges those states, `Single` does both at once (DISTINCT and ORDER BY
//! aggregates).

use super::packed_keys::{KeyPacking, PackedKey};
use crate::error::{QuarryError, Result};
use crate::execution::expressions::PhysicalExpr;
use crate::execution::functions::aggregate::{AggregateSpec, GroupsAccumulator};
use crate::execution::operators::slice_stream;
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
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
    pub spec: AggregateSpec,
    pub args: Vec<PhysicalExpr>,
    /// ORDER BY keys inside the call, in the order of `spec.order_by`.
    pub order_by: Vec<PhysicalExpr>,
    pub filter: Option<PhysicalExpr>,
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

/// Maps group keys to dense group indices. Integer keys of at most 128 bits
/// are packed into one integer (`PackedGroups`); other keys are stored once,
/// in Arrow's row format, and the hash table holds (hash, group index) pairs
/// compared against the stored rows, so adding a group allocates nothing of
/// its own.
struct GroupTable {
    keys: GroupKeys,
    key_types: Vec<DataType>,
    hasher: DefaultHashBuilder,
    groups: usize,
}

enum GroupKeys {
    /// No GROUP BY: one group.
    None,
    Packed(PackedGroups<u64>),
    Wide(PackedGroups<u128>),
    Rows {
        converter: RowConverter,
        table: HashTable<(u64, u32)>,
        stored: Rows,
    },
}

/// Groups of packed integer keys.
struct PackedGroups<K> {
    packing: KeyPacking,
    /// (key, group index) per non-NULL key.
    table: HashTable<(K, u32)>,
    /// The key of every group (anything for the NULL group).
    values: Vec<K>,
    /// A single key column's NULL group. Several columns cannot tell a
    /// NULL from a value in the packed key: their first NULL moves the
    /// groups to the row format, as does a string too long to pack.
    null_group: Option<u32>,
    packed: Vec<K>,
}

impl<K: PackedKey> PackedGroups<K> {
    fn new(packing: KeyPacking) -> Self {
        Self {
            packing,
            table: HashTable::new(),
            values: vec![],
            null_group: None,
            packed: vec![],
        }
    }

    fn intern(
        &mut self,
        keys: &[ArrayRef],
        hasher: &DefaultHashBuilder,
        groups: &mut usize,
        out: &mut Vec<usize>,
    ) -> Result<()> {
        self.packing.pack(keys, &mut self.packed)?;
        let nulls = keys[0].logical_nulls();
        let Self {
            table,
            values,
            null_group,
            packed,
            ..
        } = self;
        for (row, &key) in packed.iter().enumerate() {
            if nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                let group = *null_group.get_or_insert_with(|| {
                    values.push(K::default());
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
        Ok(())
    }

    fn size(&self) -> usize {
        self.table.capacity() * (std::mem::size_of::<K>() * 2)
            + self.values.capacity() * std::mem::size_of::<K>()
    }

    /// The key columns of every group, in group index order.
    fn emit(&mut self) -> Result<Vec<ArrayRef>> {
        let nulls = self.null_group.map(|group| {
            let mut valid = vec![true; self.values.len()];
            valid[group as usize] = false;
            NullBuffer::from(valid)
        });
        self.packing
            .unpack(&std::mem::take(&mut self.values), nulls)
    }
}

impl GroupTable {
    fn try_new(key_types: &[DataType]) -> Result<Self> {
        let keys = match KeyPacking::for_types(key_types) {
            _ if key_types.is_empty() => GroupKeys::None,
            Some(packing) if packing.is_wide() => GroupKeys::Wide(PackedGroups::new(packing)),
            Some(packing) => GroupKeys::Packed(PackedGroups::new(packing)),
            None => Self::rows(key_types)?,
        };
        let groups = usize::from(matches!(keys, GroupKeys::None));
        Ok(Self {
            keys,
            key_types: key_types.to_vec(),
            hasher: DefaultHashBuilder::default(),
            groups,
        })
    }

    fn rows(key_types: &[DataType]) -> Result<GroupKeys> {
        let converter = RowConverter::new(
            key_types
                .iter()
                .map(|t| SortField::new(t.clone()))
                .collect(),
        )?;
        let stored = converter.empty_rows(0, 0);
        Ok(GroupKeys::Rows {
            converter,
            table: HashTable::new(),
            stored,
        })
    }

    /// Packed groups move to the row format, keeping their indices, before
    /// a batch they cannot tell apart: a NULL in one of several columns, or
    /// a string too long to pack.
    fn make_room(&mut self, keys: &[ArrayRef]) -> Result<()> {
        let fits = match &self.keys {
            GroupKeys::Packed(packed) => &packed.packing,
            GroupKeys::Wide(packed) => &packed.packing,
            _ => return Ok(()),
        }
        .fits(keys);
        let nulls = keys.len() > 1 && keys.iter().any(|k| k.null_count() > 0);
        if fits && !nulls {
            return Ok(());
        }
        let existing = self.emit()?;
        self.keys = Self::rows(&self.key_types)?;
        let groups = self.groups;
        self.groups = 0;
        let mut indices = Vec::with_capacity(groups);
        self.intern(&existing, groups, &mut indices)?;
        if self.groups != groups {
            return Err(QuarryError::Internal(
                "moving packed groups to the row format changed their count".into(),
            ));
        }
        Ok(())
    }

    /// The group index of every row of `keys`, adding new groups as needed.
    fn intern(&mut self, keys: &[ArrayRef], num_rows: usize, out: &mut Vec<usize>) -> Result<()> {
        self.make_room(keys)?;
        out.clear();
        out.reserve(num_rows);
        let hasher = &self.hasher;
        let groups = &mut self.groups;
        match &mut self.keys {
            GroupKeys::None => out.resize(num_rows, 0),
            GroupKeys::Packed(packed) => packed.intern(keys, hasher, groups, out)?,
            GroupKeys::Wide(packed) => packed.intern(keys, hasher, groups, out)?,
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
            GroupKeys::Packed(packed) => packed.size(),
            GroupKeys::Wide(packed) => packed.size(),
            GroupKeys::Rows { table, stored, .. } => stored.size() + table.capacity() * 16,
        }
    }

    /// The key columns of every group, in group index order.
    fn emit(&mut self) -> Result<Vec<ArrayRef>> {
        match &mut self.keys {
            GroupKeys::None => Ok(vec![]),
            GroupKeys::Packed(packed) => packed.emit(),
            GroupKeys::Wide(packed) => packed.emit(),
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
            .map(|a| a.spec.create_accumulator())
            .collect::<Result<_>>()?;
        let mut reservation = ctx.reserve("HashAggregate");
        let mut group_indices = vec![];
        for batch in input {
            let batch = batch?;
            ctx.check_cancelled()?;
            let keys = self
                .group_exprs
                .iter()
                .map(|e| e.evaluate_key(&batch))
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
                    .args
                    .iter()
                    .chain(&call.order_by)
                    .map(|arg| arg.evaluate_to_array(&batch))
                    .collect::<Result<Vec<_>>>()?;
                let filter = match &call.filter {
                    Some(filter) => {
                        let mask = filter.evaluate_to_array(&batch)?;
                        Some(crate::execution::expressions::as_boolean(&mask)?.clone())
                    }
                    None => None,
                };
                accumulator.update(&values, &group_indices, filter.as_ref(), total)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{AsArray, Int32Array, Int64Array};

    fn groups(table: &mut GroupTable, a: Vec<Option<i64>>, b: Vec<Option<i32>>) -> Vec<usize> {
        let keys: Vec<ArrayRef> =
            vec![Arc::new(Int64Array::from(a)), Arc::new(Int32Array::from(b))];
        let mut out = vec![];
        table.intern(&keys, keys[0].len(), &mut out).unwrap();
        out
    }

    #[test]
    fn packed_keys_of_two_columns_move_to_rows_at_the_first_null() {
        let mut table = GroupTable::try_new(&[DataType::Int64, DataType::Int32]).unwrap();
        assert!(matches!(table.keys, GroupKeys::Wide(_)));
        assert_eq!(
            groups(
                &mut table,
                vec![Some(1), Some(2), Some(1)],
                vec![Some(0), Some(0), Some(0)]
            ),
            vec![0, 1, 0]
        );
        // NULL and 0 are different keys; earlier groups keep their indices.
        assert_eq!(
            groups(
                &mut table,
                vec![Some(2), None, Some(0)],
                vec![Some(0), Some(0), Some(0)]
            ),
            vec![1, 2, 3]
        );
        assert!(matches!(table.keys, GroupKeys::Rows { .. }));
        let keys = table.emit().unwrap();
        let a = keys[0].as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            vec![Some(1), Some(2), None, Some(0)]
        );
    }

    #[test]
    fn short_string_keys_pack_until_a_long_one_arrives() {
        use arrow::array::StringViewArray;
        let mut table = GroupTable::try_new(&[DataType::Utf8View, DataType::Utf8View]).unwrap();
        let batch = |a: Vec<&str>, b: Vec<&str>| -> Vec<ArrayRef> {
            vec![
                Arc::new(StringViewArray::from(a)),
                Arc::new(StringViewArray::from(b)),
            ]
        };
        let mut out = vec![];
        table
            .intern(
                &batch(vec!["A", "N", "A"], vec!["F", "O", "F"]),
                3,
                &mut out,
            )
            .unwrap();
        assert_eq!(out, vec![0, 1, 0]);
        assert!(matches!(table.keys, GroupKeys::Wide(_)));
        let long = "longer than seven bytes";
        table
            .intern(
                &batch(vec![long, "N", long], vec!["F", "O", "F"]),
                3,
                &mut out,
            )
            .unwrap();
        assert_eq!(out, vec![2, 1, 2]);
        assert!(matches!(table.keys, GroupKeys::Rows { .. }));
        let keys = table.emit().unwrap();
        let first: Vec<_> = keys[0].as_string_view().iter().flatten().collect();
        assert_eq!(first, vec!["A", "N", long]);
    }

    #[test]
    fn one_packed_column_keeps_a_null_group() {
        let mut table = GroupTable::try_new(&[DataType::Int64]).unwrap();
        let keys: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(vec![Some(0), None, Some(0)]))];
        let mut out = vec![];
        table.intern(&keys, 3, &mut out).unwrap();
        assert_eq!(out, vec![0, 1, 0]);
        assert!(matches!(table.keys, GroupKeys::Packed(_)));
        let emitted = table.emit().unwrap();
        assert_eq!(emitted[0].null_count(), 1);
    }
}
