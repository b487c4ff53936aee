//! `agg(args ORDER BY keys)`: every row of a group is kept (arguments and
//! sort keys in Arrow's row format, the keys encoded so that byte order is
//! the requested order) and fed, sorted, to a fresh inner accumulator at the
//! end; rows with equal keys keep their input order. `update` receives the
//! argument columns followed by the key columns. Runs in a single
//! aggregation phase.

use super::grouped_rows::GroupedRows;
use super::{row_selected, Factory, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{ArrayRef, BooleanArray};
use arrow::datatypes::DataType;
use arrow::row::{RowConverter, Rows, SortField};

pub struct OrderedAccumulator {
    args: GroupedRows,
    arg_count: usize,
    key_converter: RowConverter,
    keys: Rows,
    factory: Factory,
}

impl OrderedAccumulator {
    pub fn try_new(arg_types: &[DataType], keys: Vec<SortField>, factory: Factory) -> Result<Self> {
        if arg_types.is_empty() || keys.is_empty() {
            return Err(QuarryError::Internal(
                "an ordered aggregate needs arguments and keys".into(),
            ));
        }
        let key_converter = RowConverter::new(keys)?;
        let keys = key_converter.empty_rows(0, 0);
        Ok(Self {
            args: GroupedRows::try_new(arg_types)?,
            arg_count: arg_types.len(),
            key_converter,
            keys,
            factory,
        })
    }
}

impl GroupsAccumulator for OrderedAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        _total_groups: usize,
    ) -> Result<()> {
        if values.len() <= self.arg_count {
            return Err(QuarryError::Internal(
                "an ordered aggregate got no sort keys".into(),
            ));
        }
        let (args, keys) = values.split_at(self.arg_count);
        let arg_rows = self.args.convert(args)?;
        let key_rows = self.key_converter.convert_columns(keys)?;
        for (row, &group) in group_indices.iter().enumerate() {
            if row_selected(filter, row) {
                self.args.push(group, arg_rows.row(row))?;
                self.keys.push(key_rows.row(row));
            }
        }
        Ok(())
    }

    fn merge(&mut self, _: &[ArrayRef], _: &[usize], _: usize) -> Result<()> {
        Err(QuarryError::Internal(
            "ordered aggregates run in a single phase and never merge".into(),
        ))
    }

    fn state(&mut self, _total_groups: usize) -> Result<Vec<ArrayRef>> {
        Err(QuarryError::Internal(
            "ordered aggregates run in a single phase and have no partial state".into(),
        ))
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let (mut order, starts) = self.args.by_group(total_groups);
        let keys = &self.keys;
        for group in 0..total_groups {
            order[starts[group]..starts[group + 1]].sort_by(|&a, &b| keys.row(a).cmp(&keys.row(b)));
        }
        let values = self.args.columns(&order)?;
        let group_indices: Vec<usize> = order.iter().map(|&e| self.args.group(e)).collect();
        self.args.clear();
        self.keys.clear();
        let mut inner = (self.factory)()?;
        inner.update(&values, &group_indices, None, total_groups)?;
        inner.evaluate(total_groups)
    }

    fn size(&self) -> usize {
        self.args.size() + self.keys.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::functions::aggregate::AggregateSpec;
    use crate::logical::{AggregateFunction, AggregateParameter};
    use arrow::array::{Array, AsArray, Int32Array, StringArray};
    use arrow::compute::SortOptions;
    use std::sync::Arc;

    #[test]
    fn string_agg_sees_each_group_sorted_with_ties_in_input_order() {
        let mut spec = AggregateSpec::plain(
            AggregateFunction::StringAgg,
            vec![DataType::Utf8],
            Some(AggregateParameter::Separator(Some(",".into()))),
            DataType::Utf8,
        );
        spec.order_by = vec![SortField::new_with_options(
            DataType::Int32,
            SortOptions {
                descending: true,
                nulls_first: false,
            },
        )];
        let mut accumulator = spec.create_accumulator().unwrap();
        let words: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "c", "d", "e"]));
        let keys: ArrayRef = Arc::new(Int32Array::from(vec![
            Some(1),
            None,
            Some(3),
            Some(1),
            Some(9),
        ]));
        accumulator
            .update(&[words, keys], &[0, 0, 0, 0, 1], None, 2)
            .unwrap();
        let result = accumulator.evaluate(2).unwrap();
        let result = result.as_string::<i32>();
        assert_eq!(result.value(0), "c,a,d,b");
        assert_eq!(result.value(1), "e");
        assert_eq!(result.len(), 2);
    }
}
