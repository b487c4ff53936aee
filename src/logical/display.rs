//! Text forms of logical expressions and plans, as EXPLAIN shows them:
//! columns print as `name#id`, one plan node per line, children indented.

use super::aggregate::{AggregateExpr, AggregateFunction, AggregateParameter};
use super::expr::{Expr, SortKey};
use super::plan::LogicalPlan;
use std::fmt::{self, Write};

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column(column) => write!(f, "{column}"),
            Expr::Literal(value) => match value.as_str() {
                Some(text) => write!(f, "'{}'", text.replace('\'', "''")),
                None => write!(f, "{value}"),
            },
            Expr::Parameter(parameter) => write!(f, "{parameter}"),
            Expr::Binary(binary) => write!(f, "({} {} {})", binary.left, binary.op, binary.right),
            Expr::Not(expr) => write!(f, "NOT {expr}"),
            Expr::Negative(expr) => write!(f, "(- {expr})"),
            Expr::IsNull(expr) => write!(f, "{expr} IS NULL"),
            Expr::IsNotNull(expr) => write!(f, "{expr} IS NOT NULL"),
            Expr::Like(like) => write!(
                f,
                "{} {}{} {}",
                like.expr,
                if like.negated { "NOT " } else { "" },
                if like.case_insensitive {
                    "ILIKE"
                } else {
                    "LIKE"
                },
                like.pattern
            ),
            Expr::InList(in_list) => write!(
                f,
                "{} {}IN ({})",
                in_list.expr,
                if in_list.negated { "NOT " } else { "" },
                join(&in_list.list)
            ),
            Expr::Case(case) => {
                write!(f, "CASE")?;
                for (when, then) in &case.when_then {
                    write!(f, " WHEN {when} THEN {then}")?;
                }
                if let Some(else_expr) = &case.else_expr {
                    write!(f, " ELSE {else_expr}")?;
                }
                write!(f, " END")
            }
            Expr::Cast(cast) => write!(
                f,
                "CAST({} AS {})",
                cast.expr,
                crate::binder::types::sql_type_name(&cast.data_type)
            ),
            Expr::ScalarFunction(function) => {
                write!(f, "{}({})", function.name, join(&function.args))
            }
        }
    }
}

impl fmt::Display for AggregateExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.func == AggregateFunction::CountStar {
            write!(f, "count(*)")?;
        } else {
            write!(
                f,
                "{}({}{}",
                self.func.name(),
                if self.distinct { "DISTINCT " } else { "" },
                join(&self.args)
            )?;
            if let Some(parameter) = &self.parameter {
                write!(f, ", {parameter}")?;
            }
            if !self.order_by.is_empty() {
                write!(f, " ORDER BY {}", join(&self.order_by))?;
            }
            write!(f, ")")?;
        }
        if let Some(filter) = &self.filter {
            write!(f, " FILTER (WHERE {filter})")?;
        }
        Ok(())
    }
}

impl fmt::Display for AggregateParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AggregateParameter::Quantile(fraction) => write!(f, "{fraction}"),
            AggregateParameter::Separator(Some(separator)) => {
                write!(f, "'{}'", separator.replace('\'', "''"))
            }
            AggregateParameter::Separator(None) => write!(f, "NULL"),
        }
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.expr,
            if self.ascending { "ASC" } else { "DESC" },
            if self.nulls_first {
                "NULLS FIRST"
            } else {
                "NULLS LAST"
            }
        )
    }
}

impl LogicalPlan {
    /// One line describing this node alone.
    pub fn node_line(&self) -> String {
        match self {
            LogicalPlan::Scan(scan) => {
                let mut line = format!("Scan {} [{}]", scan.table_name, join(&scan.columns));
                if !scan.filters.is_empty() {
                    let _ = write!(line, " filters=[{}]", join(&scan.filters));
                }
                if let Some(hint) = scan.hint {
                    let _ = write!(line, " hint={hint:?}");
                }
                line
            }
            LogicalPlan::Values(values) => {
                format!(
                    "Values [{}] rows={}",
                    join(&values.columns),
                    values.rows.len()
                )
            }
            LogicalPlan::EmptyRelation(empty) => {
                format!("EmptyRelation rows={}", usize::from(empty.produce_one_row))
            }
            LogicalPlan::Filter(filter) => format!("Filter {}", filter.predicate),
            LogicalPlan::Projection(projection) => {
                let items: Vec<String> = projection
                    .exprs
                    .iter()
                    .zip(&projection.columns)
                    .map(|(expr, column)| match expr {
                        Expr::Column(input) if input.id == column.id => input.to_string(),
                        _ => format!("{expr} AS {column}"),
                    })
                    .collect();
                format!("Project [{}]", items.join(", "))
            }
            LogicalPlan::Aggregate(aggregate) => {
                let aggregates: Vec<String> = aggregate
                    .aggregates
                    .iter()
                    .zip(&aggregate.aggregate_columns)
                    .map(|(call, column)| format!("{call} AS {column}"))
                    .collect();
                let groups: Vec<String> = aggregate
                    .group_exprs
                    .iter()
                    .zip(&aggregate.group_columns)
                    .map(|(expr, column)| match expr {
                        Expr::Column(input) if input.id == column.id => input.to_string(),
                        _ => format!("{expr} AS {column}"),
                    })
                    .collect();
                let mut line = format!(
                    "Aggregate [{}], [{}]",
                    groups.join(", "),
                    aggregates.join(", ")
                );
                if !aggregate.grouping_sets.is_empty() {
                    let sets: Vec<String> = aggregate
                        .grouping_sets
                        .iter()
                        .map(|set| {
                            let names: Vec<String> = set
                                .iter()
                                .map(|&i| aggregate.group_columns[i].to_string())
                                .collect();
                            format!("({})", names.join(", "))
                        })
                        .collect();
                    let _ = write!(line, " grouping sets [{}]", sets.join(", "));
                }
                line
            }
            LogicalPlan::Sort(sort) => format!("Sort [{}]", join(&sort.keys)),
            LogicalPlan::Limit(limit) => {
                let fetch = match (&limit.parameters.fetch, limit.fetch) {
                    (Some(expr), _) => expr.to_string(),
                    (None, Some(fetch)) => fetch.to_string(),
                    (None, None) => "ALL".to_string(),
                };
                let skip = match &limit.parameters.skip {
                    Some(expr) => expr.to_string(),
                    None => limit.skip.to_string(),
                };
                format!("Limit {fetch} offset {skip}")
            }
            LogicalPlan::Distinct(_) => "Distinct".to_string(),
            LogicalPlan::Window(window) => {
                let items: Vec<String> = window
                    .window_exprs
                    .iter()
                    .zip(&window.window_columns)
                    .map(|(call, column)| format!("{call} AS {column}"))
                    .collect();
                format!("Window [{}]", items.join(", "))
            }
            LogicalPlan::Union(union) => format!("Union [{}]", join(&union.columns)),
            LogicalPlan::Join(node) => {
                let mut line = format!("Join {}", node.join_type.name());
                let keys: Vec<String> = node.on.iter().map(|(l, r)| format!("{l} = {r}")).collect();
                if !keys.is_empty() {
                    let _ = write!(line, " on [{}]", keys.join(", "));
                }
                if let Some(filter) = &node.filter {
                    let _ = write!(line, " filter {filter}");
                }
                if node.null_aware {
                    line.push_str(" null-aware");
                }
                if node.null_equals_null {
                    line.push_str(" null-equal");
                }
                if node.dependent {
                    line.push_str(" dependent");
                }
                line
            }
        }
    }

    /// The whole tree, one node per line, children indented by two spaces.
    pub fn display_indent(&self) -> String {
        let mut out = String::new();
        self.write_indent(&mut out, 0);
        out
    }

    fn write_indent(&self, out: &mut String, depth: usize) {
        let _ = writeln!(out, "{}{}", "  ".repeat(depth), self.node_line());
        for child in self.children() {
            child.write_indent(out, depth + 1);
        }
    }
}
