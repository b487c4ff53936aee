//! The value of one window function for every row of a sorted batch, given
//! each row's partition, peer group and frame (`window_frame.rs`).
//!
//! Aggregates over frames use the ordinary accumulators: the rows are first
//! aggregated into aligned blocks of 1, 2, 4, .. rows (one `update` per block
//! size, group index = block number), and each row's frame is then the merge
//! of at most two blocks per size, in row order. That costs O(n log n) for
//! any frame (running, sliding or whole-partition) and stays a batch at a
//! time. Holistic aggregates (median, quantiles, mode), whose states hold
//! every value, fold each row's frame instead: O(sum of frame sizes).

use super::window_frame::RowBounds;
use crate::error::{QuarryError, Result};
use crate::execution::functions::aggregate::AggregateSpec;
use crate::logical::{AggregateFunction, AggregateParameter, WindowFunction};
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, UInt32Array};
use arrow::compute::kernels::zip::zip;
use arrow::compute::{concat, take};
use arrow::datatypes::{DataType, Int64Type};
use std::sync::Arc;

/// The inputs of one call, evaluated over the sorted batch.
pub struct WindowInput<'a> {
    pub func: WindowFunction,
    pub args: &'a [ArrayRef],
    /// The constant argument of an aggregate (a quantile, a separator).
    pub parameter: Option<&'a AggregateParameter>,
    pub filter: Option<&'a BooleanArray>,
    pub result_type: &'a DataType,
    pub bounds: &'a RowBounds,
    /// Frame start and (exclusive) end of every row.
    pub frame: (&'a [usize], &'a [usize]),
}

/// The result column of one call.
pub fn evaluate(input: &WindowInput<'_>) -> Result<ArrayRef> {
    let bounds = input.bounds;
    let n = bounds.row_count();
    let rows = 0..n;
    let part_size = |i: usize| bounds.partition_end[i] - bounds.partition_start[i];
    let rank = |i: usize| (bounds.peer_start[i] - bounds.partition_start[i] + 1) as i64;
    Ok(match input.func {
        WindowFunction::RowNumber => Arc::new(Int64Array::from_iter_values(
            rows.map(|i| (i - bounds.partition_start[i] + 1) as i64),
        )),
        WindowFunction::Rank => Arc::new(Int64Array::from_iter_values(rows.map(rank))),
        WindowFunction::DenseRank => {
            let mut values = Vec::with_capacity(n);
            let mut current = 0i64;
            for i in rows {
                if i == bounds.partition_start[i] {
                    current = 1;
                } else if i == bounds.peer_start[i] {
                    current += 1;
                }
                values.push(current);
            }
            Arc::new(Int64Array::from(values))
        }
        WindowFunction::PercentRank => Arc::new(Float64Array::from_iter_values(rows.map(|i| {
            let size = part_size(i);
            if size <= 1 {
                0.0
            } else {
                (rank(i) - 1) as f64 / (size - 1) as f64
            }
        }))),
        WindowFunction::CumeDist => Arc::new(Float64Array::from_iter_values(rows.map(|i| {
            (bounds.peer_end[i] - bounds.partition_start[i]) as f64 / part_size(i) as f64
        }))),
        WindowFunction::Ntile => ntile(input)?,
        WindowFunction::Lag | WindowFunction::Lead => lag_lead(input)?,
        WindowFunction::FirstValue => {
            let (starts, ends) = input.frame;
            let picks = rows.map(|i| (starts[i] < ends[i]).then_some(starts[i] as u32));
            take(first_arg(input)?, &UInt32Array::from_iter(picks), None)?
        }
        WindowFunction::LastValue => {
            let (starts, ends) = input.frame;
            let picks = rows.map(|i| (starts[i] < ends[i]).then(|| ends[i] as u32 - 1));
            take(first_arg(input)?, &UInt32Array::from_iter(picks), None)?
        }
        WindowFunction::NthValue => {
            let (starts, ends) = input.frame;
            let nth = int_arg(input, 1)?;
            let mut picks = Vec::with_capacity(n);
            for i in rows {
                if nth.is_null(i) {
                    picks.push(None);
                    continue;
                }
                let k = nth.value(i);
                if k <= 0 {
                    return Err(QuarryError::Execution(
                        "Invalid Input Error: Argument for nth_value must be greater than zero"
                            .into(),
                    ));
                }
                let target = starts[i].saturating_add(k as usize - 1);
                picks.push((target < ends[i]).then_some(target as u32));
            }
            take(first_arg(input)?, &UInt32Array::from(picks), None)?
        }
        WindowFunction::Aggregate(func) => frame_aggregate(func, input)?,
    })
}

fn first_arg<'a>(input: &'a WindowInput<'_>) -> Result<&'a ArrayRef> {
    input
        .args
        .first()
        .ok_or_else(|| QuarryError::Internal(format!("{} without argument", input.func.name())))
}

fn int_arg<'a>(
    input: &'a WindowInput<'_>,
    index: usize,
) -> Result<&'a arrow::array::PrimitiveArray<Int64Type>> {
    input
        .args
        .get(index)
        .and_then(|a| a.as_primitive_opt::<Int64Type>())
        .ok_or_else(|| {
            QuarryError::Internal(format!(
                "{} argument {index} is not BIGINT",
                input.func.name()
            ))
        })
}

/// `ntile(k)`: DuckDB's split, larger buckets first.
fn ntile(input: &WindowInput<'_>) -> Result<ArrayRef> {
    let bounds = input.bounds;
    let buckets = int_arg(input, 0)?;
    let mut values = Vec::with_capacity(bounds.row_count());
    for i in 0..bounds.row_count() {
        if buckets.is_null(i) {
            values.push(None);
            continue;
        }
        let requested = buckets.value(i);
        if requested <= 0 {
            return Err(QuarryError::Execution(
                "Invalid Input Error: Argument for ntile must be greater than zero".into(),
            ));
        }
        let total = (bounds.partition_end[i] - bounds.partition_start[i]) as i64;
        let k = requested.min(total);
        let position = (i - bounds.partition_start[i]) as i64;
        let size = total / k;
        let large = total - k * size;
        let small_start = large * (size + 1);
        let bucket = if position < small_start {
            position / (size + 1) + 1
        } else {
            large + (position - small_start) / size + 1
        };
        values.push(Some(bucket));
    }
    Ok(Arc::new(Int64Array::from(values)))
}

/// `lag(x, offset, default)` / `lead(..)`: the value `offset` rows before
/// (after) in the partition, `default` when that row does not exist.
fn lag_lead(input: &WindowInput<'_>) -> Result<ArrayRef> {
    let bounds = input.bounds;
    let [values, _, default] = input.args else {
        return Err(QuarryError::Internal(
            "lag/lead expects three arguments".into(),
        ));
    };
    let offsets = int_arg(input, 1)?;
    let sign = if input.func == WindowFunction::Lag {
        -1
    } else {
        1
    };
    let n = bounds.row_count();
    let mut picks = Vec::with_capacity(n);
    let mut outside = Vec::with_capacity(n);
    for i in 0..n {
        if offsets.is_null(i) {
            picks.push(None);
            outside.push(false);
            continue;
        }
        let target = i as i64 + sign * offsets.value(i);
        let inside =
            target >= bounds.partition_start[i] as i64 && target < bounds.partition_end[i] as i64;
        picks.push(inside.then_some(target as u32));
        outside.push(!inside);
    }
    let taken = take(values, &UInt32Array::from(picks), None)?;
    if default.null_count() == default.len() {
        return Ok(taken);
    }
    Ok(zip(&BooleanArray::from(outside), default, &taken)?)
}

/// An aggregate over every row's frame.
fn frame_aggregate(func: AggregateFunction, input: &WindowInput<'_>) -> Result<ArrayRef> {
    let spec = AggregateSpec::plain(
        func,
        input.args.iter().map(|a| a.data_type().clone()).collect(),
        input.parameter.cloned(),
        input.result_type.clone(),
    );
    if matches!(
        func,
        AggregateFunction::Median
            | AggregateFunction::QuantileCont
            | AggregateFunction::QuantileDisc
            | AggregateFunction::Mode
    ) {
        holistic_frame_aggregate(&spec, input)
    } else {
        block_frame_aggregate(&spec, input)
    }
}

/// Merges aligned power-of-two blocks: the states of all block sizes are
/// laid one after another, and the k-th block of every frame is merged in
/// round k, so each frame sees its rows in order (first, last, string_agg).
fn block_frame_aggregate(spec: &AggregateSpec, input: &WindowInput<'_>) -> Result<ArrayRef> {
    let n = input.bounds.row_count();
    let (starts, ends) = input.frame;
    let longest = starts
        .iter()
        .zip(ends)
        .map(|(s, e)| e - s)
        .max()
        .unwrap_or(0);
    let levels = (usize::BITS - longest.leading_zeros()) as usize;
    let mut result = spec.create_accumulator()?;
    if levels == 0 {
        return result.evaluate(n);
    }

    // Partial states of the blocks of 2^level rows; block b of a level is
    // row `first_block[level] + b` of the concatenated states.
    let mut level_states: Vec<Vec<ArrayRef>> = Vec::with_capacity(levels);
    let mut first_block = Vec::with_capacity(levels);
    let mut blocks_so_far = 0;
    for level in 0..levels {
        let groups: Vec<usize> = (0..n).map(|row| row >> level).collect();
        let total = ((n - 1) >> level) + 1;
        let mut accumulator = spec.create_accumulator()?;
        accumulator.update(input.args, &groups, input.filter, total)?;
        level_states.push(accumulator.state(total)?);
        first_block.push(blocks_so_far);
        blocks_so_far += total;
    }
    let width = level_states.first().map_or(0, Vec::len);
    let states = (0..width)
        .map(|field| {
            let arrays: Vec<&dyn Array> = level_states.iter().map(|s| s[field].as_ref()).collect();
            Ok(concat(&arrays)?)
        })
        .collect::<Result<Vec<ArrayRef>>>()?;

    // Each frame as a sequence of aligned blocks, in row order.
    let mut rounds: Vec<(Vec<u32>, Vec<usize>)> = vec![];
    for row in 0..n {
        let (mut start, end) = (starts[row], ends[row]);
        let mut round = 0;
        while start < end {
            let fits = (usize::BITS - 1 - (end - start).leading_zeros()) as usize;
            let aligned = if start == 0 {
                fits
            } else {
                start.trailing_zeros() as usize
            };
            let level = fits.min(aligned);
            if rounds.len() == round {
                rounds.push((vec![], vec![]));
            }
            rounds[round]
                .0
                .push((first_block[level] + (start >> level)) as u32);
            rounds[round].1.push(row);
            start += 1 << level;
            round += 1;
        }
    }
    for (blocks, rows) in rounds {
        let blocks = UInt32Array::from(blocks);
        let states = states
            .iter()
            .map(|state| Ok(take(state, &blocks, None)?))
            .collect::<Result<Vec<_>>>()?;
        result.merge(&states, &rows, n)?;
    }
    result.evaluate(n)
}

/// Rows of all frames a holistic aggregate folds at once.
const HOLISTIC_CHUNK_ROWS: usize = 1 << 20;

/// Holistic aggregates (quantiles, mode) keep every value, so merging
/// blocks would hold each frame's values at once for every row: instead
/// the frames of a run of rows (about a million values in all) are folded
/// into fresh groups, one per row. Time is the sum of the frame sizes.
fn holistic_frame_aggregate(spec: &AggregateSpec, input: &WindowInput<'_>) -> Result<ArrayRef> {
    let n = input.bounds.row_count();
    let (starts, ends) = input.frame;
    let mut results = vec![];
    let mut first = 0;
    while first < n {
        let mut last = first;
        let mut rows = 0;
        while last < n
            && (last == first || rows + (ends[last] - starts[last]) <= HOLISTIC_CHUNK_ROWS)
        {
            rows += ends[last] - starts[last];
            last += 1;
        }
        let mut positions = Vec::with_capacity(rows);
        let mut groups = Vec::with_capacity(rows);
        for row in first..last {
            positions.extend(starts[row] as u32..ends[row] as u32);
            groups.extend(std::iter::repeat_n(row - first, ends[row] - starts[row]));
        }
        let positions = UInt32Array::from(positions);
        let values = input
            .args
            .iter()
            .map(|a| Ok(take(a, &positions, None)?))
            .collect::<Result<Vec<_>>>()?;
        let filter = match input.filter {
            Some(filter) => Some(take(filter, &positions, None)?),
            None => None,
        };
        let filter = filter
            .as_ref()
            .map(|f| {
                f.as_boolean_opt()
                    .ok_or_else(|| QuarryError::Internal("a window FILTER is not BOOLEAN".into()))
            })
            .transpose()?;
        let mut accumulator = spec.create_accumulator()?;
        accumulator.update(&values, &groups, filter, last - first)?;
        results.push(accumulator.evaluate(last - first)?);
        first = last;
    }
    if results.is_empty() {
        return spec.create_accumulator()?.evaluate(0);
    }
    let arrays: Vec<&dyn Array> = results.iter().map(|r| r.as_ref()).collect();
    Ok(concat(&arrays)?)
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    fn run(
        func: WindowFunction,
        args: &[ArrayRef],
        bounds: &RowBounds,
        frame: (&[usize], &[usize]),
    ) -> ArrayRef {
        let result_type = match func {
            WindowFunction::Aggregate(AggregateFunction::Sum) => DataType::Int64,
            _ => args
                .first()
                .map_or(DataType::Int64, |a| a.data_type().clone()),
        };
        evaluate(&WindowInput {
            func,
            args,
            parameter: None,
            filter: None,
            result_type: &result_type,
            bounds,
            frame,
        })
        .unwrap()
    }

    fn int64s(array: &ArrayRef) -> Vec<Option<i64>> {
        array.as_primitive::<Int64Type>().iter().collect()
    }

    #[test]
    fn sum_over_sliding_and_running_frames_matches_brute_force() {
        let n = 37;
        let values: ArrayRef = Arc::new(Int64Array::from_iter(
            (0..n).map(|i| (i % 5 != 0).then_some(i * 3)),
        ));
        let bounds = RowBounds::from_ranges(
            &[0..20, 20..n as usize],
            &(0..n as usize).map(|i| i..i + 1).collect::<Vec<_>>(),
        );
        let starts: Vec<usize> = (0..n as usize)
            .map(|i| if i < 20 { i.saturating_sub(3) } else { 20 })
            .collect();
        let ends: Vec<usize> = (0..n as usize)
            .map(|i| if i < 20 { (i + 2).min(20) } else { i + 1 })
            .collect();
        let got = run(
            WindowFunction::Aggregate(AggregateFunction::Sum),
            std::slice::from_ref(&values),
            &bounds,
            (&starts, &ends),
        );
        let raw = int64s(&values);
        let expected: Vec<Option<i64>> = (0..n as usize)
            .map(|i| {
                let present: Vec<i64> = raw[starts[i]..ends[i]].iter().flatten().copied().collect();
                (!present.is_empty()).then(|| present.iter().sum())
            })
            .collect();
        assert_eq!(int64s(&got), expected);
    }

    fn sliding_frames(n: usize) -> (RowBounds, Vec<usize>, Vec<usize>) {
        let bounds = RowBounds::from_ranges(&[0..n], &(0..n).map(|i| i..i + 1).collect::<Vec<_>>());
        let starts = (0..n).map(|i| i.saturating_sub(5)).collect();
        let ends = (0..n).map(|i| (i + 3).min(n)).collect();
        (bounds, starts, ends)
    }

    #[test]
    fn string_agg_over_frames_joins_rows_in_frame_order() {
        let n = 29;
        let words: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
        let values: ArrayRef = Arc::new(arrow::array::StringArray::from(words.clone()));
        let (bounds, starts, ends) = sliding_frames(n);
        let separator = AggregateParameter::Separator(Some("+".into()));
        let got = evaluate(&WindowInput {
            func: WindowFunction::Aggregate(AggregateFunction::StringAgg),
            args: &[values],
            parameter: Some(&separator),
            filter: None,
            result_type: &DataType::Utf8,
            bounds: &bounds,
            frame: (&starts, &ends),
        })
        .unwrap();
        let got: Vec<&str> = got.as_string::<i32>().iter().flatten().collect();
        let expected: Vec<String> = (0..n)
            .map(|i| words[starts[i]..ends[i]].join("+"))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn median_over_frames_matches_brute_force() {
        let n = 23;
        let raw: Vec<f64> = (0..n).map(|i| ((i * 7919) % 31) as f64).collect();
        let values: ArrayRef = Arc::new(Float64Array::from(raw.clone()));
        let (bounds, starts, ends) = sliding_frames(n);
        let got = evaluate(&WindowInput {
            func: WindowFunction::Aggregate(AggregateFunction::Median),
            args: &[values],
            parameter: None,
            filter: None,
            result_type: &DataType::Float64,
            bounds: &bounds,
            frame: (&starts, &ends),
        })
        .unwrap();
        let got: Vec<f64> = got
            .as_primitive::<arrow::datatypes::Float64Type>()
            .values()
            .to_vec();
        let expected: Vec<f64> = (0..n)
            .map(|i| {
                let mut frame = raw[starts[i]..ends[i]].to_vec();
                frame.sort_by(f64::total_cmp);
                let middle = frame.len() / 2;
                if frame.len() % 2 == 1 {
                    frame[middle]
                } else {
                    (frame[middle - 1] + frame[middle]) / 2.0
                }
            })
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn count_over_an_empty_frame_is_zero() {
        let bounds = RowBounds::from_ranges(&[0..2], &[0..1, 1..2]);
        let got = run(
            WindowFunction::Aggregate(AggregateFunction::CountStar),
            &[],
            &bounds,
            (&[0, 2], &[0, 2]),
        );
        assert_eq!(int64s(&got), vec![Some(0), Some(0)]);
    }

    #[test]
    fn ranks_restart_per_partition_and_share_peers() {
        let bounds = RowBounds::from_ranges(&[0..4, 4..6], &[0..2, 2..3, 3..4, 4..6]);
        let frame: (&[usize], &[usize]) = (&[0; 6], &[0; 6]);
        assert_eq!(
            int64s(&run(WindowFunction::Rank, &[], &bounds, frame)),
            [1, 1, 3, 4, 1, 1].map(Some)
        );
        assert_eq!(
            int64s(&run(WindowFunction::DenseRank, &[], &bounds, frame)),
            [1, 1, 2, 3, 1, 1].map(Some)
        );
        assert_eq!(
            int64s(&run(WindowFunction::RowNumber, &[], &bounds, frame)),
            [1, 2, 3, 4, 1, 2].map(Some)
        );
    }

    #[test]
    fn lag_uses_default_only_outside_the_partition() {
        let bounds = RowBounds::from_ranges(&[0..3], &[0..1, 1..2, 2..3]);
        let values: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None, Some(3)]));
        let offsets: ArrayRef = Arc::new(Int64Array::from(vec![1; 3]));
        let default: ArrayRef = Arc::new(Int64Array::from(vec![-1; 3]));
        let got = run(
            WindowFunction::Lag,
            &[values, offsets, default],
            &bounds,
            (&[0; 3], &[0; 3]),
        );
        assert_eq!(int64s(&got), vec![Some(-1), Some(1), None]);
    }

    #[test]
    fn ntile_puts_larger_buckets_first() {
        let bounds = RowBounds::from_ranges(&[0..5], &(0..5).map(|i| i..i + 1).collect::<Vec<_>>());
        let buckets: ArrayRef = Arc::new(Int64Array::from(vec![3; 5]));
        let got = run(
            WindowFunction::Ntile,
            &[buckets],
            &bounds,
            (&[0; 5], &[0; 5]),
        );
        assert_eq!(int64s(&got), [1, 1, 2, 2, 3].map(Some));
    }
}
