//! The logical plan: a tree of relational operators over columns with ids.
//! Children are `Arc` so rewrites share untouched subtrees.

use super::expr::{AggregateExpr, Expr, SortKey};
use super::schema::ColumnRef;
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
                columns.extend(aggregate.aggregate_columns.iter().cloned());
                columns
            }
            LogicalPlan::Sort(sort) => sort.input.columns(),
            LogicalPlan::Limit(limit) => limit.input.columns(),
            LogicalPlan::Distinct(distinct) => distinct.input.columns(),
            LogicalPlan::Union(union) => union.columns.clone(),
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
                    exprs.extend(call.arg.iter());
                    exprs.extend(call.filter.iter());
                }
                exprs
            }
            LogicalPlan::Sort(sort) => sort.keys.iter().map(|key| &key.expr).collect(),
            _ => vec![],
        }
    }
}
