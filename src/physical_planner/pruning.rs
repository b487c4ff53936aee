//! Row-group pruning: which row groups of a Parquet file may hold a row that
//! passes the scan's pushed filters, judged from the footer's min / max /
//! null-count statistics. A row group is skipped only when some conjunct is
//! certainly false for every row in it; missing statistics keep it.
//!
//! `l_orderkey < 10000` keeps the row groups whose `min(l_orderkey) < 10000`.
//!
//! Inside a kept row group, a conjunct on one column is also tested against
//! that column's page statistics when the file has a page index: the rows
//! of pages where it is certainly false are skipped (a `RowSelection`).
//!
//! Understood: `column op literal` (=, <>, <, <=, >, >=, either side),
//! `CAST(column) op literal` for order-preserving casts, IN lists, IS [NOT]
//! NULL, AND, OR. Anything else is "unknown" and keeps the row group. Float
//! columns are not pruned (their statistics leave out NaN).

use crate::catalog::parquet::ParquetFile;
use crate::error::Result;
use crate::logical::{BinaryOp, ColumnId, ColumnRef, Expr, ScalarValue};
use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray, UInt64Array};
use arrow::compute::kernels::{boolean, cmp};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::DataType;
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::arrow_reader::RowSelection;
use std::collections::{HashMap, HashSet};

/// A filter restated over the statistics of file columns.
#[derive(Debug, Clone)]
enum Pruning {
    /// `column op value`, the column's statistics cast to `value`'s type.
    Compare {
        column: usize,
        op: BinaryOp,
        value: ScalarValue,
    },
    IsNull(usize),
    IsNotNull(usize),
    And(Vec<Pruning>),
    Or(Vec<Pruning>),
    Unknown,
}

/// The pushed filters of one scan, ready to test row groups.
#[derive(Debug, Clone)]
pub struct PruningPredicate {
    conjuncts: Vec<Pruning>,
}

impl PruningPredicate {
    /// `filters` read the scan's `columns`, which are file columns
    /// `projection[i]`. `None` when no filter can prune anything.
    pub fn try_new(filters: &[Expr], columns: &[ColumnRef], projection: &[usize]) -> Option<Self> {
        let file_columns: HashMap<ColumnId, (usize, DataType)> = columns
            .iter()
            .zip(projection)
            .map(|(c, &p)| (c.id, (p, c.data_type.clone())))
            .collect();
        let conjuncts: Vec<Pruning> = filters
            .iter()
            .map(|f| translate(f, &file_columns))
            .filter(|p| !matches!(p, Pruning::Unknown))
            .collect();
        (!conjuncts.is_empty()).then_some(Self { conjuncts })
    }

    /// For every row group of `file`: may it hold a matching row?
    pub fn keep_row_groups(&self, file: &ParquetFile) -> Result<Vec<bool>> {
        let row_groups = file.metadata.metadata().row_groups().len();
        let mut stats = FileStatistics {
            file,
            page_row_group: None,
            cache: HashMap::new(),
        };
        let mut keep = vec![true; row_groups];
        for conjunct in &self.conjuncts {
            let result = stats.evaluate(conjunct, row_groups)?;
            for (i, k) in keep.iter_mut().enumerate() {
                // Skip only when certainly false.
                if result.is_valid(i) && !result.value(i) {
                    *k = false;
                }
            }
        }
        Ok(keep)
    }

    /// The rows of row group `row_group` that pages may hold matches in,
    /// from the page index; `None` without a page index or when no conjunct
    /// on a single column can use it.
    pub fn page_selection(
        &self,
        file: &ParquetFile,
        row_group: usize,
    ) -> Result<Option<RowSelection>> {
        if file.metadata.metadata().page_index().is_none() {
            return Ok(None);
        }
        let total = file
            .metadata
            .metadata()
            .row_group(row_group)
            .num_rows()
            .max(0) as usize;
        let mut selection: Option<RowSelection> = None;
        for conjunct in &self.conjuncts {
            let mut columns = HashSet::new();
            conjunct.columns(&mut columns);
            if columns.len() != 1 {
                continue;
            }
            let mut stats = FileStatistics {
                file,
                page_row_group: Some(row_group),
                cache: HashMap::new(),
            };
            let Some(column) = columns.into_iter().next() else {
                continue;
            };
            let Some(row_counts) = stats.column(column)?.page_rows.clone() else {
                continue;
            };
            let result = stats.evaluate(conjunct, row_counts.len())?;
            let mut ranges = vec![];
            let mut start = 0usize;
            for (page, rows) in row_counts.iter().enumerate() {
                let keep = !result.is_valid(page) || result.value(page);
                if keep {
                    ranges.push(start..start + rows);
                }
                start += rows;
            }
            if start != total {
                continue;
            }
            let this = RowSelection::from_consecutive_ranges(ranges.into_iter(), total);
            selection = Some(match selection {
                None => this,
                Some(previous) => previous.intersection(&this),
            });
        }
        Ok(selection)
    }
}

impl Pruning {
    /// The file columns this test reads.
    fn columns(&self, out: &mut HashSet<usize>) {
        match self {
            Pruning::Compare { column, .. }
            | Pruning::IsNull(column)
            | Pruning::IsNotNull(column) => {
                out.insert(*column);
            }
            Pruning::And(parts) | Pruning::Or(parts) => {
                for part in parts {
                    part.columns(out);
                }
            }
            Pruning::Unknown => {}
        }
    }
}

/// Restates one filter over file columns.
fn translate(expr: &Expr, file_columns: &HashMap<ColumnId, (usize, DataType)>) -> Pruning {
    // The file column a side reads, when reading it keeps its order.
    let column_of = |e: &Expr| -> Option<usize> {
        let (column, cast_to) = match e {
            Expr::Column(c) => (c, None),
            Expr::Cast(cast) => match cast.expr.as_ref() {
                Expr::Column(c) => (c, Some(&cast.data_type)),
                _ => return None,
            },
            _ => return None,
        };
        let (index, data_type) = file_columns.get(&column.id)?;
        if data_type.is_floating() {
            return None;
        }
        match cast_to {
            Some(to) if !order_preserving(data_type, to) => None,
            _ => Some(*index),
        }
    };
    match expr {
        Expr::Binary(binary) if binary.op == BinaryOp::And || binary.op == BinaryOp::Or => {
            let parts = vec![
                translate(&binary.left, file_columns),
                translate(&binary.right, file_columns),
            ];
            if binary.op == BinaryOp::And {
                Pruning::And(parts)
            } else {
                Pruning::Or(parts)
            }
        }
        Expr::Binary(binary) if binary.op.is_comparison() => {
            let (column, op, value) = match (binary.left.as_ref(), binary.right.as_ref()) {
                (side, Expr::Literal(value)) => (column_of(side), Some(binary.op), value),
                (Expr::Literal(value), side) => (column_of(side), binary.op.swap(), value),
                _ => return Pruning::Unknown,
            };
            match (column, op) {
                (Some(column), Some(op)) if !value.is_null() && op != BinaryOp::IsDistinctFrom => {
                    Pruning::Compare {
                        column,
                        op,
                        value: value.clone(),
                    }
                }
                _ => Pruning::Unknown,
            }
        }
        Expr::InList(list) if !list.negated => {
            let Some(column) = column_of(&list.expr) else {
                return Pruning::Unknown;
            };
            let mut options = vec![];
            for item in &list.list {
                match item {
                    Expr::Literal(value) if !value.is_null() => options.push(Pruning::Compare {
                        column,
                        op: BinaryOp::Eq,
                        value: value.clone(),
                    }),
                    Expr::Literal(_) => {}
                    _ => return Pruning::Unknown,
                }
            }
            Pruning::Or(options)
        }
        Expr::IsNull(inner) => column_of(inner).map_or(Pruning::Unknown, Pruning::IsNull),
        Expr::IsNotNull(inner) => column_of(inner).map_or(Pruning::Unknown, Pruning::IsNotNull),
        _ => Pruning::Unknown,
    }
}

/// Casts between these types keep the order of values, so the cast of a min
/// is the min of the casts.
fn order_preserving(from: &DataType, to: &DataType) -> bool {
    let numeric = |t: &DataType| t.is_integer() || matches!(t, DataType::Decimal128(..));
    let string =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    let temporal = |t: &DataType| {
        matches!(
            t,
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..)
        )
    };
    (numeric(from) && (numeric(to) || to.is_floating()))
        || (string(from) && string(to))
        || (temporal(from) && temporal(to))
}

/// Statistics of one file's columns, converted to Arrow arrays on first
/// use: one entry per row group, or per page of one row group when
/// `page_row_group` is set.
struct FileStatistics<'a> {
    file: &'a ParquetFile,
    page_row_group: Option<usize>,
    cache: HashMap<usize, ColumnStatistics>,
}

struct ColumnStatistics {
    mins: ArrayRef,
    maxes: ArrayRef,
    null_counts: UInt64Array,
    row_counts: UInt64Array,
    /// Per page: its row count (pages only).
    page_rows: Option<Vec<usize>>,
}

impl FileStatistics<'_> {
    fn column(&mut self, column: usize) -> Result<&ColumnStatistics> {
        if !self.cache.contains_key(&column) {
            let metadata = &self.file.metadata;
            let schema = metadata.schema();
            let name = schema.field(column).name();
            let converter = StatisticsConverter::try_new(name, schema, metadata.parquet_schema())?;
            let row_groups = metadata.metadata().row_groups();
            let statistics = match (self.page_row_group, metadata.metadata().page_index()) {
                (Some(row_group), Some(index)) => {
                    let groups = [row_group];
                    let counts =
                        converter.data_page_row_counts(index.as_ref(), row_groups, &groups)?;
                    let page_rows: Option<Vec<usize>> = counts
                        .as_ref()
                        .filter(|c| c.null_count() == 0)
                        .map(|c| c.values().iter().map(|&n| n as usize).collect());
                    let row_counts = counts.unwrap_or_else(|| UInt64Array::from(Vec::<u64>::new()));
                    ColumnStatistics {
                        mins: converter.data_page_mins(index.as_ref(), &groups)?,
                        maxes: converter.data_page_maxes(index.as_ref(), &groups)?,
                        null_counts: converter.data_page_null_counts(index.as_ref(), &groups)?,
                        row_counts,
                        page_rows,
                    }
                }
                _ => {
                    let row_counts = match converter.row_group_row_counts(row_groups.iter())? {
                        Some(counts) => counts,
                        None => UInt64Array::from(
                            row_groups
                                .iter()
                                .map(|rg| rg.num_rows().max(0) as u64)
                                .collect::<Vec<_>>(),
                        ),
                    };
                    ColumnStatistics {
                        mins: converter.row_group_mins(row_groups.iter())?,
                        maxes: converter.row_group_maxes(row_groups.iter())?,
                        null_counts: converter.row_group_null_counts(row_groups.iter())?,
                        row_counts,
                        page_rows: None,
                    }
                }
            };
            self.cache.insert(column, statistics);
        }
        Ok(&self.cache[&column])
    }

    /// True / false / NULL (unknown) per row group.
    fn evaluate(&mut self, pruning: &Pruning, row_groups: usize) -> Result<BooleanArray> {
        let unknown = || BooleanArray::from(vec![None::<bool>; row_groups]);
        Ok(match pruning {
            Pruning::Unknown => unknown(),
            Pruning::And(parts) | Pruning::Or(parts) => {
                let is_and = matches!(pruning, Pruning::And(_));
                let mut result: Option<BooleanArray> = None;
                for part in parts {
                    let next = self.evaluate(part, row_groups)?;
                    result = Some(match result {
                        None => next,
                        Some(acc) if is_and => boolean::and_kleene(&acc, &next)?,
                        Some(acc) => boolean::or_kleene(&acc, &next)?,
                    });
                }
                result.unwrap_or_else(|| BooleanArray::from(vec![is_and; row_groups]))
            }
            Pruning::IsNull(column) => {
                let stats = self.column(*column)?;
                cmp::gt(&stats.null_counts, &UInt64Array::new_scalar(0))?
            }
            Pruning::IsNotNull(column) => {
                let stats = self.column(*column)?;
                cmp::lt(&stats.null_counts, &stats.row_counts)?
            }
            Pruning::Compare { column, op, value } => {
                let stats = self.column(*column)?;
                let target = value.data_type();
                let (Some(mins), Some(maxes)) =
                    (to_type(&stats.mins, target), to_type(&stats.maxes, target))
                else {
                    return Ok(unknown());
                };
                let v = arrow::array::Scalar::new(value.as_array().clone());
                match op {
                    BinaryOp::Eq | BinaryOp::IsNotDistinctFrom => {
                        boolean::and_kleene(&cmp::lt_eq(&mins, &v)?, &cmp::gt_eq(&maxes, &v)?)?
                    }
                    BinaryOp::NotEq => boolean::not(&boolean::and_kleene(
                        &cmp::eq(&mins, &v)?,
                        &cmp::eq(&maxes, &v)?,
                    )?)?,
                    BinaryOp::Lt => cmp::lt(&mins, &v)?,
                    BinaryOp::LtEq => cmp::lt_eq(&mins, &v)?,
                    BinaryOp::Gt => cmp::gt(&maxes, &v)?,
                    BinaryOp::GtEq => cmp::gt_eq(&maxes, &v)?,
                    _ => unknown(),
                }
            }
        })
    }
}

/// `array` as `target`, values that do not fit becoming NULL (unknown);
/// `None` when the types cannot be compared.
fn to_type(array: &ArrayRef, target: &DataType) -> Option<ArrayRef> {
    if array.data_type() == target {
        return Some(array.clone());
    }
    if array.null_count() == array.len() {
        return Some(new_null_array(target, array.len()));
    }
    if !order_preserving(array.data_type(), target) {
        return None;
    }
    let options = CastOptions {
        safe: true,
        ..Default::default()
    };
    cast_with_options(array, target, &options).ok()
}
