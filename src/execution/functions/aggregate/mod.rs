//! Grouped aggregation state. An accumulator holds one state per group and is
//! updated a whole batch at a time with the group index of every row, never
//! row by row through dynamic calls. Partial states (`state`) merge in a final
//! phase (`merge`), so aggregation can run as partial + final; window frames
//! merge the states of blocks of rows the same way, in row order.
//!
//! Holistic aggregates (median, quantiles, mode) keep their values in the
//! state as lists; order-sensitive ones (first, last, string_agg) see rows
//! in input order within a partition and partial states in partition order.

mod arg_min_max;
mod average;
mod bit_and_or_xor;
mod bool_and_or;
mod count;
mod covariance;
mod distinct;
mod first_last;
mod grouped_rows;
mod min_max;
mod mode;
mod ordered;
mod product;
mod quantile;
mod string_agg;
mod sum;
mod variance;

use crate::error::{QuarryError, Result};
use crate::logical::{AggregateFunction, AggregateParameter};
use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::datatypes::{DataType, Field};
use arrow::row::SortField;
use std::sync::Arc;

/// Per-group state of one aggregate call.
pub trait GroupsAccumulator: Send {
    /// Folds the argument columns `values` (none for `count(*)`) into the
    /// groups given by `group_indices` (one per row); rows where `filter` is
    /// not true are skipped. `total_groups` is the number of groups seen so
    /// far (indices are below it).
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()>;

    /// Folds partial states (as produced by `state`) into the groups, in
    /// the order of their rows.
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

/// An aggregate call as its accumulators see it: the function, the types
/// of its per-row arguments (as the binder cast them), its constant
/// parameter, its result type, and how rows reach it: DISTINCT, and the
/// ORDER BY keys whose values follow the arguments in `update`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateSpec {
    pub func: AggregateFunction,
    pub arg_types: Vec<DataType>,
    pub parameter: Option<AggregateParameter>,
    pub result_type: DataType,
    pub distinct: bool,
    pub order_by: Vec<SortField>,
}

/// Makes the inner accumulator of a wrapper (DISTINCT, ORDER BY).
type Factory = Box<dyn Fn() -> Result<Box<dyn GroupsAccumulator>> + Send>;

/// Whether row `row` takes part, given an optional FILTER mask.
#[inline]
pub(crate) fn row_selected(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(row) && f.value(row))
}

/// The argument `index` of an accumulator, or an internal error naming it.
fn argument<'a>(values: &'a [ArrayRef], index: usize, what: &str) -> Result<&'a ArrayRef> {
    values
        .get(index)
        .ok_or_else(|| QuarryError::Internal(format!("{what} without argument {index}")))
}

/// The type of a state that keeps a list of values per group.
fn list_state_type(value_type: &DataType) -> DataType {
    DataType::LargeList(Arc::new(Field::new_list_field(value_type.clone(), true)))
}

impl AggregateSpec {
    fn arg_type(&self, index: usize) -> Result<&DataType> {
        self.arg_types.get(index).ok_or_else(|| {
            QuarryError::Internal(format!("{} has no argument {index}", self.func.name()))
        })
    }

    /// The types of the partial state.
    pub fn state_types(&self) -> Result<Vec<DataType>> {
        use AggregateFunction::*;
        let result = self.result_type.clone();
        Ok(match self.func {
            CountStar | Count | RegrCount => vec![DataType::Int64],
            Sum | Min | Max | AnyValue | BoolAnd | BoolOr | BitAnd | BitOr | BitXor | Product => {
                vec![result]
            }
            StringAgg => vec![DataType::LargeUtf8],
            Avg => vec![self.arg_type(0)?.clone(), DataType::Int64],
            StddevSamp | StddevPop | VarSamp | VarPop => {
                vec![DataType::Int64, DataType::Float64, DataType::Float64]
            }
            First | Last => vec![result, DataType::Boolean],
            ArgMin | ArgMax => vec![self.arg_type(0)?.clone(), self.arg_type(1)?.clone()],
            Median | QuantileCont | QuantileDisc => vec![list_state_type(self.arg_type(0)?)],
            Mode => vec![
                list_state_type(self.arg_type(0)?),
                list_state_type(&DataType::Int64),
            ],
            Corr | CovarPop | CovarSamp | RegrSlope | RegrIntercept | RegrR2 | RegrAvgx
            | RegrAvgy | RegrSxx | RegrSyy | RegrSxy => covariance::state_types(),
        })
    }

    /// The spec of a plain call of the same function: every row, in input order.
    pub fn plain(
        func: AggregateFunction,
        arg_types: Vec<DataType>,
        parameter: Option<AggregateParameter>,
        result_type: DataType,
    ) -> Self {
        Self {
            func,
            arg_types,
            parameter,
            result_type,
            distinct: false,
            order_by: vec![],
        }
    }

    /// Whether the call runs in a single phase (no partial state).
    pub fn is_single_phase(&self) -> bool {
        self.distinct || !self.order_by.is_empty()
    }

    /// A fresh accumulator. ORDER BY wraps it to see each group's rows
    /// sorted, DISTINCT to see each distinct argument tuple once (both run
    /// in a single aggregation phase).
    pub fn create_accumulator(&self) -> Result<Box<dyn GroupsAccumulator>> {
        if !self.order_by.is_empty() {
            let inner = Self {
                order_by: vec![],
                ..self.clone()
            };
            let factory = move || inner.create_accumulator();
            return Ok(Box::new(ordered::OrderedAccumulator::try_new(
                &self.arg_types,
                self.order_by.clone(),
                Box::new(factory),
            )?));
        }
        if self.distinct {
            let inner = Self {
                distinct: false,
                ..self.clone()
            };
            let factory = move || inner.create_accumulator();
            return Ok(Box::new(distinct::DistinctAccumulator::try_new(
                &self.arg_types,
                Box::new(factory),
            )?));
        }
        use AggregateFunction::*;
        let result = &self.result_type;
        Ok(match self.func {
            CountStar | Count => Box::new(count::CountAccumulator::new(DataType::Int64)),
            RegrCount => Box::new(count::CountAccumulator::new(result.clone())),
            Sum => sum::create(result)?,
            Avg => average::create(self.arg_type(0)?)?,
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
            AnyValue => first_last::create(result, first_last::Pick::AnyValue)?,
            First => first_last::create(result, first_last::Pick::First)?,
            Last => first_last::create(result, first_last::Pick::Last)?,
            ArgMin => Box::new(arg_min_max::ArgMinMaxAccumulator::try_new(
                self.arg_type(0)?,
                self.arg_type(1)?,
                true,
            )?),
            ArgMax => Box::new(arg_min_max::ArgMinMaxAccumulator::try_new(
                self.arg_type(0)?,
                self.arg_type(1)?,
                false,
            )?),
            Median | QuantileCont | QuantileDisc => {
                let fraction = match (&self.parameter, self.func) {
                    (None, Median) => 0.5,
                    (Some(AggregateParameter::Quantile(fraction)), _) => *fraction,
                    _ => {
                        return Err(QuarryError::Internal(format!(
                            "{} without its quantile",
                            self.func.name()
                        )))
                    }
                };
                // Median interpolates what can be (the binder cast integers
                // to DOUBLE, dates to TIMESTAMP) and picks among the rest.
                let continuous = self.func == QuantileCont
                    || (self.func == Median && quantile::interpolates(self.arg_type(0)?));
                Box::new(quantile::QuantileAccumulator::try_new(
                    self.arg_type(0)?,
                    fraction,
                    continuous,
                )?)
            }
            Mode => Box::new(mode::ModeAccumulator::try_new(self.arg_type(0)?)?),
            StringAgg => {
                let Some(AggregateParameter::Separator(separator)) = &self.parameter else {
                    return Err(QuarryError::Internal(
                        "string_agg without its separator".into(),
                    ));
                };
                Box::new(string_agg::StringAggAccumulator::new(separator.clone()))
            }
            BoolAnd => Box::new(bool_and_or::BoolAndOrAccumulator::new(true)),
            BoolOr => Box::new(bool_and_or::BoolAndOrAccumulator::new(false)),
            BitAnd => bit_and_or_xor::create(result, bit_and_or_xor::BitOperation::And)?,
            BitOr => bit_and_or_xor::create(result, bit_and_or_xor::BitOperation::Or)?,
            BitXor => bit_and_or_xor::create(result, bit_and_or_xor::BitOperation::Xor)?,
            Product => Box::new(product::ProductAccumulator::default()),
            Corr | CovarPop | CovarSamp | RegrSlope | RegrIntercept | RegrR2 | RegrAvgx
            | RegrAvgy | RegrSxx | RegrSyy | RegrSxy => {
                Box::new(covariance::CovarianceAccumulator::new(self.func))
            }
        })
    }
}
