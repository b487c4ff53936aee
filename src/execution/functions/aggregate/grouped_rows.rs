//! Values of many groups kept in Arrow's row format, for accumulators that
//! work on any type (quantiles, mode, DISTINCT): `GroupedRows` stores each
//! value with its group in arrival order, `GroupedRowSet` stores each
//! (group, value) once. Both turn into (and back from) list states, one list
//! of values per group.

use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, LargeListArray};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::{DataType, Field};
use arrow::row::{Row, RowConverter, Rows, SortField};
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;
use std::sync::Arc;

/// Values with their group, in arrival order.
pub(super) struct GroupedRows {
    converter: RowConverter,
    rows: Rows,
    groups: Vec<u32>,
}

impl GroupedRows {
    pub fn try_new(types: &[DataType]) -> Result<Self> {
        let converter =
            RowConverter::new(types.iter().map(|t| SortField::new(t.clone())).collect())?;
        let rows = converter.empty_rows(0, 0);
        Ok(Self {
            converter,
            rows,
            groups: vec![],
        })
    }

    /// The rows of `columns`, comparable with the stored ones.
    pub fn convert(&self, columns: &[ArrayRef]) -> Result<Rows> {
        Ok(self.converter.convert_columns(columns)?)
    }

    pub fn push(&mut self, group: usize, row: Row<'_>) -> Result<()> {
        let group = u32::try_from(group)
            .map_err(|_| QuarryError::Internal("more than 2^32 groups".into()))?;
        self.rows.push(row);
        self.groups.push(group);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn group(&self, entry: usize) -> usize {
        self.groups[entry] as usize
    }

    pub fn row(&self, entry: usize) -> Row<'_> {
        self.rows.row(entry)
    }

    /// The stored values of `entries`, one array per column.
    pub fn columns(&self, entries: &[usize]) -> Result<Vec<ArrayRef>> {
        Ok(self
            .converter
            .convert_rows(entries.iter().map(|&e| self.rows.row(e)))?)
    }

    /// The entries of every group, groups in index order and each group's
    /// entries in arrival order, with the offsets where each group starts.
    pub fn by_group(&self, total_groups: usize) -> (Vec<usize>, Vec<usize>) {
        let mut starts = vec![0usize; total_groups + 1];
        for &group in &self.groups {
            starts[group as usize + 1] += 1;
        }
        for group in 0..total_groups {
            starts[group + 1] += starts[group];
        }
        let mut next = starts.clone();
        let mut order = vec![0usize; self.groups.len()];
        for (entry, &group) in self.groups.iter().enumerate() {
            order[next[group as usize]] = entry;
            next[group as usize] += 1;
        }
        (order, starts)
    }

    /// One list per group of the values of its entries, in arrival order.
    pub fn list_state(&self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let (order, starts) = self.by_group(total_groups);
        let columns = self.columns(&order)?;
        columns
            .into_iter()
            .map(|values| list_array(values, &starts))
            .collect()
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.groups.clear();
    }

    pub fn size(&self) -> usize {
        self.rows.size() + self.groups.capacity() * 4
    }
}

/// `GroupedRows` holding each (group, value) once.
pub(super) struct GroupedRowSet {
    entries: GroupedRows,
    table: HashTable<usize>,
    hashes: Vec<u64>,
    hasher: DefaultHashBuilder,
}

impl GroupedRowSet {
    pub fn try_new(types: &[DataType]) -> Result<Self> {
        Ok(Self {
            entries: GroupedRows::try_new(types)?,
            table: HashTable::new(),
            hashes: vec![],
            hasher: DefaultHashBuilder::default(),
        })
    }

    pub fn entries(&self) -> &GroupedRows {
        &self.entries
    }

    pub fn convert(&self, columns: &[ArrayRef]) -> Result<Rows> {
        self.entries.convert(columns)
    }

    /// The entry of (`group`, `row`), and whether it was added now.
    pub fn insert(&mut self, group: usize, row: Row<'_>) -> Result<(usize, bool)> {
        let hash = self.hasher.hash_one((group, row.as_ref()));
        let Self {
            entries,
            table,
            hashes,
            ..
        } = self;
        if let Some(&entry) = table.find(hash, |&e| {
            hashes[e] == hash && entries.group(e) == group && entries.row(e) == row
        }) {
            return Ok((entry, false));
        }
        let entry = entries.len();
        entries.push(group, row)?;
        hashes.push(hash);
        table.insert_unique(hash, entry, |&e| hashes[e]);
        Ok((entry, true))
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.table.clear();
        self.hashes.clear();
    }

    pub fn size(&self) -> usize {
        self.entries.size() + self.hashes.capacity() * 8 + self.table.capacity() * 16
    }
}

/// A list array of `values` cut at `starts` (one more than there are lists).
pub(super) fn list_array(values: ArrayRef, starts: &[usize]) -> Result<ArrayRef> {
    let offsets = starts
        .iter()
        .map(|&s| i64::try_from(s))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| QuarryError::Internal("list offset past i64".into()))?;
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    Ok(Arc::new(LargeListArray::try_new(
        field,
        OffsetBuffer::new(offsets.into()),
        values,
        None,
    )?))
}

/// The values of a list state and, for each, the group of the list's row.
pub(super) fn list_values(
    state: Option<&ArrayRef>,
    group_indices: &[usize],
) -> Result<(ArrayRef, Vec<usize>)> {
    let lists = state
        .and_then(|s| s.as_list_opt::<i64>())
        .ok_or_else(|| QuarryError::Internal("a list state is not a LARGE LIST".into()))?;
    let offsets = lists.value_offsets();
    let first = offsets.first().copied().unwrap_or(0) as usize;
    let last = offsets.last().copied().unwrap_or(0) as usize;
    let mut groups = Vec::with_capacity(last - first);
    for (row, &group) in group_indices.iter().enumerate() {
        let length = (offsets[row + 1] - offsets[row]) as usize;
        groups.extend(std::iter::repeat_n(group, length));
    }
    Ok((lists.values().slice(first, last - first), groups))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int32Array;

    #[test]
    fn row_set_keeps_one_entry_per_group_and_value_in_arrival_order() {
        let mut set = GroupedRowSet::try_new(&[DataType::Int32]).unwrap();
        let values: ArrayRef = Arc::new(Int32Array::from(vec![5, 7, 5, 5, 7]));
        let rows = set.convert(&[values]).unwrap();
        let groups = [0, 0, 0, 1, 0];
        let added: Vec<bool> = groups
            .iter()
            .enumerate()
            .map(|(i, &g)| set.insert(g, rows.row(i)).unwrap().1)
            .collect();
        assert_eq!(added, vec![true, true, false, true, false]);
        let state = set.entries().list_state(2).unwrap();
        let (values, groups) = list_values(state.first(), &[0, 1]).unwrap();
        assert_eq!(groups, vec![0, 0, 1]);
        assert_eq!(
            values
                .as_primitive::<arrow::datatypes::Int32Type>()
                .values(),
            &[5, 7, 5]
        );
    }
}
