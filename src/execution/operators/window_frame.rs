//! Window frames over sorted rows: for every row, the half-open range
//! `[start, end)` of row positions its frame covers, never crossing the row's
//! partition. ROWS offsets count rows; RANGE offsets compare the single order
//! key (as f64) by binary search, and RANGE CURRENT ROW extends to the peers.

use crate::error::{QuarryError, Result};
use crate::logical::{FrameBound, FrameUnits, WindowFrame};
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};

/// Where each sorted row sits: its partition and its peer group (rows equal
/// on partition and order keys), as half-open position ranges.
#[derive(Debug, Default)]
pub struct RowBounds {
    pub partition_start: Vec<usize>,
    pub partition_end: Vec<usize>,
    pub peer_start: Vec<usize>,
    pub peer_end: Vec<usize>,
}

impl RowBounds {
    /// Bounds from the partition ranges and the peer ranges (which nest in them).
    pub fn from_ranges(
        partitions: &[std::ops::Range<usize>],
        peers: &[std::ops::Range<usize>],
    ) -> Self {
        let mut bounds = RowBounds::default();
        for range in partitions {
            for _ in range.clone() {
                bounds.partition_start.push(range.start);
                bounds.partition_end.push(range.end);
            }
        }
        for range in peers {
            for _ in range.clone() {
                bounds.peer_start.push(range.start);
                bounds.peer_end.push(range.end);
            }
        }
        bounds
    }

    /// The number of rows.
    pub fn row_count(&self) -> usize {
        self.partition_start.len()
    }
}

/// The only ORDER BY key of a RANGE frame with offsets, with its direction.
pub struct RangeKey<'a> {
    pub values: &'a ArrayRef,
    pub descending: bool,
}

/// The frame `[start, end)` of every row; an empty frame has `start == end`.
pub fn frame_ranges(
    frame: &WindowFrame,
    bounds: &RowBounds,
    range_key: Option<RangeKey<'_>>,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let needs_key = frame.units == FrameUnits::Range
        && [frame.start, frame.end]
            .iter()
            .any(|b| matches!(b, FrameBound::Preceding(_) | FrameBound::Following(_)));
    let key = match (needs_key, range_key) {
        (false, _) => None,
        (true, Some(key)) => Some(RangeSearch::try_new(key)?),
        (true, None) => {
            return Err(QuarryError::Internal(
                "RANGE frame with an offset needs exactly one order key".into(),
            ))
        }
    };
    let n = bounds.row_count();
    let mut starts = Vec::with_capacity(n);
    let mut ends = Vec::with_capacity(n);
    for row in 0..n {
        let (low, high) = (bounds.partition_start[row], bounds.partition_end[row]);
        let start = bound_position(frame, frame.start, false, row, bounds, key.as_ref());
        let end = bound_position(frame, frame.end, true, row, bounds, key.as_ref());
        let start = start.clamp(low, high);
        let end = end.clamp(start, high);
        starts.push(start);
        ends.push(end);
    }
    Ok((starts, ends))
}

/// The position of one frame bound for `row`; `is_end` gives the exclusive end.
fn bound_position(
    frame: &WindowFrame,
    bound: FrameBound,
    is_end: bool,
    row: usize,
    bounds: &RowBounds,
    key: Option<&RangeSearch>,
) -> usize {
    let (low, high) = (bounds.partition_start[row], bounds.partition_end[row]);
    match (bound, frame.units) {
        (FrameBound::UnboundedPreceding, _) => low,
        (FrameBound::UnboundedFollowing, _) => high,
        (FrameBound::CurrentRow, FrameUnits::Rows) => row + usize::from(is_end),
        (FrameBound::CurrentRow, FrameUnits::Range) => {
            if is_end {
                bounds.peer_end[row]
            } else {
                bounds.peer_start[row]
            }
        }
        (FrameBound::Preceding(offset), FrameUnits::Rows) => {
            (row + usize::from(is_end)).saturating_sub(offset as usize)
        }
        (FrameBound::Following(offset), FrameUnits::Rows) => {
            row.saturating_add(offset as usize) + usize::from(is_end)
        }
        (FrameBound::Preceding(offset), FrameUnits::Range) => match key {
            Some(key) => key.position(row, low, high, -offset, is_end, bounds),
            None => row,
        },
        (FrameBound::Following(offset), FrameUnits::Range) => match key {
            Some(key) => key.position(row, low, high, offset, is_end, bounds),
            None => row,
        },
    }
}

/// Binary search over the sorted order key of a partition.
struct RangeSearch {
    values: Vec<f64>,
    valid: Vec<bool>,
    descending: bool,
    /// The non-NULL range of the last partition searched: `(low, high) -> (valid_low, valid_high)`.
    cached: std::cell::Cell<(usize, usize, usize, usize)>,
}

impl RangeSearch {
    fn try_new(key: RangeKey<'_>) -> Result<Self> {
        let numeric = match key.values.data_type() {
            DataType::Date32 => cast(&cast(key.values, &DataType::Int32)?, &DataType::Float64)?,
            _ => cast(key.values, &DataType::Float64)?,
        };
        let array = numeric.as_primitive::<Float64Type>();
        Ok(Self {
            values: array.values().to_vec(),
            valid: (0..array.len()).map(|i| array.is_valid(i)).collect(),
            descending: key.descending,
            cached: std::cell::Cell::new((0, 0, 0, 0)),
        })
    }

    /// The bound at `delta` from the row's value (negative: preceding). A row
    /// with a NULL key frames its NULL peers; other rows never reach NULLs.
    fn position(
        &self,
        row: usize,
        low: usize,
        high: usize,
        delta: f64,
        is_end: bool,
        bounds: &RowBounds,
    ) -> usize {
        if !self.valid[row] {
            return if is_end {
                bounds.peer_end[row]
            } else {
                bounds.peer_start[row]
            };
        }
        // NULL keys sit at one end of the partition; search the rest.
        let (valid_low, valid_high) = match self.cached.get() {
            (l, h, valid_low, valid_high) if (l, h) == (low, high) => (valid_low, valid_high),
            _ => {
                let valid_low = low + self.valid[low..high].iter().take_while(|v| !**v).count();
                let valid_high = high
                    - self.valid[low..high]
                        .iter()
                        .rev()
                        .take_while(|v| !**v)
                        .count();
                self.cached.set((low, high, valid_low, valid_high));
                (valid_low, valid_high)
            }
        };
        let target = if self.descending {
            self.values[row] - delta
        } else {
            self.values[row] + delta
        };
        let slice = &self.values[valid_low..valid_high];
        // "before" means earlier in the sort order than the target.
        let offset = match (self.descending, is_end) {
            (false, false) => slice.partition_point(|v| *v < target),
            (false, true) => slice.partition_point(|v| *v <= target),
            (true, false) => slice.partition_point(|v| *v > target),
            (true, true) => slice.partition_point(|v| *v >= target),
        };
        valid_low + offset
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use std::sync::Arc;

    fn bounds(
        partitions: &[std::ops::Range<usize>],
        peers: &[std::ops::Range<usize>],
    ) -> RowBounds {
        RowBounds::from_ranges(partitions, peers)
    }

    #[test]
    fn rows_frame_is_clipped_to_the_partition() {
        let b = bounds(&[0..3, 3..5], &[0..1, 1..2, 2..3, 3..4, 4..5]);
        let frame = WindowFrame {
            units: FrameUnits::Rows,
            start: FrameBound::Preceding(1.0),
            end: FrameBound::Following(1.0),
        };
        let (starts, ends) = frame_ranges(&frame, &b, None).unwrap();
        assert_eq!(starts, vec![0, 0, 1, 3, 3]);
        assert_eq!(ends, vec![2, 3, 3, 5, 5]);
    }

    #[test]
    fn default_range_frame_includes_peers() {
        let b = bounds(&[0..4], &[0..2, 2..3, 3..4]);
        let (starts, ends) = frame_ranges(&WindowFrame::default_for(true), &b, None).unwrap();
        assert_eq!(starts, vec![0; 4]);
        assert_eq!(ends, vec![2, 2, 3, 4]);
    }

    #[test]
    fn range_offsets_search_values_and_skip_nulls() {
        let values: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), Some(2), Some(4), None]));
        let b = bounds(&[0..4], &[0..1, 1..2, 2..3, 3..4]);
        let frame = WindowFrame {
            units: FrameUnits::Range,
            start: FrameBound::Preceding(1.0),
            end: FrameBound::CurrentRow,
        };
        let key = RangeKey {
            values: &values,
            descending: false,
        };
        let (starts, ends) = frame_ranges(&frame, &b, Some(key)).unwrap();
        assert_eq!(starts, vec![0, 0, 2, 3]);
        assert_eq!(ends, vec![1, 2, 3, 4]);
    }

    #[test]
    fn rows_frame_that_ends_before_it_starts_is_empty() {
        let b = bounds(&[0..3], &[0..1, 1..2, 2..3]);
        let frame = WindowFrame {
            units: FrameUnits::Rows,
            start: FrameBound::Following(1.0),
            end: FrameBound::Preceding(1.0),
        };
        let (starts, ends) = frame_ranges(&frame, &b, None).unwrap();
        assert!(starts.iter().zip(&ends).all(|(s, e)| s == e));
    }
}
