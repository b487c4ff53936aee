//! The logical plan: a tree of relational operators over columns with ids.
//! Children are `Arc` so rewrites share untouched subtrees.

use super::aggregate::AggregateExpr;
use super::expr::{Expr, SortKey};
use super::parameter::LimitParameters;
use super::schema::ColumnRef;
use super::window::WindowExpr;
use crate::catalog::TableSource;
use std::sync::Arc;

/// Reads some columns of a table; `filters` are conjuncts pushed into the scan
/// (used to skip row groups; the rows are still filtered above the scan).
#[derive(Debug, Clone)]
pub struct Scan {
    pub table_name: String,
    pub source: Arc<TableSource>,
    /// Indices into the source schema of the columns read, in output order.
    pub projection: Vec<usize>,
    pub columns: Vec<ColumnRef>,
    pub filters: Vec<Expr>,
    /// What the catalog knows of the table's data, columns in source order.
    pub statistics: Arc<crate::catalog::TableStatistics>,
    /// A join strategy hint naming this table (`/*+ BROADCAST(t) */`).
    pub hint: Option<JoinHint>,
}

/// Join strategy hints, as in Spark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinHint {
    Broadcast,
    Merge,
    ShuffleHash,
}

impl JoinHint {
    /// `BROADCAST` (also `BROADCASTJOIN`, `MAPJOIN`), `MERGE` (also
    /// `SHUFFLE_MERGE`, `MERGEJOIN`) or `SHUFFLE_HASH`.
    pub fn from_name(name: &str) -> Option<JoinHint> {
        match name.to_uppercase().as_str() {
            "BROADCAST" | "BROADCASTJOIN" | "MAPJOIN" => Some(JoinHint::Broadcast),
            "MERGE" | "SHUFFLE_MERGE" | "MERGEJOIN" => Some(JoinHint::Merge),
            "SHUFFLE_HASH" => Some(JoinHint::ShuffleHash),
            _ => None,
        }
    }
}

/// Literal rows: `VALUES (..), (..)`.
#[derive(Debug, Clone)]
pub struct Values {
    pub columns: Vec<ColumnRef>,
    pub rows: Vec<Vec<Expr>>,
}

/// One row with no columns: the input of `SELECT 1` without FROM.
#[derive(Debug, Clone)]
pub struct EmptyRelation {
    pub produce_one_row: bool,
    pub columns: Vec<ColumnRef>,
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub input: Arc<LogicalPlan>,
    pub predicate: Expr,
}

/// Computes `exprs`; output column `i` is `columns[i]`. A bare column keeps its id.
#[derive(Debug, Clone)]
pub struct Projection {
    pub input: Arc<LogicalPlan>,
    pub exprs: Vec<Expr>,
    pub columns: Vec<ColumnRef>,
}

/// Groups by `group_exprs` and computes `aggregates`; outputs the group columns
/// then the aggregate columns.
#[derive(Debug, Clone)]
pub struct Aggregate {
    pub input: Arc<LogicalPlan>,
    pub group_exprs: Vec<Expr>,
    pub group_columns: Vec<ColumnRef>,
    pub aggregates: Vec<AggregateExpr>,
    pub aggregate_columns: Vec<ColumnRef>,
    /// GROUPING SETS / ROLLUP / CUBE: the group expressions (by index) of
    /// each set; empty for a plain GROUP BY. Each set's rows carry NULL in the
    /// group columns it leaves out.
    pub grouping_sets: Vec<Vec<usize>>,
    /// With grouping sets: the column holding the set's grouping id, whose
    /// bit `i` is 1 when group expression `i` is not in the set. Output after
    /// the group columns.
    pub grouping_id: Option<ColumnRef>,
}

impl Aggregate {
    /// DISTINCT as an aggregate: groups `input` by every column (the same
    /// ids) and computes nothing.
    pub fn distinct(input: Arc<LogicalPlan>) -> Aggregate {
        let columns = input.columns();
        Aggregate {
            input,
            group_exprs: columns.iter().cloned().map(Expr::Column).collect(),
            group_columns: columns,
            aggregates: vec![],
            aggregate_columns: vec![],
            grouping_sets: vec![],
            grouping_id: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Sort {
    pub input: Arc<LogicalPlan>,
    pub keys: Vec<SortKey>,
}

#[derive(Debug, Clone)]
pub struct Limit {
    pub input: Arc<LogicalPlan>,
    pub skip: usize,
    pub fetch: Option<usize>,
    /// `LIMIT $1` / `OFFSET $2`: set until values are bound.
    pub parameters: LimitParameters,
}

/// Removes duplicate rows.
#[derive(Debug, Clone)]
pub struct Distinct {
    pub input: Arc<LogicalPlan>,
}

/// UNION ALL of inputs with the same column types; outputs `columns`.
#[derive(Debug, Clone)]
pub struct Union {
    pub inputs: Vec<Arc<LogicalPlan>>,
    pub columns: Vec<ColumnRef>,
}

/// How a join combines its inputs. Semi and anti joins output left rows only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinType {
    Inner,
    Left,
    Right,
    Full,
    Semi,
    Anti,
}

impl JoinType {
    pub fn name(self) -> &'static str {
        match self {
            JoinType::Inner => "Inner",
            JoinType::Left => "LeftOuter",
            JoinType::Right => "RightOuter",
            JoinType::Full => "FullOuter",
            JoinType::Semi => "LeftSemi",
            JoinType::Anti => "LeftAnti",
        }
    }
}

/// `left JOIN right ON on[0].0 = on[0].1 AND ... AND filter`. `on` pairs are
/// equi-join keys (left expression, right expression). With neither keys nor
/// filter an inner join is a cross join. `null_aware` marks the anti join of
/// `NOT IN`: a NULL on either side makes the membership test unknown.
#[derive(Debug, Clone)]
pub struct Join {
    pub left: Arc<LogicalPlan>,
    pub right: Arc<LogicalPlan>,
    pub join_type: JoinType,
    pub on: Vec<(Expr, Expr)>,
    pub filter: Option<Expr>,
    pub null_aware: bool,
    /// Keys compare NULL equal to NULL (set operations INTERSECT / EXCEPT).
    pub null_equals_null: bool,
    /// The right side reads columns of the left: a correlated subquery as
    /// the binder left it (Catalyst's correlated subquery, DuckDB's
    /// dependent join). `decorrelate_subqueries` turns it into a plain join.
    pub dependent: bool,
}

impl Join {
    /// A join whose condition is `conjuncts`: equalities between one side's
    /// columns and the other's become keys, the rest the filter.
    pub fn from_conjuncts(
        left: Arc<LogicalPlan>,
        right: Arc<LogicalPlan>,
        join_type: JoinType,
        conjuncts: Vec<Expr>,
    ) -> Join {
        let left_ids: std::collections::HashSet<_> = left.columns().iter().map(|c| c.id).collect();
        let right_ids: std::collections::HashSet<_> =
            right.columns().iter().map(|c| c.id).collect();
        let mut on = vec![];
        let mut rest = vec![];
        for conjunct in conjuncts {
            match split_equality(&conjunct, &left_ids, &right_ids) {
                Some(pair) => on.push(pair),
                None => rest.push(conjunct),
            }
        }
        Join {
            left,
            right,
            join_type,
            on,
            filter: Expr::conjunction(rest),
            null_aware: false,
            null_equals_null: false,
            dependent: false,
        }
    }

    /// The whole condition as conjuncts: `l = r` for every key pair, then
    /// the filter's conjuncts (the inverse of `from_conjuncts`).
    pub fn conditions(&self) -> Vec<Expr> {
        let mut conditions: Vec<Expr> = self
            .on
            .iter()
            .map(|(l, r)| {
                Expr::binary(
                    l.clone(),
                    super::BinaryOp::Eq,
                    r.clone(),
                    arrow::datatypes::DataType::Boolean,
                )
            })
            .collect();
        if let Some(filter) = &self.filter {
            conditions.extend(filter.clone().split_conjunction());
        }
        conditions
    }

    /// Output columns: both sides (the outer-joined side nullable), or the
    /// left side alone for semi and anti joins.
    pub fn columns(&self) -> Vec<ColumnRef> {
        let nullable = |columns: Vec<ColumnRef>| {
            columns
                .into_iter()
                .map(|mut c| {
                    c.nullable = true;
                    c
                })
                .collect::<Vec<_>>()
        };
        let (left, right) = (self.left.columns(), self.right.columns());
        match self.join_type {
            JoinType::Semi | JoinType::Anti => left,
            JoinType::Inner => [left, right].concat(),
            JoinType::Left => [left, nullable(right)].concat(),
            JoinType::Right => [nullable(left), right].concat(),
            JoinType::Full => [nullable(left), nullable(right)].concat(),
        }
    }
}

/// Computes window functions over its input; outputs the input columns then
/// `window_columns[i]` for `window_exprs[i]`. Row order is not preserved.
#[derive(Debug, Clone)]
pub struct Window {
    pub input: Arc<LogicalPlan>,
    pub window_exprs: Vec<WindowExpr>,
    pub window_columns: Vec<ColumnRef>,
}

impl Window {
    /// Output columns: the input's, then one per window call.
    pub fn columns_out(&self) -> Vec<ColumnRef> {
        let mut columns = self.input.columns();
        columns.extend(self.window_columns.iter().cloned());
        columns
    }
}

/// A relational operator.
#[derive(Debug, Clone)]
pub enum LogicalPlan {
    Scan(Scan),
    Values(Values),
    EmptyRelation(EmptyRelation),
    Filter(Filter),
    Projection(Projection),
    Aggregate(Aggregate),
    Sort(Sort),
    Limit(Limit),
    Distinct(Distinct),
    Union(Union),
    Join(Join),
    Window(Window),
}

impl LogicalPlan {
    /// The columns this operator outputs, in order.
    pub fn columns(&self) -> Vec<ColumnRef> {
        match self {
            LogicalPlan::Scan(scan) => scan.columns.clone(),
            LogicalPlan::Values(values) => values.columns.clone(),
            LogicalPlan::EmptyRelation(empty) => empty.columns.clone(),
            LogicalPlan::Filter(filter) => filter.input.columns(),
            LogicalPlan::Projection(projection) => projection.columns.clone(),
            LogicalPlan::Aggregate(aggregate) => {
                let mut columns = aggregate.group_columns.clone();
                columns.extend(aggregate.grouping_id.iter().cloned());
                columns.extend(aggregate.aggregate_columns.iter().cloned());
                columns
            }
            LogicalPlan::Sort(sort) => sort.input.columns(),
            LogicalPlan::Limit(limit) => limit.input.columns(),
            LogicalPlan::Distinct(distinct) => distinct.input.columns(),
            LogicalPlan::Union(union) => union.columns.clone(),
            LogicalPlan::Join(join) => join.columns(),
            LogicalPlan::Window(window) => window.columns_out(),
        }
    }

    pub fn children(&self) -> Vec<&Arc<LogicalPlan>> {
        match self {
            LogicalPlan::Scan(_) | LogicalPlan::Values(_) | LogicalPlan::EmptyRelation(_) => {
                vec![]
            }
            LogicalPlan::Filter(node) => vec![&node.input],
            LogicalPlan::Projection(node) => vec![&node.input],
            LogicalPlan::Aggregate(node) => vec![&node.input],
            LogicalPlan::Sort(node) => vec![&node.input],
            LogicalPlan::Limit(node) => vec![&node.input],
            LogicalPlan::Distinct(node) => vec![&node.input],
            LogicalPlan::Union(node) => node.inputs.iter().collect(),
            LogicalPlan::Join(node) => vec![&node.left, &node.right],
            LogicalPlan::Window(node) => vec![&node.input],
        }
    }

    /// The same node over new children (in the order of `children()`).
    pub fn with_new_children(&self, mut children: Vec<Arc<LogicalPlan>>) -> LogicalPlan {
        let mut next = || children.remove(0);
        match self {
            LogicalPlan::Scan(_) | LogicalPlan::Values(_) | LogicalPlan::EmptyRelation(_) => {
                self.clone()
            }
            LogicalPlan::Filter(node) => LogicalPlan::Filter(Filter {
                input: next(),
                ..node.clone()
            }),
            LogicalPlan::Projection(node) => LogicalPlan::Projection(Projection {
                input: next(),
                ..node.clone()
            }),
            LogicalPlan::Aggregate(node) => LogicalPlan::Aggregate(Aggregate {
                input: next(),
                ..node.clone()
            }),
            LogicalPlan::Sort(node) => LogicalPlan::Sort(Sort {
                input: next(),
                ..node.clone()
            }),
            LogicalPlan::Limit(node) => LogicalPlan::Limit(Limit {
                input: next(),
                ..node.clone()
            }),
            LogicalPlan::Distinct(_) => LogicalPlan::Distinct(Distinct { input: next() }),
            LogicalPlan::Window(node) => LogicalPlan::Window(Window {
                input: next(),
                ..node.clone()
            }),
            LogicalPlan::Join(node) => {
                let left = next();
                let right = next();
                LogicalPlan::Join(Join {
                    left,
                    right,
                    ..node.clone()
                })
            }
            LogicalPlan::Union(node) => LogicalPlan::Union(Union {
                inputs: children,
                columns: node.columns.clone(),
            }),
        }
    }

    /// Every expression this node evaluates (not those of its children).
    pub fn expressions(&self) -> Vec<&Expr> {
        match self {
            LogicalPlan::Scan(scan) => scan.filters.iter().collect(),
            LogicalPlan::Values(values) => values.rows.iter().flatten().collect(),
            LogicalPlan::Filter(filter) => vec![&filter.predicate],
            LogicalPlan::Projection(projection) => projection.exprs.iter().collect(),
            LogicalPlan::Aggregate(aggregate) => {
                let mut exprs: Vec<&Expr> = aggregate.group_exprs.iter().collect();
                for call in &aggregate.aggregates {
                    exprs.extend(call.expressions());
                }
                exprs
            }
            LogicalPlan::Sort(sort) => sort.keys.iter().map(|key| &key.expr).collect(),
            LogicalPlan::Join(join) => {
                let mut exprs: Vec<&Expr> = join.on.iter().flat_map(|(l, r)| [l, r]).collect();
                exprs.extend(join.filter.iter());
                exprs
            }
            LogicalPlan::Window(window) => window
                .window_exprs
                .iter()
                .flat_map(WindowExpr::expressions)
                .collect(),
            LogicalPlan::Limit(limit) => limit
                .parameters
                .skip
                .iter()
                .chain(limit.parameters.fetch.iter())
                .collect(),
            _ => vec![],
        }
    }
}

/// `(l, r)` when `expr` is `l = r` (or `r = l`) with `l` reading only left
/// columns and `r` only right columns, both reading at least one.
pub fn split_equality(
    expr: &Expr,
    left_ids: &std::collections::HashSet<super::ColumnId>,
    right_ids: &std::collections::HashSet<super::ColumnId>,
) -> Option<(Expr, Expr)> {
    let Expr::Binary(binary) = expr else {
        return None;
    };
    if binary.op != super::BinaryOp::Eq {
        return None;
    }
    let (a, b) = (binary.left.column_ids(), binary.right.column_ids());
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a.is_subset(left_ids) && b.is_subset(right_ids) {
        Some((*binary.left.clone(), *binary.right.clone()))
    } else if a.is_subset(right_ids) && b.is_subset(left_ids) {
        Some((*binary.right.clone(), *binary.left.clone()))
    } else {
        None
    }
}
