//! arg_min(arg, val) / arg_max(arg, val) (argmin, min_by, ...): `arg` of the
//! row with the smallest / largest `val`, skipping rows where either is NULL
//! (DuckDB); ties keep the row seen first. Both values are kept in Arrow's
//! row format, whose byte order is the sort order of `val`. Each batch first
//! finds its best row per group, so a group stores at most one row per batch.
//! The state is (arg, val), NULL for groups without a row.

use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray};
use arrow::datatypes::DataType;
use arrow::row::{OwnedRow, RowConverter, SortField};
use std::cmp::Ordering;

pub struct ArgMinMaxAccumulator {
    is_min: bool,
    arg_converter: RowConverter,
    value_converter: RowConverter,
    arg_type: DataType,
    value_type: DataType,
    /// (arg, val) of the best row of every group.
    best: Vec<Option<(OwnedRow, OwnedRow)>>,
    /// The best row of the current batch per group, valid where
    /// `batch_of[group]` is the current fold.
    batch_best: Vec<usize>,
    batch_of: Vec<u64>,
    folds: u64,
    bytes: usize,
}

impl ArgMinMaxAccumulator {
    pub fn try_new(arg_type: &DataType, value_type: &DataType, is_min: bool) -> Result<Self> {
        Ok(Self {
            is_min,
            arg_converter: RowConverter::new(vec![SortField::new(arg_type.clone())])?,
            value_converter: RowConverter::new(vec![SortField::new(value_type.clone())])?,
            arg_type: arg_type.clone(),
            value_type: value_type.clone(),
            best: vec![],
            batch_best: vec![],
            batch_of: vec![],
            folds: 0,
            bytes: 0,
        })
    }

    fn better(&self, candidate: std::cmp::Ordering) -> bool {
        if self.is_min {
            candidate == Ordering::Less
        } else {
            candidate == Ordering::Greater
        }
    }

    fn fold(
        &mut self,
        args: &ArrayRef,
        values: &ArrayRef,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.best.resize(total_groups, None);
        self.batch_best.resize(total_groups, 0);
        self.batch_of.resize(total_groups, 0);
        self.folds += 1;
        let value_rows = self
            .value_converter
            .convert_columns(std::slice::from_ref(values))?;
        let mut touched = vec![];
        for (row, &group) in group_indices.iter().enumerate() {
            if args.is_null(row) || values.is_null(row) || !row_selected(filter, row) {
                continue;
            }
            if self.batch_of[group] != self.folds {
                self.batch_of[group] = self.folds;
                self.batch_best[group] = row;
                touched.push(group);
            } else {
                let current = value_rows.row(self.batch_best[group]);
                if self.better(value_rows.row(row).cmp(&current)) {
                    self.batch_best[group] = row;
                }
            }
        }
        if touched.is_empty() {
            return Ok(());
        }
        let arg_rows = self
            .arg_converter
            .convert_columns(std::slice::from_ref(args))?;
        for group in touched {
            let row = self.batch_best[group];
            let candidate = value_rows.row(row);
            let replace = match &self.best[group] {
                None => true,
                Some((_, value)) => self.better(candidate.cmp(&value.row())),
            };
            if replace {
                let arg = arg_rows.row(row);
                self.bytes += arg.as_ref().len() + candidate.as_ref().len() + 48;
                self.best[group] = Some((arg.owned(), candidate.owned()));
            }
        }
        Ok(())
    }

    /// The (arg, val) columns of every group, NULL where it saw no row.
    fn take_best(&mut self, total_groups: usize) -> Result<(ArrayRef, ArrayRef)> {
        self.best.resize(total_groups, None);
        let best = std::mem::take(&mut self.best);
        self.batch_best.clear();
        self.batch_of.clear();
        self.bytes = 0;
        let column = |converter: &RowConverter,
                      data_type: &DataType,
                      pick: &dyn Fn(&(OwnedRow, OwnedRow)) -> &OwnedRow|
         -> Result<ArrayRef> {
            let null_rows = converter.convert_columns(&[new_null_array(data_type, 1)])?;
            let null_row = null_rows.row(0);
            let rows = best
                .iter()
                .map(|b| b.as_ref().map_or(null_row, |pair| pick(pair).row()));
            converter
                .convert_rows(rows)?
                .pop()
                .ok_or_else(|| QuarryError::Internal("arg_min produced no column".into()))
        };
        let args = column(&self.arg_converter, &self.arg_type, &|pair| &pair.0)?;
        let values = column(&self.value_converter, &self.value_type, &|pair| &pair.1)?;
        Ok((args, values))
    }
}

impl GroupsAccumulator for ArgMinMaxAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        let args = argument(values, 0, "arg_min")?;
        let by = argument(values, 1, "arg_min")?;
        self.fold(args, by, group_indices, filter, total_groups)
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_groups: usize,
    ) -> Result<()> {
        self.update(states, group_indices, None, total_groups)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let (args, values) = self.take_best(total_groups)?;
        Ok(vec![args, values])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        Ok(self.take_best(total_groups)?.0)
    }

    fn size(&self) -> usize {
        self.best.capacity() * 48 + self.batch_best.capacity() * 16 + self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{AsArray, Int32Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn ties_keep_the_first_row_and_nulls_are_skipped() {
        let args: ArrayRef = Arc::new(StringArray::from(vec![
            None,
            Some("x"),
            Some("y"),
            Some("z"),
        ]));
        let values: ArrayRef = Arc::new(Int32Array::from(vec![Some(9), Some(2), Some(2), None]));
        let mut min =
            ArgMinMaxAccumulator::try_new(&DataType::Utf8, &DataType::Int32, true).unwrap();
        let mut max =
            ArgMinMaxAccumulator::try_new(&DataType::Utf8, &DataType::Int32, false).unwrap();
        for accumulator in [&mut min, &mut max] {
            accumulator
                .update(&[args.clone(), values.clone()], &[0, 0, 0, 0], None, 1)
                .unwrap();
        }
        let min = min.evaluate(1).unwrap();
        let max = max.evaluate(1).unwrap();
        assert_eq!(min.as_string::<i32>().value(0), "x");
        assert_eq!(max.as_string::<i32>().value(0), "x");
    }

    #[test]
    fn merging_partial_states_keeps_the_earlier_state_on_ties() {
        let states: Vec<Vec<ArrayRef>> = [("a", 3), ("b", 1), ("c", 1)]
            .into_iter()
            .map(|(arg, value)| {
                let mut accumulator =
                    ArgMinMaxAccumulator::try_new(&DataType::Utf8, &DataType::Int32, true).unwrap();
                let args: ArrayRef = Arc::new(StringArray::from(vec![arg]));
                let values: ArrayRef = Arc::new(Int32Array::from(vec![value]));
                accumulator.update(&[args, values], &[0], None, 1).unwrap();
                accumulator.state(1).unwrap()
            })
            .collect();
        let mut merged =
            ArgMinMaxAccumulator::try_new(&DataType::Utf8, &DataType::Int32, true).unwrap();
        for state in &states {
            merged.merge(state, &[0], 1).unwrap();
        }
        let result = merged.evaluate(1).unwrap();
        assert_eq!(result.as_string::<i32>().value(0), "b");
    }
}
