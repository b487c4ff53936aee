//! Logical to physical expressions: column ids become input positions.

use crate::error::{QuarryError, Result};
use crate::execution::expressions::PhysicalExpr;
use crate::logical::{ColumnId, ColumnRef, Expr};
use std::collections::HashMap;

/// Positions of an operator's input columns by id.
pub struct InputLayout {
    positions: HashMap<ColumnId, usize>,
}

impl InputLayout {
    pub fn new(columns: &[ColumnRef]) -> Self {
        let mut positions = HashMap::new();
        for (i, column) in columns.iter().enumerate() {
            positions.entry(column.id).or_insert(i);
        }
        Self { positions }
    }

    pub fn create(&self, expr: &Expr) -> Result<PhysicalExpr> {
        let boxed = |e: &Expr| -> Result<Box<PhysicalExpr>> { Ok(Box::new(self.create(e)?)) };
        Ok(match expr {
            Expr::Column(column) => {
                let index = *self.positions.get(&column.id).ok_or_else(|| {
                    QuarryError::Internal(format!("column {column} is not produced by the input"))
                })?;
                PhysicalExpr::Column {
                    index,
                    name: column.name.clone(),
                }
            }
            Expr::Literal(value) => PhysicalExpr::Literal(value.clone()),
            Expr::Parameter(parameter) => {
                return Err(QuarryError::Plan(format!(
                    "Invalid Input Error: no value was given for parameter {parameter}"
                )))
            }
            Expr::Binary(binary) => PhysicalExpr::Binary {
                left: boxed(&binary.left)?,
                op: binary.op,
                right: boxed(&binary.right)?,
                data_type: binary.data_type.clone(),
            },
            Expr::Not(e) => PhysicalExpr::Not(boxed(e)?),
            Expr::Negative(e) => PhysicalExpr::Negative(boxed(e)?),
            Expr::IsNull(e) => PhysicalExpr::IsNull(boxed(e)?),
            Expr::IsNotNull(e) => PhysicalExpr::IsNotNull(boxed(e)?),
            Expr::Like(like) => PhysicalExpr::Like {
                negated: like.negated,
                case_insensitive: like.case_insensitive,
                expr: boxed(&like.expr)?,
                pattern: boxed(&like.pattern)?,
            },
            Expr::InList(in_list) => PhysicalExpr::InList {
                expr: boxed(&in_list.expr)?,
                list: in_list
                    .list
                    .iter()
                    .map(|e| self.create(e))
                    .collect::<Result<_>>()?,
                negated: in_list.negated,
            },
            Expr::Case(case) => PhysicalExpr::Case {
                when_then: case
                    .when_then
                    .iter()
                    .map(|(w, t)| Ok((self.create(w)?, self.create(t)?)))
                    .collect::<Result<_>>()?,
                else_expr: case.else_expr.as_deref().map(boxed).transpose()?,
                data_type: case.data_type.clone(),
            },
            Expr::Cast(cast) => PhysicalExpr::Cast {
                expr: boxed(&cast.expr)?,
                data_type: cast.data_type.clone(),
            },
            Expr::ScalarFunction(function) => PhysicalExpr::ScalarFunction {
                name: function.name.clone(),
                args: function
                    .args
                    .iter()
                    .map(|e| self.create(e))
                    .collect::<Result<_>>()?,
                data_type: function.data_type.clone(),
            },
        })
    }
}
