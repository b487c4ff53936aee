//! mode: the most frequent non-NULL value of a group, of any type; among
//! equally frequent values the one seen first wins (DuckDB). Each distinct
//! (group, value) is counted once in Arrow's row format; the partial state
//! is the list of a group's distinct values and the list of their counts,
//! in the order first seen.

use super::grouped_rows::{list_array, list_values, GroupedRowSet};
use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array, UInt32Array};
use arrow::datatypes::{DataType, Int64Type};
use std::sync::Arc;

pub struct ModeAccumulator {
    values: GroupedRowSet,
    counts: Vec<i64>,
}

impl ModeAccumulator {
    pub fn try_new(data_type: &DataType) -> Result<Self> {
        Ok(Self {
            values: GroupedRowSet::try_new(std::slice::from_ref(data_type))?,
            counts: vec![],
        })
    }

    fn add(
        &mut self,
        values: &ArrayRef,
        groups: &[usize],
        counts: impl Fn(usize) -> Option<i64>,
    ) -> Result<()> {
        let rows = self.values.convert(std::slice::from_ref(values))?;
        for (row, &group) in groups.iter().enumerate() {
            let Some(count) = counts(row) else {
                continue;
            };
            let (entry, added) = self.values.insert(group, rows.row(row))?;
            if added {
                self.counts.push(0);
            }
            self.counts[entry] += count;
        }
        Ok(())
    }
}

impl GroupsAccumulator for ModeAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        _total_groups: usize,
    ) -> Result<()> {
        let array = argument(values, 0, "mode")?;
        self.add(array, group_indices, |row| {
            (array.is_valid(row) && row_selected(filter, row)).then_some(1)
        })
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        _total_groups: usize,
    ) -> Result<()> {
        let (values, groups) = list_values(states.first(), group_indices)?;
        let (counts, _) = list_values(states.get(1), group_indices)?;
        let counts = counts
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| QuarryError::Internal("mode counts are not BIGINT".into()))?;
        self.add(&values, &groups, |row| Some(counts.value(row)))
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let entries = self.values.entries();
        let (order, starts) = entries.by_group(total_groups);
        let values = entries.columns(&order)?.remove(0);
        let counts: ArrayRef = Arc::new(Int64Array::from_iter_values(
            order.iter().map(|&e| self.counts[e]),
        ));
        let state = vec![list_array(values, &starts)?, list_array(counts, &starts)?];
        self.values.clear();
        self.counts.clear();
        Ok(state)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let entries = self.values.entries();
        let mut best: Vec<Option<usize>> = vec![None; total_groups];
        for (entry, &count) in self.counts.iter().enumerate() {
            let group = entries.group(entry);
            if best[group].is_none_or(|b| count > self.counts[b]) {
                best[group] = Some(entry);
            }
        }
        let picked: Vec<usize> = best.iter().flatten().copied().collect();
        let values = entries.columns(&picked)?.remove(0);
        let mut next = 0u32;
        let positions: UInt32Array = best
            .iter()
            .map(|b| {
                b.map(|_| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        self.values.clear();
        self.counts.clear();
        Ok(arrow::compute::take(&values, &positions, None)?)
    }

    fn size(&self) -> usize {
        self.values.size() + self.counts.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::StringArray;

    #[test]
    fn ties_go_to_the_value_seen_first_across_partial_states() {
        let batches = [vec!["b", "a"], vec!["a", "b", "c"]];
        let mut merged = ModeAccumulator::try_new(&DataType::Utf8).unwrap();
        for batch in batches {
            let mut partial = ModeAccumulator::try_new(&DataType::Utf8).unwrap();
            let groups = vec![0; batch.len()];
            let values: ArrayRef = Arc::new(StringArray::from(batch));
            partial.update(&[values], &groups, None, 1).unwrap();
            let state = partial.state(1).unwrap();
            merged.merge(&state, &[0], 1).unwrap();
        }
        let result = merged.evaluate(1).unwrap();
        assert_eq!(result.as_string::<i32>().value(0), "b");
    }
}
