//! any_value, first (arbitrary) and last: one value per group, of any type,
//! kept in Arrow's row format. first and last take the first / last row in
//! input order, NULL or not (DuckDB); any_value the first non-NULL one. A
//! batch stores at most one value per group, so a group costs one
//! allocation per batch, not per row.
//!
//! The state is the value and whether the group saw a row at all (a NULL
//! first value still wins over later partial states).

use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{new_null_array, Array, ArrayRef, AsArray, BooleanArray};
use arrow::datatypes::DataType;
use arrow::row::{OwnedRow, Row, RowConverter, Rows, SortField};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    AnyValue,
    First,
    Last,
}

pub fn create(data_type: &DataType, pick: Pick) -> Result<Box<dyn GroupsAccumulator>> {
    Ok(Box::new(FirstLastAccumulator::try_new(data_type, pick)?))
}

pub struct FirstLastAccumulator {
    pick: Pick,
    data_type: DataType,
    converter: RowConverter,
    values: Vec<Option<OwnedRow>>,
    /// The fold that last stored each group's value: `Last` stores only
    /// the last row of a group per batch.
    stored_in: Vec<u64>,
    folds: u64,
    bytes: usize,
}

impl FirstLastAccumulator {
    fn try_new(data_type: &DataType, pick: Pick) -> Result<Self> {
        Ok(Self {
            pick,
            data_type: data_type.clone(),
            converter: RowConverter::new(vec![SortField::new(data_type.clone())])?,
            values: vec![],
            stored_in: vec![],
            folds: 0,
            bytes: 0,
        })
    }

    fn store(&mut self, group: usize, row: Row<'_>) {
        self.bytes += row.as_ref().len() + 24;
        self.values[group] = Some(row.owned());
    }

    /// Folds the rows that `take` accepts, in input order.
    fn fold(
        &mut self,
        rows: &Rows,
        group_indices: &[usize],
        take: impl Fn(usize) -> bool,
        total_groups: usize,
    ) {
        self.values.resize(total_groups, None);
        self.stored_in.resize(total_groups, 0);
        self.folds += 1;
        match self.pick {
            Pick::AnyValue | Pick::First => {
                for (row, &group) in group_indices.iter().enumerate() {
                    if self.values[group].is_none() && take(row) {
                        self.store(group, rows.row(row));
                    }
                }
            }
            Pick::Last => {
                for (row, &group) in group_indices.iter().enumerate().rev() {
                    if self.stored_in[group] != self.folds && take(row) {
                        self.stored_in[group] = self.folds;
                        self.store(group, rows.row(row));
                    }
                }
            }
        }
    }

    /// The value of every group (NULL where none was taken) and whether one was.
    fn take_values(&mut self, total_groups: usize) -> Result<(ArrayRef, Vec<bool>)> {
        self.values.resize(total_groups, None);
        let null = new_null_array(&self.data_type, 1);
        let null_rows = self.converter.convert_columns(&[null])?;
        let null_row = null_rows.row(0);
        let values = std::mem::take(&mut self.values);
        let taken = values.iter().map(Option::is_some).collect();
        let rows = values
            .iter()
            .map(|v| v.as_ref().map_or(null_row, |r| r.row()));
        let mut columns = self.converter.convert_rows(rows)?;
        self.stored_in.clear();
        self.bytes = 0;
        let column = columns
            .pop()
            .ok_or_else(|| QuarryError::Internal("first/last produced no column".into()))?;
        Ok((column, taken))
    }
}

impl GroupsAccumulator for FirstLastAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        let array = argument(values, 0, self.pick_name())?;
        let rows = self
            .converter
            .convert_columns(std::slice::from_ref(array))?;
        let skip_nulls = self.pick == Pick::AnyValue;
        let take = |row: usize| (!skip_nulls || array.is_valid(row)) && row_selected(filter, row);
        self.fold(&rows, group_indices, take, total_groups);
        Ok(())
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_groups: usize,
    ) -> Result<()> {
        let values = argument(states, 0, self.pick_name())?;
        let rows = self
            .converter
            .convert_columns(std::slice::from_ref(values))?;
        match self.pick {
            // A NULL value in any_value's state means "none yet".
            Pick::AnyValue => self.fold(
                &rows,
                group_indices,
                |row| values.is_valid(row),
                total_groups,
            ),
            Pick::First | Pick::Last => {
                let taken = states
                    .get(1)
                    .and_then(|s| s.as_boolean_opt())
                    .ok_or_else(|| QuarryError::Internal("malformed first/last state".into()))?;
                self.fold(&rows, group_indices, |row| taken.value(row), total_groups)
            }
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let (values, taken) = self.take_values(total_groups)?;
        Ok(match self.pick {
            Pick::AnyValue => vec![values],
            Pick::First | Pick::Last => vec![values, Arc::new(BooleanArray::from(taken))],
        })
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        Ok(self.take_values(total_groups)?.0)
    }

    fn size(&self) -> usize {
        self.values.capacity() * 32 + self.stored_in.capacity() * 8 + self.bytes
    }
}

impl FirstLastAccumulator {
    fn pick_name(&self) -> &'static str {
        match self.pick {
            Pick::AnyValue => "any_value",
            Pick::First => "first",
            Pick::Last => "last",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use arrow::datatypes::Int64Type;

    fn ints(values: Vec<Option<i64>>) -> ArrayRef {
        Arc::new(Int64Array::from(values))
    }

    fn collect(array: &ArrayRef) -> Vec<Option<i64>> {
        array.as_primitive::<Int64Type>().iter().collect()
    }

    #[test]
    fn first_and_last_keep_nulls_and_any_value_skips_them() {
        let values = vec![ints(vec![None, Some(1), Some(2), None])];
        let groups = [0, 0, 1, 1];
        let mut results = vec![];
        for pick in [Pick::First, Pick::Last, Pick::AnyValue] {
            let mut accumulator = FirstLastAccumulator::try_new(&DataType::Int64, pick).unwrap();
            accumulator.update(&values, &groups, None, 2).unwrap();
            results.push(collect(&accumulator.evaluate(2).unwrap()));
        }
        assert_eq!(results[0], vec![None, Some(2)]);
        assert_eq!(results[1], vec![Some(1), None]);
        assert_eq!(results[2], vec![Some(1), Some(2)]);
    }

    #[test]
    fn a_null_first_value_wins_over_later_partial_states() {
        let mut partials = vec![];
        for batch in [vec![None, Some(5)], vec![Some(7), Some(8)]] {
            let mut accumulator =
                FirstLastAccumulator::try_new(&DataType::Int64, Pick::First).unwrap();
            accumulator
                .update(&[ints(batch)], &[0, 0], None, 1)
                .unwrap();
            partials.push(accumulator.state(1).unwrap());
        }
        let mut last = FirstLastAccumulator::try_new(&DataType::Int64, Pick::Last).unwrap();
        let mut first = FirstLastAccumulator::try_new(&DataType::Int64, Pick::First).unwrap();
        for state in &partials {
            first.merge(state, &[0], 1).unwrap();
        }
        assert_eq!(collect(&first.evaluate(1).unwrap()), vec![None]);
        last.update(&[ints(vec![Some(1), Some(2)])], &[0, 0], None, 1)
            .unwrap();
        last.update(&[ints(vec![Some(3), None])], &[0, 0], None, 1)
            .unwrap();
        assert_eq!(collect(&last.evaluate(1).unwrap()), vec![None]);
    }
}
