//! VAR_SAMP, VAR_POP, STDDEV_SAMP, STDDEV_POP with Welford's running mean and
//! sum of squared deviations; partial states combine with Chan's formula.

use super::{row_selected, GroupsAccumulator};
use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array};
use arrow::datatypes::{Float64Type, Int64Type};
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
pub enum Statistic {
    StddevSamp,
    StddevPop,
    VarSamp,
    VarPop,
}

pub struct VarianceAccumulator {
    statistic: Statistic,
    counts: Vec<i64>,
    means: Vec<f64>,
    m2s: Vec<f64>,
}

impl VarianceAccumulator {
    pub fn new(statistic: Statistic) -> Self {
        Self {
            statistic,
            counts: vec![],
            means: vec![],
            m2s: vec![],
        }
    }

    fn resize(&mut self, total_groups: usize) {
        self.counts.resize(total_groups, 0);
        self.means.resize(total_groups, 0.0);
        self.m2s.resize(total_groups, 0.0);
    }

    fn combine(&mut self, group: usize, count: i64, mean: f64, m2: f64) {
        if count == 0 {
            return;
        }
        let n1 = self.counts[group] as f64;
        let n2 = count as f64;
        let total = n1 + n2;
        let delta = mean - self.means[group];
        self.means[group] += delta * n2 / total;
        self.m2s[group] += m2 + delta * delta * n1 * n2 / total;
        self.counts[group] += count;
    }
}

impl GroupsAccumulator for VarianceAccumulator {
    fn update(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        filter: Option<&BooleanArray>,
        total_groups: usize,
    ) -> Result<()> {
        self.resize(total_groups);
        let values = values
            .first()
            .and_then(|v| v.as_primitive_opt::<Float64Type>())
            .ok_or_else(|| QuarryError::Internal("variance input must be DOUBLE".into()))?;
        for (row, &group) in group_indices.iter().enumerate() {
            if values.is_valid(row) && row_selected(filter, row) {
                let value = values.value(row);
                self.counts[group] += 1;
                let delta = value - self.means[group];
                self.means[group] += delta / self.counts[group] as f64;
                self.m2s[group] += delta * (value - self.means[group]);
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
        self.resize(total_groups);
        let (Some(counts), Some(means), Some(m2s)) = (
            states
                .first()
                .and_then(|s| s.as_primitive_opt::<Int64Type>()),
            states
                .get(1)
                .and_then(|s| s.as_primitive_opt::<Float64Type>()),
            states
                .get(2)
                .and_then(|s| s.as_primitive_opt::<Float64Type>()),
        ) else {
            return Err(QuarryError::Internal("malformed variance state".into()));
        };
        for (row, &group) in group_indices.iter().enumerate() {
            self.combine(group, counts.value(row), means.value(row), m2s.value(row));
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.resize(total_groups);
        Ok(vec![
            Arc::new(Int64Array::from(std::mem::take(&mut self.counts))),
            Arc::new(Float64Array::from(std::mem::take(&mut self.means))),
            Arc::new(Float64Array::from(std::mem::take(&mut self.m2s))),
        ])
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.resize(total_groups);
        let statistic = self.statistic;
        let result: Float64Array = self
            .counts
            .iter()
            .zip(&self.m2s)
            .map(|(&count, &m2)| {
                let n = count as f64;
                match statistic {
                    Statistic::VarSamp => (count > 1).then(|| m2 / (n - 1.0)),
                    Statistic::StddevSamp => (count > 1).then(|| (m2 / (n - 1.0)).sqrt()),
                    Statistic::VarPop => (count > 0).then(|| m2 / n),
                    Statistic::StddevPop => (count > 0).then(|| (m2 / n).sqrt()),
                }
            })
            .collect();
        self.resize(0);
        Ok(Arc::new(result))
    }

    fn size(&self) -> usize {
        self.counts.capacity() * 24
    }
}
