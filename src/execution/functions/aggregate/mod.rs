//! Grouped aggregation state. An accumulator holds one state per group and is
//! updated a whole batch at a time with the group index of every row, never
//! row by row through dynamic calls. Partial states (`state`) merge in a final
//! phase (`merge`), so aggregation can run as partial + final.

mod average;
mod count;
mod distinct;
mod min_max;
mod sum;
mod variance;

use crate::error::{QuarryError, Result};
use crate::logical::AggregateFunction;
use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::datatypes::DataType;

/// Per-group state of one aggregate call.
pub trait GroupsAccumulator: Send {
    /// Folds `values` into the groups given by `group_indices` (one per row);
    /// rows where `filter` is not true are skipped. `total_groups` is the number
    /// of groups seen so far (indices are below it).
    fn update(
        &mut self,
        values: Option<&ArrayRef>,
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()>;

    /// Folds partial states (as produced by `state`) into the groups.
    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_groups: usize,
    ) -> Result<()>;

    /// The partial state of each of `total_groups` groups, one array per
    /// state field (groups never updated get the empty state).
    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>>;

    /// The final value of each of `total_groups` groups.
    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef>;

    /// Approximate bytes held.
    fn size(&self) -> usize;
}

/// Whether row `row` takes part, given an optional FILTER mask.
#[inline]
pub(crate) fn row_selected(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(row) && f.value(row))
}

/// The types of the partial state of `func` over `arg_type`.
pub fn state_types(
    func: AggregateFunction,
    arg_type: Option<&DataType>,
    result: &DataType,
) -> Vec<DataType> {
    use AggregateFunction::*;
    match func {
        CountStar | Count => vec![DataType::Int64],
        Sum | Min | Max => vec![result.clone()],
        Avg => vec![
            arg_type.cloned().unwrap_or(DataType::Float64),
            DataType::Int64,
        ],
        StddevSamp | StddevPop | VarSamp | VarPop => {
            vec![DataType::Int64, DataType::Float64, DataType::Float64]
        }
    }
}

/// A fresh accumulator for `func` with argument type `arg_type` and result
/// type `result`; `distinct` wraps it so each value counts once per group.
pub fn create_accumulator(
    func: AggregateFunction,
    arg_type: Option<&DataType>,
    result: &DataType,
    distinct: bool,
) -> Result<Box<dyn GroupsAccumulator>> {
    if distinct {
        let Some(arg_type) = arg_type.cloned() else {
            return Err(QuarryError::Internal(
                "DISTINCT aggregate without argument".into(),
            ));
        };
        let result = result.clone();
        let inner_type = arg_type.clone();
        let factory = move || create_accumulator(func, Some(&inner_type), &result, false);
        return Ok(Box::new(distinct::DistinctAccumulator::try_new(
            arg_type,
            Box::new(factory),
        )?));
    }
    use AggregateFunction::*;
    Ok(match func {
        CountStar | Count => Box::new(count::CountAccumulator::default()),
        Sum => sum::create(result)?,
        Avg => average::create(arg_type.unwrap_or(&DataType::Float64))?,
        Min => min_max::create(result, true)?,
        Max => min_max::create(result, false)?,
        StddevSamp => Box::new(variance::VarianceAccumulator::new(
            variance::Statistic::StddevSamp,
        )),
        StddevPop => Box::new(variance::VarianceAccumulator::new(
            variance::Statistic::StddevPop,
        )),
        VarSamp => Box::new(variance::VarianceAccumulator::new(
            variance::Statistic::VarSamp,
        )),
        VarPop => Box::new(variance::VarianceAccumulator::new(
            variance::Statistic::VarPop,
        )),
    })
}
