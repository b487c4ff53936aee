//! Table statistics for the cost model. Every table has the ones its storage
//! gives for free (Parquet footers: row count, byte size, per-column min /
//! max / null count); `ANALYZE TABLE t` adds distinct counts (HyperLogLog)
//! and equi-height histograms computed from the data, kept in the catalog
//! until the table changes.

use super::TableSource;
use crate::error::Result;
use crate::logical::ScalarValue;
use arrow::array::{Array, ArrayRef};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use std::hash::BuildHasher;

/// What is known of one column; `None` where nothing is.
#[derive(Debug, Clone, Default)]
pub struct ColumnStatistics {
    pub min: Option<ScalarValue>,
    pub max: Option<ScalarValue>,
    pub null_count: Option<f64>,
    pub distinct_count: Option<f64>,
    /// Equi-height histogram over the numeric domain of the column
    /// ([`numeric_value`]): `bounds[0]` is the minimum, `bounds[n]` the
    /// maximum, and each of the `n` buckets holds the same number of rows.
    pub histogram: Option<Vec<f64>>,
    /// Uncompressed bytes of the column.
    pub bytes: Option<f64>,
}

/// Row count, size and per-column statistics of a table, columns in schema
/// order.
#[derive(Debug, Clone, Default)]
pub struct TableStatistics {
    pub rows: f64,
    pub bytes: Option<f64>,
    pub columns: Vec<ColumnStatistics>,
    /// True once ANALYZE TABLE computed distinct counts and histograms.
    pub analyzed: bool,
}

impl TableStatistics {
    /// The statistics the storage provides without reading data.
    pub fn from_source(source: &TableSource) -> Self {
        match source {
            TableSource::Parquet(parquet) => parquet_statistics(parquet),
            TableSource::Memory(memory) => Self {
                rows: memory.num_rows() as f64,
                bytes: None,
                columns: vec![ColumnStatistics::default(); memory.schema.fields().len()],
                analyzed: false,
            },
            TableSource::Csv(csv) => {
                let bytes: u64 = csv
                    .files
                    .iter()
                    .filter_map(|f| std::fs::metadata(f).ok())
                    .map(|m| m.len())
                    .sum();
                // Without a row count, assume rows of about 100 bytes.
                Self {
                    rows: (bytes as f64 / 100.0).max(1.0),
                    bytes: Some(bytes as f64),
                    columns: vec![ColumnStatistics::default(); csv.schema.fields().len()],
                    analyzed: false,
                }
            }
        }
    }

    /// Statistics computed from every row: distinct counts with a
    /// HyperLogLog sketch, equi-height histograms of numeric columns.
    pub fn compute(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Self> {
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let mut columns = vec![];
        for (i, field) in schema.fields().iter().enumerate() {
            let arrays: Vec<&ArrayRef> = batches.iter().map(|b| b.column(i)).collect();
            columns.push(column_statistics(field.data_type(), &arrays)?);
        }
        Ok(Self {
            rows: rows as f64,
            bytes: Some(
                batches
                    .iter()
                    .map(|b| b.get_array_memory_size() as f64)
                    .sum(),
            ),
            columns,
            analyzed: true,
        })
    }
}

fn parquet_statistics(source: &super::ParquetSource) -> TableStatistics {
    let mut columns = vec![ColumnStatistics::default(); source.schema.fields().len()];
    let mut total_bytes = 0.0;
    for (index, field) in source.schema.fields().iter().enumerate() {
        let mut stats = ColumnStatistics {
            null_count: Some(0.0),
            bytes: Some(0.0),
            ..Default::default()
        };
        for file in &source.files {
            let metadata = &file.metadata;
            let row_groups = metadata.metadata().row_groups();
            let converter = StatisticsConverter::try_new(
                field.name(),
                metadata.schema(),
                metadata.parquet_schema(),
            );
            let extremes = converter.as_ref().ok().and_then(|c| {
                let mins = c.row_group_mins(row_groups.iter()).ok()?;
                let maxes = c.row_group_maxes(row_groups.iter()).ok()?;
                let nulls = c.row_group_null_counts(row_groups.iter()).ok()?;
                Some((mins, maxes, nulls))
            });
            match extremes {
                Some((mins, maxes, nulls)) => {
                    merge_extreme(&mut stats.min, &mins, true);
                    merge_extreme(&mut stats.max, &maxes, false);
                    if nulls.null_count() > 0 {
                        stats.null_count = None;
                    } else if let Some(n) = &mut stats.null_count {
                        *n += nulls.values().iter().sum::<u64>() as f64;
                    }
                }
                None => stats.null_count = None,
            }
            let bytes: i64 = row_groups
                .iter()
                .filter_map(|rg| rg.columns().get(index))
                .map(|c| c.uncompressed_size())
                .sum();
            if let Some(b) = &mut stats.bytes {
                *b += bytes as f64;
            }
            total_bytes += bytes as f64;
        }
        columns[index] = stats;
    }
    TableStatistics {
        rows: source.num_rows() as f64,
        bytes: Some(total_bytes),
        columns,
        analyzed: false,
    }
}

/// Folds the row-group extremes of `values` into `current` (the smallest
/// when `min`); any missing value makes the extreme unknown.
fn merge_extreme(current: &mut Option<ScalarValue>, values: &ArrayRef, min: bool) {
    if values.is_empty() {
        return;
    }
    let reduced = if values.null_count() > 0 {
        None
    } else {
        extreme(values.as_ref(), min)
    };
    let Some(reduced) = reduced else {
        *current = None;
        return;
    };
    merge_scalar(current, reduced, min);
}

/// The smallest (`min`) or largest non-null value of an array of any
/// sortable type.
fn extreme(array: &dyn Array, min: bool) -> Option<ScalarValue> {
    if array.null_count() == array.len() {
        return None;
    }
    let options = arrow::compute::SortOptions {
        descending: !min,
        nulls_first: false,
    };
    let indices = arrow::compute::sort_to_indices(array, Some(options), Some(1)).ok()?;
    Some(ScalarValue::from_array(array, indices.value(0) as usize))
}

/// The value of a numeric, decimal or temporal scalar on a line, so ranges
/// can be measured: integers and floats as they are, decimals scaled, dates
/// in days, timestamps in their unit.
pub fn numeric_value(value: &ScalarValue) -> Option<f64> {
    value.numeric()
}

/// Buckets of the equi-height histograms ANALYZE builds.
const HISTOGRAM_BUCKETS: usize = 32;
/// Values sampled per column for the histogram.
const HISTOGRAM_SAMPLE: usize = 100_000;

fn column_statistics(data_type: &DataType, arrays: &[&ArrayRef]) -> Result<ColumnStatistics> {
    let rows: usize = arrays.iter().map(|a| a.len()).sum();
    let nulls: usize = arrays.iter().map(|a| a.null_count()).sum();
    let mut sketch = HyperLogLog::new();
    let converter =
        arrow::row::RowConverter::new(vec![arrow::row::SortField::new(data_type.clone())])?;
    let mut numeric: Vec<f64> = vec![];
    let step = (rows / HISTOGRAM_SAMPLE).max(1);
    let mut seen = 0usize;
    let (mut min, mut max): (Option<ScalarValue>, Option<ScalarValue>) = (None, None);
    for array in arrays {
        let encoded = converter.convert_columns(&[(*array).clone()])?;
        for row in 0..array.len() {
            if array.is_valid(row) {
                sketch.insert(encoded.row(row).as_ref());
            }
        }
        if let Some(v) = extreme(array.as_ref(), true) {
            merge_scalar(&mut min, v, true);
        }
        if let Some(v) = extreme(array.as_ref(), false) {
            merge_scalar(&mut max, v, false);
        }
        if is_numeric_domain(data_type) {
            for row in 0..array.len() {
                if seen.is_multiple_of(step) && array.is_valid(row) {
                    if let Some(v) = ScalarValue::from_array(array.as_ref(), row).numeric() {
                        numeric.push(v);
                    }
                }
                seen += 1;
            }
        }
    }
    let histogram = (!numeric.is_empty()).then(|| {
        numeric.sort_by(f64::total_cmp);
        let buckets = HISTOGRAM_BUCKETS.min(numeric.len());
        (0..=buckets)
            .map(|b| numeric[((b * (numeric.len() - 1)) / buckets).min(numeric.len() - 1)])
            .collect()
    });
    let distinct = sketch.estimate().min((rows - nulls) as f64);
    Ok(ColumnStatistics {
        min,
        max,
        null_count: Some(nulls as f64),
        distinct_count: Some(distinct),
        histogram,
        bytes: Some(
            arrays
                .iter()
                .map(|a| a.get_array_memory_size() as f64)
                .sum(),
        ),
    })
}

fn merge_scalar(current: &mut Option<ScalarValue>, value: ScalarValue, min: bool) {
    let replace = match current {
        None => true,
        Some(existing) => match (existing.numeric(), value.numeric()) {
            (Some(a), Some(b)) => (b < a) == min && a != b,
            _ => match (existing.as_str(), value.as_str()) {
                (Some(a), Some(b)) => (b < a) == min && a != b,
                _ => false,
            },
        },
    };
    if replace {
        *current = Some(value);
    }
}

/// Types whose values lie on a line ([`numeric_value`]).
pub fn is_numeric_domain(data_type: &DataType) -> bool {
    data_type.is_numeric()
        || matches!(
            data_type,
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..)
        )
}

/// A HyperLogLog sketch with 2^12 registers (about 1.6% standard error).
struct HyperLogLog {
    registers: Vec<u8>,
    /// SipHash with fixed keys: the same data gives the same estimate.
    hasher: std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>,
}

const HLL_BITS: u32 = 12;

impl HyperLogLog {
    fn new() -> Self {
        Self {
            registers: vec![0; 1 << HLL_BITS],
            hasher: Default::default(),
        }
    }

    fn insert(&mut self, bytes: &[u8]) {
        let hash = self.hasher.hash_one(bytes);
        let index = (hash >> (64 - HLL_BITS)) as usize;
        let rest = (hash << HLL_BITS) | (1 << (HLL_BITS - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        self.registers[index] = self.registers[index].max(rank);
    }

    fn estimate(&self) -> f64 {
        let m = self.registers.len() as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 2f64.powi(-i32::from(r)))
            .sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        if raw <= 2.5 * m && zeros > 0 {
            // Small range: linear counting.
            m * (m / zeros as f64).ln()
        } else {
            raw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    #[test]
    fn hyperloglog_counts_distinct_values_within_a_few_percent() {
        for n in [10usize, 1000, 100_000] {
            let mut sketch = HyperLogLog::new();
            for i in 0..n {
                // Every value twice.
                sketch.insert(&(i as u64).to_le_bytes());
                sketch.insert(&(i as u64).to_le_bytes());
            }
            let estimate = sketch.estimate();
            let error = (estimate - n as f64).abs() / n as f64;
            assert!(error < 0.05, "n={n} estimate={estimate}");
        }
    }

    #[test]
    fn analyze_computes_distinct_counts_and_an_equi_height_histogram() {
        let values: Vec<Option<i64>> = (0..10_000)
            .map(|i| if i % 100 == 0 { None } else { Some(i % 500) })
            .collect();
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, true)]));
        let batch =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(values))]).unwrap();
        let stats = TableStatistics::compute(&schema, &[batch]).unwrap();
        let column = &stats.columns[0];
        assert_eq!(stats.rows, 10_000.0);
        assert_eq!(column.null_count, Some(100.0));
        let distinct = column.distinct_count.unwrap();
        assert!((distinct - 500.0).abs() < 25.0, "{distinct}");
        let histogram = column.histogram.as_ref().unwrap();
        assert_eq!(histogram.len(), HISTOGRAM_BUCKETS + 1);
        assert_eq!(histogram[0], 1.0);
        assert_eq!(histogram[HISTOGRAM_BUCKETS], 499.0);
        assert!(histogram.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(column.min.as_ref().unwrap().as_i64(), Some(1));
    }
}
