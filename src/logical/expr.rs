//! Logical expressions. Every expression is fully typed once the binder has
//! built it: implicit casts are explicit `Cast` nodes, so later stages never
//! re-derive coercions.

pub use super::parameter::Parameter;
use super::scalar::ScalarValue;
use super::schema::{ColumnId, ColumnRef};
use arrow::datatypes::DataType;
use std::collections::HashSet;
use std::fmt;

/// A binary operator after binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Plus,
    Minus,
    Multiply,
    Divide,
    IntegerDivide,
    Modulo,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    IsDistinctFrom,
    IsNotDistinctFrom,
    StringConcat,
}

impl BinaryOp {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::NotEq
                | BinaryOp::Lt
                | BinaryOp::LtEq
                | BinaryOp::Gt
                | BinaryOp::GtEq
                | BinaryOp::IsDistinctFrom
                | BinaryOp::IsNotDistinctFrom
        )
    }

    /// The comparison that holds when the operands are swapped (`a < b` iff `b > a`).
    pub fn swap(self) -> Option<BinaryOp> {
        Some(match self {
            BinaryOp::Eq => BinaryOp::Eq,
            BinaryOp::NotEq => BinaryOp::NotEq,
            BinaryOp::Lt => BinaryOp::Gt,
            BinaryOp::LtEq => BinaryOp::GtEq,
            BinaryOp::Gt => BinaryOp::Lt,
            BinaryOp::GtEq => BinaryOp::LtEq,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Plus => "+",
            BinaryOp::Minus => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::IntegerDivide => "//",
            BinaryOp::Modulo => "%",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
            BinaryOp::IsDistinctFrom => "IS DISTINCT FROM",
            BinaryOp::IsNotDistinctFrom => "IS NOT DISTINCT FROM",
            BinaryOp::StringConcat => "||",
        }
    }
}

/// `left op right`, with the result type decided by the binder.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryExpr {
    pub left: Box<Expr>,
    pub op: BinaryOp,
    pub right: Box<Expr>,
    pub data_type: DataType,
}

/// `expr [NOT] LIKE pattern`, or ILIKE when `case_insensitive`.
#[derive(Debug, Clone, PartialEq)]
pub struct LikeExpr {
    pub negated: bool,
    pub case_insensitive: bool,
    pub expr: Box<Expr>,
    pub pattern: Box<Expr>,
}

/// `expr [NOT] IN (list)`; all items already share the type of `expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct InListExpr {
    pub expr: Box<Expr>,
    pub list: Vec<Expr>,
    pub negated: bool,
}

/// A searched CASE: `CASE WHEN c THEN r ... ELSE e END`. The simple form
/// `CASE x WHEN v` is bound into this one.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseExpr {
    pub when_then: Vec<(Expr, Expr)>,
    pub else_expr: Option<Box<Expr>>,
    pub data_type: DataType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CastExpr {
    pub expr: Box<Expr>,
    pub data_type: DataType,
}

/// A call of a scalar function known to `execution::functions::scalar`.
/// Arguments are already cast to the types the function resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarFunctionExpr {
    pub name: String,
    pub args: Vec<Expr>,
    pub data_type: DataType,
}

/// A bound expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Column(ColumnRef),
    Literal(ScalarValue),
    /// A placeholder (`$1`, `?`, `$name`) whose value is bound when a
    /// prepared statement executes; see `logical/parameter.rs`.
    Parameter(Parameter),
    Binary(BinaryExpr),
    Not(Box<Expr>),
    Negative(Box<Expr>),
    IsNull(Box<Expr>),
    IsNotNull(Box<Expr>),
    Like(LikeExpr),
    InList(InListExpr),
    Case(CaseExpr),
    Cast(CastExpr),
    ScalarFunction(ScalarFunctionExpr),
}

impl Expr {
    pub fn data_type(&self) -> DataType {
        match self {
            Expr::Column(column) => column.data_type.clone(),
            Expr::Literal(value) => value.data_type().clone(),
            Expr::Parameter(parameter) => parameter.data_type.clone(),
            Expr::Binary(binary) => binary.data_type.clone(),
            Expr::Not(_)
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::Like(_)
            | Expr::InList(_) => DataType::Boolean,
            Expr::Negative(expr) => expr.data_type(),
            Expr::Case(case) => case.data_type.clone(),
            Expr::Cast(cast) => cast.data_type.clone(),
            Expr::ScalarFunction(function) => function.data_type.clone(),
        }
    }

    /// Whether the expression may produce NULL (conservative: true when unsure).
    pub fn nullable(&self) -> bool {
        match self {
            Expr::Column(column) => column.nullable,
            Expr::Literal(value) => value.is_null(),
            Expr::IsNull(_) | Expr::IsNotNull(_) => false,
            Expr::Binary(binary) => match binary.op {
                BinaryOp::IsDistinctFrom | BinaryOp::IsNotDistinctFrom => false,
                BinaryOp::Divide | BinaryOp::IntegerDivide | BinaryOp::Modulo => true,
                _ => binary.left.nullable() || binary.right.nullable(),
            },
            Expr::Not(expr) | Expr::Negative(expr) => expr.nullable(),
            Expr::Cast(cast) => cast.expr.nullable(),
            _ => true,
        }
    }

    pub fn binary(left: Expr, op: BinaryOp, right: Expr, data_type: DataType) -> Expr {
        Expr::Binary(BinaryExpr {
            left: Box::new(left),
            op,
            right: Box::new(right),
            data_type,
        })
    }

    /// `self AND other`.
    pub fn and(self, other: Expr) -> Expr {
        Expr::binary(self, BinaryOp::And, other, DataType::Boolean)
    }

    /// This expression as `data_type`: itself when it has that type, a
    /// parameter of still unknown type given that type (its type is inferred
    /// from where it is used), otherwise a `Cast`.
    pub fn cast_to(self, data_type: &DataType) -> Expr {
        if &self.data_type() == data_type {
            return self;
        }
        if let Expr::Parameter(parameter) = &self {
            if parameter.data_type == DataType::Null {
                return Expr::Parameter(Parameter {
                    name: parameter.name.clone(),
                    data_type: data_type.clone(),
                });
            }
        }
        Expr::Cast(CastExpr {
            expr: Box::new(self),
            data_type: data_type.clone(),
        })
    }

    /// The direct children of this expression.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column(_) | Expr::Literal(_) | Expr::Parameter(_) => vec![],
            Expr::Binary(binary) => vec![&binary.left, &binary.right],
            Expr::Not(expr) | Expr::Negative(expr) | Expr::IsNull(expr) | Expr::IsNotNull(expr) => {
                vec![expr]
            }
            Expr::Like(like) => vec![&like.expr, &like.pattern],
            Expr::InList(in_list) => {
                let mut children = vec![in_list.expr.as_ref()];
                children.extend(in_list.list.iter());
                children
            }
            Expr::Case(case) => {
                let mut children = vec![];
                for (when, then) in &case.when_then {
                    children.push(when);
                    children.push(then);
                }
                if let Some(else_expr) = &case.else_expr {
                    children.push(else_expr);
                }
                children
            }
            Expr::Cast(cast) => vec![&cast.expr],
            Expr::ScalarFunction(function) => function.args.iter().collect(),
        }
    }

    /// Adds the ids of every column this expression reads to `out`.
    pub fn collect_columns(&self, out: &mut HashSet<ColumnId>) {
        if let Expr::Column(column) = self {
            out.insert(column.id);
        }
        for child in self.children() {
            child.collect_columns(out);
        }
    }

    /// Whether a parameter occurs in this expression (its value is not known
    /// until execution, so it is not a constant).
    pub fn has_parameters(&self) -> bool {
        self.any(&|e| matches!(e, Expr::Parameter(_)))
    }

    pub fn column_ids(&self) -> HashSet<ColumnId> {
        let mut out = HashSet::new();
        self.collect_columns(&mut out);
        out
    }

    /// Splits `a AND b AND c` into its conjuncts.
    pub fn split_conjunction(self) -> Vec<Expr> {
        match self {
            Expr::Binary(BinaryExpr {
                left,
                op: BinaryOp::And,
                right,
                ..
            }) => {
                let mut out = left.split_conjunction();
                out.extend(right.split_conjunction());
                out
            }
            other => vec![other],
        }
    }

    /// Joins conjuncts back with AND; `None` for an empty list.
    pub fn conjunction(exprs: impl IntoIterator<Item = Expr>) -> Option<Expr> {
        exprs.into_iter().reduce(Expr::and)
    }
}

/// One ORDER BY key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub ascending: bool,
    pub nulls_first: bool,
}

impl fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}
