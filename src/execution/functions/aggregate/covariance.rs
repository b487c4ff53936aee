//! corr, covar_pop, covar_samp and the regr_* family over (y, x) pairs where
//! both are non-NULL (regr_count is a count, `count.rs`). One running state
//! serves them all: the count, the means of x and y, their sums of squared
//! deviations, the co-moment and the sums of x and y, updated as Welford /
//! Schubert and Gertz do and combined with Chan's formulas. The arithmetic
//! is DuckDB's, step for step (the averages from the sums, a fused
//! multiply-add where DuckDB's build fuses), so results of one pass agree
//! to the bit. Results follow DuckDB's definitions,
//! including NaN where a variance is 0 (corr, regr_slope) and NULL where
//! DuckDB gives NULL (regr_intercept with a NaN slope, regr_r2 with constant
//! x).

use super::{argument, row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use crate::logical::AggregateFunction;
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use std::sync::Arc;

/// count, mean x, mean y, m2 x, m2 y, co-moment, sum x, sum y.
pub fn state_types() -> Vec<DataType> {
    let mut types = vec![DataType::Int64];
    types.extend(std::iter::repeat_n(DataType::Float64, 7));
    types
}

#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    count: i64,
    mean_x: f64,
    mean_y: f64,
    m2_x: f64,
    m2_y: f64,
    co_moment: f64,
    sum_x: f64,
    sum_y: f64,
}

impl Moments {
    fn add(&mut self, y: f64, x: f64) {
        self.count += 1;
        let n = self.count as f64;
        let dx = x - self.mean_x;
        let dy = y - self.mean_y;
        self.mean_x += dx / n;
        self.mean_y += dy / n;
        self.co_moment = dx.mul_add(y - self.mean_y, self.co_moment);
        self.m2_x += (x - self.mean_x) * dx;
        self.m2_y += (y - self.mean_y) * dy;
        self.sum_x += x;
        self.sum_y += y;
    }

    fn combine(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (n1, n2) = (self.count as f64, other.count as f64);
        let n = n1 + n2;
        let dx = other.mean_x - self.mean_x;
        let dy = other.mean_y - self.mean_y;
        self.co_moment += other.co_moment + dx * dy * n1 * n2 / n;
        self.m2_x += other.m2_x + dx * dx * n1 * n2 / n;
        self.m2_y += other.m2_y + dy * dy * n1 * n2 / n;
        self.mean_x = (n1 * self.mean_x + n2 * other.mean_x) / n;
        self.mean_y = (n1 * self.mean_y + n2 * other.mean_y) / n;
        self.sum_x += other.sum_x;
        self.sum_y += other.sum_y;
        self.count += other.count;
    }

    /// DuckDB's population variance: 0 for a single value.
    fn var_pop(count: i64, m2: f64) -> f64 {
        if count > 1 {
            m2 / count as f64
        } else {
            0.0
        }
    }

    fn finish(&self, func: AggregateFunction) -> Option<f64> {
        use AggregateFunction::*;
        if self.count == 0 {
            return None;
        }
        let n = self.count as f64;
        let covar_pop = self.co_moment / n;
        let var_x = Self::var_pop(self.count, self.m2_x);
        let var_y = Self::var_pop(self.count, self.m2_y);
        let corr = || covar_pop / (var_x.sqrt() * var_y.sqrt());
        Some(match func {
            CovarPop => covar_pop,
            CovarSamp if self.count < 2 => return None,
            CovarSamp => self.co_moment / (n - 1.0),
            Corr => corr(),
            RegrSlope => covar_pop / var_x,
            RegrIntercept => {
                let slope = covar_pop / var_x;
                if slope.is_nan() {
                    return None;
                }
                (-slope).mul_add(self.sum_x / n, self.sum_y / n)
            }
            RegrR2 if var_x == 0.0 => return None,
            RegrR2 if var_y == 0.0 => 1.0,
            RegrR2 => corr().powi(2),
            RegrAvgx => self.sum_x / n,
            RegrAvgy => self.sum_y / n,
            RegrSxx => var_x * n,
            RegrSyy => var_y * n,
            RegrSxy => covar_pop * n,
            _ => return None,
        })
    }
}

pub struct CovarianceAccumulator {
    func: AggregateFunction,
    moments: Vec<Moments>,
}

impl CovarianceAccumulator {
    pub fn new(func: AggregateFunction) -> Self {
        Self {
            func,
            moments: vec![],
        }
    }
}

fn doubles<'a>(arrays: &'a [ArrayRef], index: usize, what: &str) -> Result<&'a Float64Array> {
    argument(arrays, index, what)?
        .as_primitive_opt::<Float64Type>()
        .ok_or_else(|| QuarryError::Internal(format!("{what} column {index} is not DOUBLE")))
}

impl GroupsAccumulator for CovarianceAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.moments.resize(total_groups, Moments::default());
        let name = self.func.name();
        let (y, x) = (doubles(values, 0, name)?, doubles(values, 1, name)?);
        for (row, &group) in group_indices.iter().enumerate() {
            if y.is_valid(row) && x.is_valid(row) && row_selected(filter, row) {
                self.moments[group].add(y.value(row), x.value(row));
            }
        }
        Ok(())
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        group_indices: &[usize],
        total_groups: usize,
    ) -> Result<()> {
        self.moments.resize(total_groups, Moments::default());
        let counts = argument(states, 0, "covariance state")?
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| QuarryError::Internal("malformed covariance state".into()))?;
        let fields = (1..8)
            .map(|i| doubles(states, i, "covariance state"))
            .collect::<Result<Vec<_>>>()?;
        for (row, &group) in group_indices.iter().enumerate() {
            let other = Moments {
                count: counts.value(row),
                mean_x: fields[0].value(row),
                mean_y: fields[1].value(row),
                m2_x: fields[2].value(row),
                m2_y: fields[3].value(row),
                co_moment: fields[4].value(row),
                sum_x: fields[5].value(row),
                sum_y: fields[6].value(row),
            };
            self.moments[group].combine(&other);
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.moments.resize(total_groups, Moments::default());
        let moments = std::mem::take(&mut self.moments);
        let field = |f: fn(&Moments) -> f64| -> ArrayRef {
            Arc::new(Float64Array::from_iter_values(moments.iter().map(f)))
        };
        Ok(vec![
            Arc::new(Int64Array::from_iter_values(
                moments.iter().map(|m| m.count),
            )),
            field(|m| m.mean_x),
            field(|m| m.mean_y),
            field(|m| m.m2_x),
            field(|m| m.m2_y),
            field(|m| m.co_moment),
            field(|m| m.sum_x),
            field(|m| m.sum_y),
        ])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.moments.resize(total_groups, Moments::default());
        let moments = std::mem::take(&mut self.moments);
        let func = self.func;
        Ok(Arc::new(Float64Array::from_iter(
            moments.iter().map(|m| m.finish(func)),
        )))
    }

    fn size(&self) -> usize {
        self.moments.capacity() * std::mem::size_of::<Moments>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AggregateFunction::*;

    fn moments(pairs: &[(f64, f64)]) -> Moments {
        let mut m = Moments::default();
        for &(y, x) in pairs {
            m.add(y, x);
        }
        m
    }

    #[test]
    fn combined_partial_moments_equal_one_pass() {
        let pairs = [(1.0, 2.0), (3.0, 5.0), (2.5, 1.0), (7.0, 4.0), (-1.0, 0.5)];
        let whole = moments(&pairs);
        let mut combined = moments(&pairs[..2]);
        combined.combine(&moments(&pairs[2..]));
        for func in [Corr, CovarSamp, RegrSlope, RegrIntercept, RegrR2, RegrSxy] {
            let (a, b) = (whole.finish(func).unwrap(), combined.finish(func).unwrap());
            assert!((a - b).abs() < 1e-12, "{func:?}: {a} vs {b}");
        }
    }

    #[test]
    fn constant_x_gives_nan_slope_and_null_intercept_and_r2() {
        let m = moments(&[(1.0, 2.0), (2.0, 2.0), (3.0, 2.0)]);
        assert!(m.finish(RegrSlope).unwrap().is_nan());
        assert!(m.finish(Corr).unwrap().is_nan());
        assert_eq!(m.finish(RegrIntercept), None);
        assert_eq!(m.finish(RegrR2), None);
        assert_eq!(m.finish(RegrSxx), Some(0.0));
        let constant_y = moments(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]);
        assert_eq!(constant_y.finish(RegrR2), Some(1.0));
        assert_eq!(constant_y.finish(RegrIntercept), Some(1.0));
    }

    #[test]
    fn sample_covariance_of_one_pair_is_null() {
        let m = moments(&[(1.0, 2.0)]);
        assert_eq!(m.finish(CovarSamp), None);
        assert_eq!(m.finish(CovarPop), Some(0.0));
    }
}
