//! What hash join and nested-loop join share: the build side held in memory,
//! and turning candidate pairs (probe row, build row) into output rows for
//! each join type, after the residual filter.

use super::hash_join::BuildSide;
use crate::error::{QuarryError, Result};
use crate::execution::expressions::{as_boolean, true_mask, PhysicalExpr};
use arrow::array::{Array, ArrayRef, BooleanArray, UInt32Array};
use arrow::compute::{filter_record_batch, take};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};

/// A join type seen from the probe side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeJoinType {
    Inner,
    /// Every probe row at least once (LEFT JOIN with the probe on the left).
    ProbeOuter,
    /// Every build row at least once; runs on a single probe partition.
    BuildOuter,
    Full,
    Semi,
    Anti,
    /// A semi join that builds its (smaller) left side and probes with the
    /// right: the build rows some probe row matched, once the probe ends.
    BuildSemi,
    /// The anti join counterpart: the build rows no probe row matched.
    BuildAnti,
}

impl std::fmt::Display for ProbeJoinType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Spark's names: a left semi / anti join that builds the left.
            ProbeJoinType::BuildSemi => write!(f, "LeftSemi"),
            ProbeJoinType::BuildAnti => write!(f, "LeftAnti"),
            other => write!(f, "{other:?}"),
        }
    }
}

impl ProbeJoinType {
    /// Whether build rows are emitted (or chosen) after the probe side
    /// ends, from what matched.
    pub fn emits_unmatched_build(self) -> bool {
        matches!(
            self,
            ProbeJoinType::BuildOuter
                | ProbeJoinType::Full
                | ProbeJoinType::BuildSemi
                | ProbeJoinType::BuildAnti
        )
    }
}

/// The shape of a join's output: which side is on the left, the schema, the
/// residual filter over `[left columns, right columns]`.
#[derive(Debug, Clone)]
pub struct JoinLayout {
    pub join_type: ProbeJoinType,
    pub build_is_left: bool,
    pub null_aware: bool,
    /// NULL keys match each other (INTERSECT / EXCEPT).
    pub null_equals_null: bool,
    pub filter: Option<PhysicalExpr>,
    /// Output schema; for semi and anti joins the probe columns only.
    pub schema: SchemaRef,
    /// Schema of `[left, right]` rows, which the filter reads.
    pub joined_schema: SchemaRef,
}

impl JoinLayout {
    /// `[left, right]` columns of the given pairs (`None` indices give NULLs).
    fn combine(
        &self,
        probe: &RecordBatch,
        build: &RecordBatch,
        probe_indices: &UInt32Array,
        build_indices: &UInt32Array,
        schema: &SchemaRef,
    ) -> Result<RecordBatch> {
        // Every probe row once, in order (a foreign key join that keeps
        // all rows): the probe columns as they are.
        let identity = probe_indices.len() == probe.num_rows()
            && probe_indices.null_count() == 0
            && probe_indices
                .values()
                .iter()
                .enumerate()
                .all(|(i, &p)| p as usize == i);
        let probe_columns = if identity {
            probe.columns().to_vec()
        } else {
            take_all(probe, probe_indices)?
        };
        let build_columns = take_all(build, build_indices)?;
        let columns = if self.build_is_left {
            [build_columns, probe_columns].concat()
        } else {
            [probe_columns, build_columns].concat()
        };
        let options = RecordBatchOptions::new().with_row_count(Some(probe_indices.len()));
        Ok(RecordBatch::try_new_with_options(
            schema.clone(),
            columns,
            &options,
        )?)
    }

    /// Output rows of one probe batch given its candidate pairs. Marks the
    /// build rows that matched in `build_matched` when the type needs it.
    pub fn output(
        &self,
        probe: &RecordBatch,
        probe_key_null: Option<&BooleanArray>,
        build: &BuildSide,
        (probe_indices, build_indices): (Vec<u32>, Vec<u32>),
        build_matched: &mut [bool],
    ) -> Result<Option<RecordBatch>> {
        let build_has_null_key = build.has_null_key;
        let build = &build.batch;
        let mut probe_indices = UInt32Array::from(probe_indices);
        let mut build_indices = UInt32Array::from(build_indices);
        if let Some(filter) = &self.filter {
            if !probe_indices.is_empty() {
                let candidates = self.combine(
                    probe,
                    build,
                    &probe_indices,
                    &build_indices,
                    &self.joined_schema,
                )?;
                let mask = filter.evaluate_to_array(&candidates)?;
                let mask = true_mask(as_boolean(&mask)?);
                probe_indices = as_u32(arrow::compute::filter(&probe_indices, &mask)?)?;
                build_indices = as_u32(arrow::compute::filter(&build_indices, &mask)?)?;
            }
        }
        if self.join_type.emits_unmatched_build() {
            for index in build_indices.values() {
                build_matched[*index as usize] = true;
            }
        }
        let rows = probe.num_rows();
        let probe_matched = || {
            let mut matched = vec![false; rows];
            for index in probe_indices.values() {
                matched[*index as usize] = true;
            }
            matched
        };
        match self.join_type {
            // Their output is decided once every probe row was seen.
            ProbeJoinType::BuildSemi | ProbeJoinType::BuildAnti => Ok(None),
            ProbeJoinType::Inner | ProbeJoinType::BuildOuter => {
                if probe_indices.is_empty() {
                    return Ok(None);
                }
                Ok(Some(self.combine(
                    probe,
                    build,
                    &probe_indices,
                    &build_indices,
                    &self.schema,
                )?))
            }
            ProbeJoinType::ProbeOuter | ProbeJoinType::Full => {
                let matched = probe_matched();
                let mut probe_all: Vec<Option<u32>> =
                    probe_indices.values().iter().map(|i| Some(*i)).collect();
                let mut build_all: Vec<Option<u32>> =
                    build_indices.values().iter().map(|i| Some(*i)).collect();
                for (row, was_matched) in matched.iter().enumerate() {
                    if !was_matched {
                        probe_all.push(Some(row as u32));
                        build_all.push(None);
                    }
                }
                if probe_all.is_empty() {
                    return Ok(None);
                }
                let probe_indices = UInt32Array::from(probe_all);
                let build_indices = UInt32Array::from(build_all);
                Ok(Some(self.combine(
                    probe,
                    build,
                    &probe_indices,
                    &build_indices,
                    &self.schema,
                )?))
            }
            ProbeJoinType::Semi | ProbeJoinType::Anti => {
                let matched = probe_matched();
                let keep: BooleanArray = if self.join_type == ProbeJoinType::Semi {
                    matched.into_iter().map(Some).collect()
                } else if self.null_aware && build_has_null_key {
                    // x NOT IN (..., NULL, ...) is never true.
                    vec![Some(false); rows].into_iter().collect()
                } else {
                    matched
                        .into_iter()
                        .enumerate()
                        .map(|(row, m)| {
                            let key_null = probe_key_null.is_some_and(|n| n.value(row));
                            // NULL NOT IN (non-empty set) is unknown, not true.
                            let unknown = self.null_aware && key_null && build.num_rows() > 0;
                            Some(!m && !unknown)
                        })
                        .collect()
                };
                let batch = filter_record_batch(probe, &keep)?;
                Ok((batch.num_rows() > 0).then_some(batch))
            }
        }
    }

    /// The build rows no probe row matched, with NULLs on the probe side.
    pub fn unmatched_build(
        &self,
        probe_schema: &SchemaRef,
        build: &RecordBatch,
        build_matched: &[bool],
    ) -> Result<Option<RecordBatch>> {
        // Semi: the matched build rows; otherwise the unmatched ones.
        let wanted = self.join_type == ProbeJoinType::BuildSemi;
        let build_indices: Vec<u32> = build_matched
            .iter()
            .enumerate()
            .filter(|(_, m)| **m == wanted)
            .map(|(i, _)| i as u32)
            .collect();
        if build_indices.is_empty() {
            return Ok(None);
        }
        if matches!(
            self.join_type,
            ProbeJoinType::BuildSemi | ProbeJoinType::BuildAnti
        ) {
            let columns = take_all(build, &UInt32Array::from(build_indices.clone()))?;
            let options = RecordBatchOptions::new().with_row_count(Some(build_indices.len()));
            return Ok(Some(RecordBatch::try_new_with_options(
                self.schema.clone(),
                columns,
                &options,
            )?));
        }
        let nulls = UInt32Array::from(vec![None; build_indices.len()]);
        let empty_probe = RecordBatch::new_empty(probe_schema.clone());
        let probe_columns = empty_probe
            .columns()
            .iter()
            .map(|c| Ok(take(c.as_ref(), &nulls, None)?))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let build_columns = take_all(build, &UInt32Array::from(build_indices))?;
        let columns = if self.build_is_left {
            [build_columns, probe_columns].concat()
        } else {
            [probe_columns, build_columns].concat()
        };
        let options = RecordBatchOptions::new().with_row_count(Some(nulls.len()));
        Ok(Some(RecordBatch::try_new_with_options(
            self.schema.clone(),
            columns,
            &options,
        )?))
    }
}

fn take_all(batch: &RecordBatch, indices: &UInt32Array) -> Result<Vec<ArrayRef>> {
    batch
        .columns()
        .iter()
        .map(|c| Ok(take(c.as_ref(), indices, None)?))
        .collect()
}

fn as_u32(array: ArrayRef) -> Result<UInt32Array> {
    array
        .as_any()
        .downcast_ref::<UInt32Array>()
        .cloned()
        .ok_or_else(|| QuarryError::Internal("join indices must be UINT32".into()))
}
