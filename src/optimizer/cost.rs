//! Cardinality estimation through every operator. Scans start from the
//! table's statistics (Parquet footers, or ANALYZE TABLE's distinct counts
//! and histograms); each operator derives its output rows and the statistics
//! of its output columns from its inputs'.
//!
//! Selectivities: `col = v` is 1/ndv (0 when v lies outside [min, max]);
//! ranges use the histogram, else linear interpolation between min and max;
//! IS NULL the null fraction; IN lists n/ndv; AND multiplies, OR adds minus
//! the overlap; anything unknown is [`DEFAULT_SELECTIVITY`]. An equi-join
//! divides the product of its inputs by the larger distinct count of its
//! most selective key.

use crate::catalog::ColumnStatistics;
use crate::logical::{BinaryOp, ColumnId, ColumnRef, Expr, JoinType, LogicalPlan};
use std::collections::HashMap;

/// Selectivity of a predicate nothing is known about.
pub const DEFAULT_SELECTIVITY: f64 = 0.25;
/// Selectivity of `col = v` when the distinct count of col is unknown.
const EQUALITY_SELECTIVITY: f64 = 0.1;
/// Selectivity of LIKE with a pattern.
const LIKE_SELECTIVITY: f64 = 0.1;

/// What the estimator knows of one column of an operator's output.
#[derive(Debug, Clone, Default)]
pub struct ColumnEstimate {
    /// Distinct non-null values (at most the row count).
    pub distinct: Option<f64>,
    /// Range on the numeric line (`ScalarValue::numeric`).
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub null_fraction: f64,
    pub histogram: Option<Vec<f64>>,
    /// Average bytes per value.
    pub width: Option<f64>,
}

/// Estimated output of one operator.
#[derive(Debug, Clone, Default)]
pub struct Estimate {
    pub rows: f64,
    pub columns: HashMap<ColumnId, ColumnEstimate>,
}

impl Estimate {
    /// Distinct values of the column `id`, the row count when unknown.
    pub fn distinct(&self, id: ColumnId) -> f64 {
        self.columns
            .get(&id)
            .and_then(|c| c.distinct)
            .unwrap_or(self.rows)
            .min(self.rows)
            .max(1.0)
    }

    /// Estimated bytes of `columns` over all rows.
    pub fn bytes(&self, columns: &[ColumnRef]) -> f64 {
        let width: f64 = columns
            .iter()
            .map(|c| {
                self.columns
                    .get(&c.id)
                    .and_then(|e| e.width)
                    .unwrap_or_else(|| default_width(&c.data_type))
            })
            .sum();
        self.rows * width
    }

    /// Distinct values of the column `id` when statistics know them.
    pub fn known_distinct(&self, id: ColumnId) -> Option<f64> {
        self.columns
            .get(&id)
            .and_then(|c| c.distinct)
            .map(|d| d.min(self.rows).max(1.0))
    }

    /// Caps every column's distinct count at the row count.
    fn with_rows(mut self, rows: f64) -> Self {
        let rows = rows.max(0.0);
        let scale = if self.rows > 0.0 {
            rows / self.rows
        } else {
            1.0
        };
        for column in self.columns.values_mut() {
            // Removing rows at random keeps most distinct values until
            // few rows are left.
            column.distinct = column.distinct.map(|d| {
                d.min(rows)
                    .min(d * scale.max(0.0).sqrt().max(scale))
                    .max(1.0)
            });
        }
        self.rows = rows;
        self
    }
}

fn default_width(data_type: &arrow::datatypes::DataType) -> f64 {
    data_type.primitive_width().map_or(20.0, |w| w as f64)
}

/// Estimated output rows of `plan`.
pub fn estimate_rows(plan: &LogicalPlan) -> f64 {
    estimate(plan).rows
}

/// The estimate of `plan`'s output.
pub fn estimate(plan: &LogicalPlan) -> Estimate {
    match plan {
        LogicalPlan::Scan(scan) => {
            let stats = &scan.statistics;
            let mut columns = HashMap::new();
            for (column, &index) in scan.columns.iter().zip(&scan.projection) {
                if let Some(c) = stats.columns.get(index) {
                    columns.insert(column.id, column_estimate(c, stats.rows));
                }
            }
            // Pushed filters are applied by the Filter above the scan.
            Estimate {
                rows: stats.rows,
                columns,
            }
        }
        LogicalPlan::Values(values) => Estimate {
            rows: values.rows.len() as f64,
            columns: HashMap::new(),
        },
        LogicalPlan::EmptyRelation(empty) => Estimate {
            rows: f64::from(u8::from(empty.produce_one_row)),
            columns: HashMap::new(),
        },
        LogicalPlan::Filter(filter) => {
            let input = estimate(&filter.input);
            let selectivity = selectivity(&filter.predicate, &input);
            let rows = input.rows * selectivity;
            narrow(input, &filter.predicate).with_rows(rows)
        }
        LogicalPlan::Projection(node) => {
            let input = estimate(&node.input);
            let mut columns = HashMap::new();
            for (expr, column) in node.exprs.iter().zip(&node.columns) {
                let estimate = match expr {
                    Expr::Column(c) => input.columns.get(&c.id).cloned(),
                    Expr::Cast(cast) => match cast.expr.as_ref() {
                        Expr::Column(c) => input.columns.get(&c.id).cloned(),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(estimate) = estimate {
                    columns.insert(column.id, estimate);
                }
            }
            Estimate {
                rows: input.rows,
                columns,
            }
        }
        LogicalPlan::Sort(node) => estimate(&node.input),
        LogicalPlan::Window(node) => estimate(&node.input),
        LogicalPlan::Distinct(node) => {
            let input = estimate(&node.input);
            let ids: Vec<ColumnId> = node.input.columns().iter().map(|c| c.id).collect();
            let rows = group_rows(&input, &ids);
            input.with_rows(rows)
        }
        LogicalPlan::Aggregate(node) => {
            let input = estimate(&node.input);
            if node.group_exprs.is_empty() {
                return Estimate {
                    rows: 1.0,
                    columns: HashMap::new(),
                };
            }
            // Keys without statistics together: the square root of the
            // input rows (a guess between "few groups" and "all distinct").
            let key_distinct: Vec<Option<f64>> = node
                .group_exprs
                .iter()
                .map(|e| single_column(e).and_then(|id| input.known_distinct(id)))
                .collect();
            let unknown = input.rows.sqrt().max(1.0);
            let sets: Vec<Vec<usize>> = if node.grouping_sets.is_empty() {
                vec![(0..node.group_exprs.len()).collect()]
            } else {
                node.grouping_sets.clone()
            };
            let rows: f64 = sets
                .iter()
                .map(|set| {
                    let known: f64 = set.iter().filter_map(|&i| key_distinct[i]).product();
                    let any_unknown = set.iter().any(|&i| key_distinct[i].is_none());
                    (known * if any_unknown { unknown } else { 1.0 })
                        .min(input.rows)
                        .max(1.0)
                })
                .sum();
            let mut columns = HashMap::new();
            for (expr, column) in node.group_exprs.iter().zip(&node.group_columns) {
                if let Expr::Column(c) = expr {
                    if let Some(e) = input.columns.get(&c.id) {
                        columns.insert(column.id, e.clone());
                    }
                }
            }
            for (aggregate, column) in node.aggregates.iter().zip(&node.aggregate_columns) {
                if let Some(e) = aggregate_range(aggregate, &input, rows) {
                    columns.insert(column.id, e);
                }
            }
            Estimate { rows, columns }.with_rows(rows)
        }
        LogicalPlan::Limit(node) => {
            let input = estimate(&node.input);
            let rows = (input.rows - node.skip as f64).max(0.0);
            let rows = node.fetch.map_or(rows, |f| rows.min(f as f64));
            input.with_rows(rows)
        }
        LogicalPlan::Union(node) => {
            let rows = node.inputs.iter().map(|i| estimate(i).rows).sum();
            Estimate {
                rows,
                columns: HashMap::new(),
            }
        }
        LogicalPlan::Join(join) => {
            let (left, right) = (estimate(&join.left), estimate(&join.right));
            let conditions = join.conditions();
            let inner = join_rows(&left, &right, &conditions);
            let rows = match join.join_type {
                JoinType::Inner => inner,
                JoinType::Left => inner.max(left.rows),
                JoinType::Right => inner.max(right.rows),
                JoinType::Full => inner.max(left.rows + right.rows),
                JoinType::Semi => semi_rows(&left, &right, join),
                JoinType::Anti => (left.rows - semi_rows(&left, &right, join)).max(left.rows * 0.1),
            };
            let mut columns = left.columns;
            if !matches!(join.join_type, JoinType::Semi | JoinType::Anti) {
                columns.extend(right.columns);
            }
            Estimate {
                rows: left.rows.max(1.0),
                columns,
            }
            .with_rows(rows)
        }
    }
}

fn column_estimate(stats: &ColumnStatistics, rows: f64) -> ColumnEstimate {
    let min = stats.min.as_ref().and_then(|v| v.numeric());
    let max = stats.max.as_ref().and_then(|v| v.numeric());
    // Without ANALYZE: an integer range bounds the distinct count.
    let integer_range = match (&stats.min, min, max) {
        (Some(v), Some(lo), Some(hi)) if v.data_type().is_integer() => Some(hi - lo + 1.0),
        _ => None,
    };
    let distinct = stats.distinct_count.or(integer_range.map(|r| r.min(rows)));
    ColumnEstimate {
        distinct,
        min,
        max,
        null_fraction: match stats.null_count {
            Some(n) if rows > 0.0 => n / rows,
            _ => 0.0,
        },
        histogram: stats.histogram.clone(),
        width: stats.bytes.map(|b| b / rows.max(1.0)),
    }
}

/// Rows of grouping `input` by the columns `ids`.
/// The range of an aggregate's values over groups of `input` into `groups`
/// groups: MIN, MAX and AVG stay within the argument's range; a SUM of
/// non-negative values lies between the smallest value and the largest
/// times the average group size (groups taken as equally large).
fn aggregate_range(
    aggregate: &crate::logical::AggregateExpr,
    input: &Estimate,
    groups: f64,
) -> Option<ColumnEstimate> {
    use crate::logical::AggregateFunction::*;
    if aggregate.filter.is_some() {
        return None;
    }
    let argument = input
        .columns
        .get(&single_column(aggregate.args.first()?)?)?;
    let (lo, hi) = (argument.min?, argument.max?);
    let (min, max) = match aggregate.func {
        Min | Max | Avg => (lo, hi),
        Sum if lo >= 0.0 && !aggregate.distinct => {
            let group_size = (input.rows / groups.max(1.0)).max(1.0);
            (lo, hi * group_size)
        }
        _ => return None,
    };
    Some(ColumnEstimate {
        min: Some(min),
        max: Some(max),
        ..Default::default()
    })
}

fn group_rows(input: &Estimate, ids: &[ColumnId]) -> f64 {
    ids.iter()
        .map(|&id| input.distinct(id))
        .fold(1.0, |a, b| a * b)
        .min(input.rows)
        .max(1.0_f64.min(input.rows))
}

/// Semi join: the fraction of left keys found among the right keys.
fn semi_rows(left: &Estimate, right: &Estimate, join: &crate::logical::plan::Join) -> f64 {
    let mut fraction: f64 = 1.0;
    for (l, r) in &join.on {
        let (Some(l), Some(r)) = (single_column(l), single_column(r)) else {
            fraction = fraction.min(0.5);
            continue;
        };
        let (dl, dr) = (left.distinct(l), right.distinct(r));
        fraction = fraction.min((dr / dl).min(1.0));
    }
    if join.on.is_empty() {
        fraction = 0.5;
    }
    left.rows * fraction
}

fn single_column(expr: &Expr) -> Option<ColumnId> {
    match expr {
        Expr::Column(c) => Some(c.id),
        Expr::Cast(cast) => single_column(&cast.expr),
        _ => None,
    }
}

/// Rows of an inner join of `left` and `right` on `conditions`: the product
/// divided by the larger distinct count of the most selective equality;
/// other conditions filter by their selectivity.
pub fn join_rows(left: &Estimate, right: &Estimate, conditions: &[Expr]) -> f64 {
    let product = left.rows * right.rows;
    let mut key_selectivity: f64 = 1.0;
    let mut other_selectivity: f64 = 1.0;
    let both = || {
        let mut columns = left.columns.clone();
        columns.extend(right.columns.clone());
        Estimate {
            rows: product,
            columns,
        }
    };
    for condition in conditions {
        match equi_columns(condition) {
            Some((a, b)) => {
                // A key without statistics: assume it is unique on the
                // smaller side.
                let distinct = |id: ColumnId| {
                    if left.columns.contains_key(&id) {
                        left.distinct(id)
                    } else if right.columns.contains_key(&id) {
                        right.distinct(id)
                    } else {
                        left.rows.min(right.rows)
                    }
                };
                let divisor = distinct(a).max(distinct(b)).max(1.0);
                key_selectivity = key_selectivity.min(1.0 / divisor);
            }
            None => other_selectivity *= selectivity(condition, &both()),
        }
    }
    (product * key_selectivity * other_selectivity).max(1.0)
}

/// `(a, b)` for `a = b` between two columns (casts looked through).
pub fn equi_columns(expr: &Expr) -> Option<(ColumnId, ColumnId)> {
    let Expr::Binary(binary) = expr else {
        return None;
    };
    if binary.op != BinaryOp::Eq {
        return None;
    }
    Some((single_column(&binary.left)?, single_column(&binary.right)?))
}

/// The fraction of `input`'s rows for which `predicate` holds.
pub fn selectivity(predicate: &Expr, input: &Estimate) -> f64 {
    let s = match predicate {
        Expr::Literal(v) => match v.as_bool() {
            Some(true) => 1.0,
            _ => 0.0,
        },
        Expr::Binary(b) if b.op == BinaryOp::And => conjunction_selectivity(predicate, input),
        Expr::Binary(b) if b.op == BinaryOp::Or => {
            let (l, r) = (selectivity(&b.left, input), selectivity(&b.right, input));
            l + r - l * r
        }
        Expr::Not(inner) => 1.0 - selectivity(inner, input),
        Expr::IsNull(inner) => single_column(inner)
            .and_then(|id| input.columns.get(&id))
            .map_or(0.1, |c| c.null_fraction),
        Expr::IsNotNull(inner) => single_column(inner)
            .and_then(|id| input.columns.get(&id))
            .map_or(0.9, |c| 1.0 - c.null_fraction),
        Expr::Like(like) => {
            if like.negated {
                1.0 - LIKE_SELECTIVITY
            } else {
                LIKE_SELECTIVITY
            }
        }
        Expr::InList(list) => {
            let n = list.list.len() as f64;
            let s = match single_column(&list.expr).and_then(|id| input.known_distinct(id)) {
                Some(distinct) => (n / distinct).min(1.0),
                None => (n * EQUALITY_SELECTIVITY).min(1.0),
            };
            if list.negated {
                1.0 - s
            } else {
                s
            }
        }
        Expr::Binary(b) if b.op.is_comparison() => comparison_selectivity(b, input),
        _ => DEFAULT_SELECTIVITY,
    };
    s.clamp(0.0, 1.0)
}

/// AND: conjuncts are independent, except that range bounds on one column
/// (`a >= 1 AND a < 5`) are measured together as one range.
fn conjunction_selectivity(predicate: &Expr, input: &Estimate) -> f64 {
    // Per column: the lower bound (and whether values equal to it are
    // excluded) and the upper bound (and whether equal values are included).
    type Bound = Option<(f64, bool)>;
    let mut ranges: HashMap<ColumnId, (Bound, Bound)> = HashMap::new();
    let mut result = 1.0;
    for conjunct in predicate.clone().split_conjunction() {
        let bound = match &conjunct {
            Expr::Binary(b) => match (b.left.as_ref(), b.right.as_ref()) {
                (l, Expr::Literal(v)) => single_column(l).zip(Some(b.op)).zip(v.numeric()),
                (Expr::Literal(v), r) => single_column(r).zip(b.op.swap()).zip(v.numeric()),
                _ => None,
            },
            _ => None,
        };
        let ranged = bound.filter(|((id, op), _)| {
            matches!(
                op,
                BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq
            ) && input
                .columns
                .get(id)
                .is_some_and(|c| c.histogram.is_some() || (c.min.is_some() && c.max.is_some()))
        });
        match ranged {
            Some(((id, op), v)) => {
                let range = ranges.entry(id).or_default();
                match op {
                    BinaryOp::Lt | BinaryOp::LtEq => {
                        let bound = (v, op == BinaryOp::LtEq);
                        range.1 = Some(range.1.map_or(bound, |h| if v < h.0 { bound } else { h }));
                    }
                    _ => {
                        let bound = (v, op == BinaryOp::Gt);
                        range.0 = Some(range.0.map_or(bound, |l| if v > l.0 { bound } else { l }));
                    }
                }
            }
            None => result *= selectivity(&conjunct, input),
        }
    }
    for (id, (lo, hi)) in ranges {
        let stats = &input.columns[&id];
        let below = |bound: Option<(f64, bool)>, default: f64| {
            bound
                .and_then(|(v, inclusive)| fraction_below(stats, v, inclusive))
                .unwrap_or(default)
        };
        let fraction = (below(hi, 1.0) - below(lo, 0.0)).max(0.0);
        // At least one value's worth when the range is not empty.
        let floor = if lo.zip(hi).is_some_and(|(l, h)| l.0 > h.0) {
            0.0
        } else {
            1.0 / input.distinct(id)
        };
        result *= (1.0 - stats.null_fraction) * fraction.max(floor);
    }
    result
}

fn comparison_selectivity(b: &crate::logical::expr::BinaryExpr, input: &Estimate) -> f64 {
    let (column, op, value) = match (b.left.as_ref(), b.right.as_ref()) {
        (l, Expr::Literal(v)) => (single_column(l), Some(b.op), v),
        (Expr::Literal(v), r) => (single_column(r), b.op.swap(), v),
        (l, r) => {
            // Two columns: equality of two columns of one input.
            return match (single_column(l), single_column(r), b.op) {
                (Some(x), Some(y), BinaryOp::Eq) => 1.0 / input.distinct(x).max(input.distinct(y)),
                (_, _, BinaryOp::Eq) => 0.1,
                (_, _, BinaryOp::NotEq) => 0.9,
                _ => 1.0 / 3.0,
            };
        }
    };
    let (Some(id), Some(op)) = (column, op) else {
        return DEFAULT_SELECTIVITY;
    };
    if value.is_null() {
        return 0.0;
    }
    let stats = input.columns.get(&id).cloned().unwrap_or_default();
    let v = value.numeric();
    let non_null = 1.0 - stats.null_fraction;
    let distinct = input
        .known_distinct(id)
        .unwrap_or(1.0 / EQUALITY_SELECTIVITY);
    let outside = match (v, stats.min, stats.max) {
        (Some(v), Some(lo), Some(hi)) => v < lo || v > hi,
        _ => false,
    };
    match op {
        BinaryOp::Eq | BinaryOp::IsNotDistinctFrom => {
            if outside {
                return 0.0;
            }
            // A value the histogram shows as frequent counts as such.
            let frequent = v.filter(|_| stats.histogram.is_some()).and_then(|v| {
                Some(fraction_below(&stats, v, true)? - fraction_below(&stats, v, false)?)
            });
            non_null * frequent.unwrap_or(0.0).max(1.0 / distinct)
        }
        BinaryOp::NotEq | BinaryOp::IsDistinctFrom => non_null * (1.0 - 1.0 / distinct),
        BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq => {
            let Some(v) = v else {
                return 1.0 / 3.0;
            };
            let inclusive = matches!(op, BinaryOp::LtEq | BinaryOp::Gt);
            let Some(below) = fraction_below(&stats, v, inclusive) else {
                return 1.0 / 3.0;
            };
            non_null
                * if matches!(op, BinaryOp::Lt | BinaryOp::LtEq) {
                    below
                } else {
                    1.0 - below
                }
                .clamp(0.0, 1.0)
        }
        _ => DEFAULT_SELECTIVITY,
    }
}

/// The fraction of non-null values below `v` (at or below it when
/// `inclusive`): from the histogram when ANALYZE built one, else assuming
/// values spread evenly over [min, max] with 1/ndv of them at each value.
fn fraction_below(stats: &ColumnEstimate, v: f64, inclusive: bool) -> Option<f64> {
    if let Some(bounds) = &stats.histogram {
        let buckets = bounds.len().checked_sub(1).filter(|&b| b > 0)?;
        let mut below = 0.0;
        for i in 0..buckets {
            let (lo, hi) = (bounds[i], bounds[i + 1]);
            let whole = if inclusive { hi <= v } else { hi < v };
            if whole {
                below += 1.0;
            } else if lo < v && hi > lo {
                below += (v - lo) / (hi - lo);
            }
        }
        return Some(below / buckets as f64);
    }
    let (lo, hi) = (stats.min?, stats.max?);
    let equal = stats.distinct.map_or(0.0, |d| 1.0 / d.max(1.0));
    let linear = if hi <= lo {
        if v > lo {
            1.0
        } else {
            0.0
        }
    } else {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    };
    let at = if inclusive && v >= lo && v <= hi {
        equal
    } else {
        0.0
    };
    Some((linear + at).min(1.0))
}

/// The input estimate narrowed by a filter's range conjuncts: `col < v`
/// lowers the column's max, `col = v` fixes its range.
fn narrow(mut input: Estimate, predicate: &Expr) -> Estimate {
    for conjunct in predicate.clone().split_conjunction() {
        let Expr::Binary(b) = &conjunct else {
            continue;
        };
        let (column, op, value) = match (b.left.as_ref(), b.right.as_ref()) {
            (l, Expr::Literal(v)) => (single_column(l), Some(b.op), v),
            (Expr::Literal(v), r) => (single_column(r), b.op.swap(), v),
            _ => continue,
        };
        let (Some(id), Some(op), Some(v)) = (column, op, value.numeric()) else {
            continue;
        };
        let Some(stats) = input.columns.get_mut(&id) else {
            continue;
        };
        match op {
            BinaryOp::Eq => {
                stats.min = Some(v);
                stats.max = Some(v);
                stats.distinct = Some(1.0);
            }
            BinaryOp::Lt | BinaryOp::LtEq => stats.max = Some(stats.max.map_or(v, |m| m.min(v))),
            BinaryOp::Gt | BinaryOp::GtEq => stats.min = Some(stats.min.map_or(v, |m| m.max(v))),
            _ => {}
        }
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logical::{ColumnRef, ScalarValue};
    use arrow::datatypes::DataType;

    fn input(histogram: Option<Vec<f64>>) -> Estimate {
        let mut columns = HashMap::new();
        columns.insert(
            1,
            ColumnEstimate {
                distinct: Some(100.0),
                min: Some(0.0),
                max: Some(1000.0),
                null_fraction: 0.1,
                histogram,
                width: Some(8.0),
            },
        );
        Estimate {
            rows: 10_000.0,
            columns,
        }
    }

    fn compare(op: BinaryOp, value: i64) -> Expr {
        Expr::binary(
            Expr::Column(ColumnRef::new(1, "a", DataType::Int64, true)),
            op,
            Expr::Literal(ScalarValue::int64(value)),
            DataType::Boolean,
        )
    }

    #[test]
    fn equality_is_one_over_the_distinct_count_and_zero_outside_the_range() {
        let input = input(None);
        let s = selectivity(&compare(BinaryOp::Eq, 500), &input);
        assert!((s - 0.9 / 100.0).abs() < 1e-9, "{s}");
        assert_eq!(selectivity(&compare(BinaryOp::Eq, 5000), &input), 0.0);
    }

    #[test]
    fn ranges_interpolate_between_min_and_max() {
        let input = input(None);
        let s = selectivity(&compare(BinaryOp::Lt, 250), &input);
        assert!((s - 0.9 * 0.25).abs() < 1e-9, "{s}");
        // Both bounds of one column are measured as one range.
        let between = compare(BinaryOp::GtEq, 250).and(compare(BinaryOp::Lt, 500));
        let s = selectivity(&between, &input);
        assert!((s - 0.9 * 0.25).abs() < 1e-9, "{s}");
    }

    #[test]
    fn ranges_follow_the_histogram_when_there_is_one() {
        // Half the rows below 10, the other half spread up to 1000.
        let input = input(Some(vec![0.0, 10.0, 1000.0]));
        let s = selectivity(&compare(BinaryOp::Lt, 10), &input);
        assert!((s - 0.9 * 0.5).abs() < 1e-9, "{s}");
    }

    #[test]
    fn equi_join_divides_by_the_larger_distinct_count() {
        let left = input(None);
        let mut right = Estimate {
            rows: 50.0,
            columns: HashMap::new(),
        };
        right.columns.insert(
            2,
            ColumnEstimate {
                distinct: Some(50.0),
                ..Default::default()
            },
        );
        let on = Expr::binary(
            Expr::Column(ColumnRef::new(1, "a", DataType::Int64, true)),
            BinaryOp::Eq,
            Expr::Column(ColumnRef::new(2, "b", DataType::Int64, true)),
            DataType::Boolean,
        );
        assert_eq!(join_rows(&left, &right, &[on]), 10_000.0 * 50.0 / 100.0);
    }
}
