//! string_agg(x [, sep]) (group_concat, listagg): the non-NULL strings of a
//! group joined by a constant separator (',' by default), in input order.
//! A NULL separator makes every result NULL, as in DuckDB. The partial
//! state is the joined string so far (LARGE VARCHAR, NULL for no values).

use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{
    Array, ArrayAccessor, ArrayRef, AsArray, BooleanArray, LargeStringArray, StringArray,
};
use arrow::datatypes::DataType;
use std::sync::Arc;

pub struct StringAggAccumulator {
    separator: Option<String>,
    joined: Vec<Option<String>>,
    bytes: usize,
}

impl StringAggAccumulator {
    pub fn new(separator: Option<String>) -> Self {
        Self {
            separator,
            joined: vec![],
            bytes: 0,
        }
    }

    fn append(&mut self, group: usize, text: &str) {
        let separator = self.separator.as_deref().unwrap_or_default();
        match &mut self.joined[group] {
            Some(joined) => {
                joined.push_str(separator);
                joined.push_str(text);
                self.bytes += separator.len() + text.len();
            }
            slot => {
                *slot = Some(text.to_string());
                self.bytes += text.len() + 24;
            }
        }
    }

    fn fold<'a>(
        &mut self,
        strings: impl ArrayAccessor<Item = &'a str>,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
    ) {
        for (row, &group) in group_indices.iter().enumerate() {
            if strings.is_valid(row) && row_selected(filter, row) {
                self.append(group, strings.value(row));
            }
        }
    }

    fn fold_any(
        &mut self,
        array: &ArrayRef,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.joined.resize(total_groups, None);
        match array.data_type() {
            DataType::Utf8 => self.fold(array.as_string::<i32>(), group_indices, filter),
            DataType::LargeUtf8 => self.fold(array.as_string::<i64>(), group_indices, filter),
            DataType::Utf8View => self.fold(array.as_string_view(), group_indices, filter),
            other => {
                return Err(QuarryError::Internal(format!(
                    "string_agg input is {other}, not VARCHAR"
                )))
            }
        }
        Ok(())
    }

    fn take_joined(&mut self, total_groups: usize) -> Vec<Option<String>> {
        self.joined.resize(total_groups, None);
        self.bytes = 0;
        let joined = std::mem::take(&mut self.joined);
        if self.separator.is_none() {
            return vec![None; total_groups];
        }
        joined
    }
}

impl GroupsAccumulator for StringAggAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        let array = argument(values, 0, "string_agg")?;
        self.fold_any(array, group_indices, filter, total_groups)
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_groups: usize,
    ) -> Result<()> {
        let array = argument(states, 0, "string_agg")?;
        self.fold_any(array, group_indices, None, total_groups)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let joined = self.take_joined(total_groups);
        Ok(vec![Arc::new(LargeStringArray::from(joined))])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let joined = self.take_joined(total_groups);
        let total: usize = joined.iter().flatten().map(String::len).sum();
        if total > i32::MAX as usize {
            return Err(QuarryError::Execution(format!(
                "Out of Range Error: string_agg results of {total} bytes exceed a VARCHAR column's 2 GB"
            )));
        }
        Ok(Arc::new(StringArray::from(joined)))
    }

    fn size(&self) -> usize {
        self.joined.capacity() * 24 + self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(separator: Option<&str>, batches: &[Vec<Option<&str>>]) -> Option<String> {
        let mut merged = StringAggAccumulator::new(separator.map(str::to_string));
        for batch in batches {
            let mut partial = StringAggAccumulator::new(separator.map(str::to_string));
            let values: ArrayRef = Arc::new(StringArray::from(batch.clone()));
            partial
                .update(&[values], &vec![0; batch.len()], None, 1)
                .unwrap();
            merged.merge(&partial.state(1).unwrap(), &[0], 1).unwrap();
        }
        let result = merged.evaluate(1).unwrap();
        let result = result.as_string::<i32>();
        result.is_valid(0).then(|| result.value(0).to_string())
    }

    #[test]
    fn partial_strings_join_with_the_separator_skipping_nulls_and_empty_states() {
        let batches = [
            vec![Some("a"), None],
            vec![None],
            vec![Some("b"), Some("c")],
        ];
        assert_eq!(run(Some(" | "), &batches), Some("a | b | c".into()));
        assert_eq!(run(Some(","), &[vec![None]]), None);
    }

    #[test]
    fn a_null_separator_makes_the_result_null() {
        assert_eq!(run(None, &[vec![Some("a"), Some("b")]]), None);
    }
}
