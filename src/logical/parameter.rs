//! Parameters: the placeholders `$1`, `?` and `$name` of a prepared
//! statement. The binder gives each occurrence a type from where it is used
//! (`DataType::Null` while unknown); `optimizer::bind_parameters` replaces
//! them by the values' literals when the statement executes.

use super::expr::Expr;
use super::plan::LogicalPlan;
use arrow::datatypes::DataType;
use std::fmt;

/// One occurrence of a placeholder. `name` is the number of a positional
/// parameter (`$1` and the first `?` are both `1`) or the name of a named one.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub data_type: DataType,
}

impl Parameter {
    /// Whether this is a positional parameter (`$1`, `?`).
    pub fn is_positional(&self) -> bool {
        is_positional_name(&self.name)
    }
}

/// `1`, `2`, ...: the names of positional parameters.
pub fn is_positional_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.name)
    }
}

/// LIMIT / OFFSET given by an expression over parameters (`LIMIT $1`). The
/// expressions are evaluated when values are bound, which sets the node's
/// `skip` and `fetch`; until then `skip` is 0, `fetch` is `None` and the
/// optimizer does not move or merge the limit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LimitParameters {
    pub skip: Option<Expr>,
    pub fetch: Option<Expr>,
}

impl LimitParameters {
    pub fn is_empty(&self) -> bool {
        self.skip.is_none() && self.fetch.is_none()
    }
}

/// Every parameter occurrence in `plan`, in plan order (parents first).
pub fn parameters_of(plan: &LogicalPlan) -> Vec<Parameter> {
    let mut out = vec![];
    let _ = plan.apply(&mut |node| {
        for expr in node.expressions() {
            collect(expr, &mut out);
        }
        Ok(())
    });
    out
}

fn collect(expr: &Expr, out: &mut Vec<Parameter>) {
    if let Expr::Parameter(parameter) = expr {
        out.push(parameter.clone());
    }
    for child in expr.children() {
        collect(child, out);
    }
}
