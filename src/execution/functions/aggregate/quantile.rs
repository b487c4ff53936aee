//! median, quantile_cont and quantile_disc: every non-NULL value of a group
//! is kept (in Arrow's row format, so any type sorts) and the quantile is
//! selected at the end, O(n) per group. The partial state is the list of a
//! group's values.
//!
//! As in DuckDB: a discrete quantile `q` of `n` values is the value at
//! `max(1, n - floor(n - q n)) - 1` in ascending order; a continuous one
//! interpolates between the values at `floor((n - 1) q)` and the next,
//! truncating for decimals and rounding for timestamps. A negative `q`
//! counts from the largest value.

use super::grouped_rows::{list_values, GroupedRows};
use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, PrimitiveArray, UInt32Array};
use arrow::datatypes::*;
use std::sync::Arc;

/// Whether `quantile_cont` can interpolate values of `data_type` (the
/// binder casts integers to DOUBLE and dates to TIMESTAMP first).
pub fn interpolates(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Float32
            | DataType::Float64
            | DataType::Decimal128(_, _)
            | DataType::Timestamp(_, _)
    )
}

pub struct QuantileAccumulator {
    values: GroupedRows,
    data_type: DataType,
    fraction: f64,
    continuous: bool,
}

/// The picked value(s) of one group: `hi` only when interpolating.
struct Pick {
    lo: usize,
    hi: usize,
    weight: f64,
}

impl QuantileAccumulator {
    pub fn try_new(data_type: &DataType, fraction: f64, continuous: bool) -> Result<Self> {
        if continuous && !interpolates(data_type) {
            return Err(QuarryError::Internal(format!(
                "quantile_cont cannot interpolate {data_type}"
            )));
        }
        Ok(Self {
            values: GroupedRows::try_new(std::slice::from_ref(data_type))?,
            data_type: data_type.clone(),
            fraction,
            continuous,
        })
    }

    /// Selects the quantile among the entries of one group.
    fn pick(&self, entries: &mut [usize]) -> Option<Pick> {
        let n = entries.len();
        if n == 0 {
            return None;
        }
        let descending = self.fraction < 0.0;
        let q = self.fraction.abs();
        let rows = &self.values;
        let order = |a: &usize, b: &usize| {
            let ordering = rows.row(*a).cmp(&rows.row(*b));
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        };
        if !self.continuous {
            let count = n as f64;
            let index = ((count - (count - q * count).floor()) as usize).max(1) - 1;
            let index = index.min(n - 1);
            entries.select_nth_unstable_by(index, order);
            return Some(Pick {
                lo: entries[index],
                hi: entries[index],
                weight: 0.0,
            });
        }
        let position = (n - 1) as f64 * q;
        let below = (position.floor() as usize).min(n - 1);
        let above = (position.ceil() as usize).min(n - 1);
        entries.select_nth_unstable_by(below, order);
        let lo = entries[below];
        let hi = if above == below {
            lo
        } else {
            // The smallest of the values after `below` is the next one.
            let rest = &entries[below + 1..];
            rest.iter()
                .copied()
                .min_by(|a, b| order(a, b))
                .unwrap_or(lo)
        };
        Some(Pick {
            lo,
            hi,
            weight: position - below as f64,
        })
    }

    /// `lo + (hi - lo) * weight` per group, in the values' type.
    fn interpolate(&self, lo: &ArrayRef, hi: &ArrayRef, weights: &[f64]) -> Result<ArrayRef> {
        fn each<T: ArrowPrimitiveType>(
            lo: &ArrayRef,
            hi: &ArrayRef,
            weights: &[f64],
            f: impl Fn(T::Native, T::Native, f64) -> T::Native,
        ) -> Result<ArrayRef> {
            let (Some(lo), Some(hi)) = (lo.as_primitive_opt::<T>(), hi.as_primitive_opt::<T>())
            else {
                return Err(QuarryError::Internal("quantile values changed type".into()));
            };
            let values: Vec<T::Native> = lo
                .values()
                .iter()
                .zip(hi.values().iter())
                .zip(weights)
                .map(|((&l, &h), &w)| if w == 0.0 { l } else { f(l, h, w) })
                .collect();
            Ok(Arc::new(
                PrimitiveArray::<T>::new(values.into(), None)
                    .with_data_type(lo.data_type().clone()),
            ))
        }
        match &self.data_type {
            DataType::Float64 => each::<Float64Type>(lo, hi, weights, |l, h, w| l + (h - l) * w),
            DataType::Float32 => each::<Float32Type>(lo, hi, weights, |l, h, w| {
                (l as f64 + (h as f64 - l as f64) * w) as f32
            }),
            // DuckDB truncates the interpolated decimal.
            DataType::Decimal128(_, _) => each::<Decimal128Type>(lo, hi, weights, |l, h, w| {
                (l as f64 + (h - l) as f64 * w) as i128
            }),
            DataType::Timestamp(unit, _) => {
                let round = |l: i64, h: i64, w: f64| {
                    l.saturating_add(((h as i128 - l as i128) as f64 * w).round() as i64)
                };
                match unit {
                    TimeUnit::Second => each::<TimestampSecondType>(lo, hi, weights, round),
                    TimeUnit::Millisecond => {
                        each::<TimestampMillisecondType>(lo, hi, weights, round)
                    }
                    TimeUnit::Microsecond => {
                        each::<TimestampMicrosecondType>(lo, hi, weights, round)
                    }
                    TimeUnit::Nanosecond => each::<TimestampNanosecondType>(lo, hi, weights, round),
                }
            }
            other => Err(QuarryError::Internal(format!(
                "quantile_cont cannot interpolate {other}"
            ))),
        }
    }
}

impl GroupsAccumulator for QuantileAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        _total_groups: usize,
    ) -> Result<()> {
        let array = argument(values, 0, "quantile")?;
        let rows = self.values.convert(std::slice::from_ref(array))?;
        for (row, &group) in group_indices.iter().enumerate() {
            if array.is_valid(row) && row_selected(filter, row) {
                self.values.push(group, rows.row(row))?;
            }
        }
        Ok(())
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        _total_groups: usize,
    ) -> Result<()> {
        let (values, groups) = list_values(states.first(), group_indices)?;
        let rows = self.values.convert(std::slice::from_ref(&values))?;
        for (row, &group) in groups.iter().enumerate() {
            if values.is_valid(row) {
                self.values.push(group, rows.row(row))?;
            }
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        let state = self.values.list_state(total_groups)?;
        self.values.clear();
        Ok(state)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let (mut order, starts) = self.values.by_group(total_groups);
        let mut picks = Vec::with_capacity(total_groups);
        for group in 0..total_groups {
            picks.push(self.pick(&mut order[starts[group]..starts[group + 1]]));
        }
        // The picked values of the groups that have any, then NULL for the rest.
        let present: Vec<&Pick> = picks.iter().flatten().collect();
        let lo: Vec<usize> = present.iter().map(|p| p.lo).collect();
        let lo = self.values.columns(&lo)?.remove(0);
        let values = if self.continuous {
            let hi: Vec<usize> = present.iter().map(|p| p.hi).collect();
            let hi = self.values.columns(&hi)?.remove(0);
            let weights: Vec<f64> = present.iter().map(|p| p.weight).collect();
            self.interpolate(&lo, &hi, &weights)?
        } else {
            lo
        };
        let mut next = 0u32;
        let positions: UInt32Array = picks
            .iter()
            .map(|p| {
                p.as_ref().map(|_| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        self.values.clear();
        Ok(arrow::compute::take(&values, &positions, None)?)
    }

    fn size(&self) -> usize {
        self.values.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Decimal128Array, Float64Array, Int32Array};

    fn run(values: ArrayRef, fraction: f64, continuous: bool) -> ArrayRef {
        let data_type = values.data_type().clone();
        let mut accumulator =
            QuantileAccumulator::try_new(&data_type, fraction, continuous).unwrap();
        let groups = vec![0; values.len()];
        accumulator.update(&[values], &groups, None, 2).unwrap();
        accumulator.evaluate(2).unwrap()
    }

    fn doubles(values: &[f64]) -> ArrayRef {
        Arc::new(Float64Array::from(values.to_vec()))
    }

    #[test]
    fn discrete_quantiles_follow_duckdb_positions() {
        let ints: ArrayRef = Arc::new(Int32Array::from(vec![4, 1, 2]));
        let picks: Vec<i32> = [0.5, 0.25, 0.75, 0.33, 0.34, -0.25]
            .iter()
            .map(|&q| {
                run(ints.clone(), q, false)
                    .as_primitive::<Int32Type>()
                    .value(0)
            })
            .collect();
        assert_eq!(picks, vec![2, 1, 4, 1, 2, 4]);
    }

    #[test]
    fn continuous_quantiles_interpolate_and_empty_groups_are_null() {
        let result = run(doubles(&[16.0, 1.0, 8.0, 2.0, 4.0]), 0.75, true);
        let result = result.as_primitive::<Float64Type>();
        assert_eq!(result.value(0), 8.0);
        assert!(result.is_null(1));
        let result = run(doubles(&[-2.0, -3.0]), 0.1, true);
        assert!((result.as_primitive::<Float64Type>().value(0) + 2.9).abs() < 1e-12);
        let result = run(doubles(&[1.0, 2.0, 4.0, 8.0, 16.0]), -1.0, true);
        assert_eq!(result.as_primitive::<Float64Type>().value(0), 1.0);
    }

    #[test]
    fn decimal_medians_truncate_toward_zero() {
        let decimals = |values: Vec<i128>| -> ArrayRef {
            Arc::new(
                Decimal128Array::from(values)
                    .with_precision_and_scale(4, 1)
                    .unwrap(),
            )
        };
        let positive = run(decimals(vec![15, 20]), 0.5, true);
        let negative = run(decimals(vec![-15, -20]), 0.5, true);
        assert_eq!(positive.as_primitive::<Decimal128Type>().value(0), 17);
        assert_eq!(negative.as_primitive::<Decimal128Type>().value(0), -17);
        assert_eq!(positive.data_type(), &DataType::Decimal128(4, 1));
    }

    #[test]
    fn partial_states_merge_into_one_list() {
        let mut partials = vec![];
        for batch in [vec![1.0, 9.0], vec![5.0]] {
            let mut accumulator =
                QuantileAccumulator::try_new(&DataType::Float64, 0.5, true).unwrap();
            let groups = vec![0; batch.len()];
            accumulator
                .update(&[doubles(&batch)], &groups, None, 1)
                .unwrap();
            partials.push(accumulator.state(1).unwrap());
        }
        let mut merged = QuantileAccumulator::try_new(&DataType::Float64, 0.5, true).unwrap();
        for state in &partials {
            merged.merge(state, &[0], 1).unwrap();
        }
        let result = merged.evaluate(1).unwrap();
        assert_eq!(result.as_primitive::<Float64Type>().value(0), 5.0);
    }
}
