//! Rewrites expressions into cheaper equivalents of the same type and the
//! same NULL behaviour:
//!
//! - arithmetic identities: `x + 0`, `0 + x`, `x - 0`, `x * 1`, `1 * x`,
//!   `x / 1` ==> `x`, when the result has the type of `x`;
//! - CASE: `WHEN false` / `WHEN NULL` branches are dropped, a `WHEN true`
//!   ends the CASE (its THEN is the ELSE, or the result when it comes
//!   first), a CASE without branches is its ELSE (or NULL);
//! - casts: `CAST(x AS T)` ==> `x` when `x` is already `T`;
//!   `CAST(CAST(x AS T1) AS T2)` ==> `CAST(x AS T2)` when `x` is an integer
//!   and `T1` a wider integer (the inner cast loses nothing);
//! - `x LIKE 'abc'` ==> `x = 'abc'` (and NOT LIKE ==> `<>`) for a constant
//!   pattern without `%`, `_` or `\`;
//! - `NOT (a < b)` ==> `a >= b`, and likewise for every comparison;
//! - `x IS NULL` ==> `false` and `x IS NOT NULL` ==> `true` when `x` cannot
//!   be NULL.
//!
//! `Filter NOT (CAST(a#1 AS INTEGER) * 1 < 5)` ==> `Filter (a#1 >= 5)`
//!
//! Does not fire for ILIKE (case folding is not equality), for `x + 0` on
//! floating point (`-0.0 + 0` is `0.0`), nor for identities whose result
//! type differs from `x` (an INTEGER `x + 0` of type BIGINT stays: the sum
//! is the implicit cast). Constant subexpressions are `fold_constants`'s job.

use crate::error::Result;
use crate::logical::expr::{BinaryExpr, CaseExpr, CastExpr, LikeExpr};
use crate::logical::tree_node::Transformed;
use crate::logical::{BinaryOp, Expr, LogicalPlan, ScalarValue};
use crate::optimizer::rules::fold_constants::map_expressions;
use crate::optimizer::OptimizerRule;
use arrow::array::{Array, Float64Array};
use arrow::datatypes::DataType;
use std::sync::Arc;

pub struct SimplifyExpressions;

impl OptimizerRule for SimplifyExpressions {
    fn name(&self) -> &'static str {
        "simplify_expressions"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let result = LogicalPlan::transform_up(plan, &mut |node| {
            let (node, changed) = map_expressions(&node, &mut |e| simplify(e))?;
            Ok(Transformed::new(node, changed))
        })?;
        Ok((result.data, result.transformed))
    }
}

/// Simplifies one expression bottom-up.
pub fn simplify(expr: Expr) -> Result<Transformed<Expr>> {
    expr.transform_up(&mut |e| {
        Ok(match e {
            Expr::Binary(binary) => simplify_arithmetic(binary),
            Expr::Case(case) => simplify_case(case),
            Expr::Cast(cast) => simplify_cast(cast),
            Expr::Like(like) => simplify_like(like),
            Expr::Not(inner) => match *inner {
                Expr::Binary(BinaryExpr {
                    left,
                    op,
                    right,
                    data_type,
                }) if negate(op).is_some() => Transformed::yes(Expr::Binary(BinaryExpr {
                    left,
                    op: negate(op).unwrap_or(op),
                    right,
                    data_type,
                })),
                other => Transformed::no(Expr::Not(Box::new(other))),
            },
            Expr::IsNull(inner) if !inner.nullable() => {
                Transformed::yes(Expr::Literal(ScalarValue::boolean(false)))
            }
            Expr::IsNotNull(inner) if !inner.nullable() => {
                Transformed::yes(Expr::Literal(ScalarValue::boolean(true)))
            }
            e => Transformed::no(e),
        })
    })
}

/// The comparison that holds exactly when `op` is false (NULL stays NULL).
fn negate(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Eq => BinaryOp::NotEq,
        BinaryOp::NotEq => BinaryOp::Eq,
        BinaryOp::Lt => BinaryOp::GtEq,
        BinaryOp::LtEq => BinaryOp::Gt,
        BinaryOp::Gt => BinaryOp::LtEq,
        BinaryOp::GtEq => BinaryOp::Lt,
        BinaryOp::IsDistinctFrom => BinaryOp::IsNotDistinctFrom,
        BinaryOp::IsNotDistinctFrom => BinaryOp::IsDistinctFrom,
        _ => return None,
    })
}

/// The value of a non-NULL numeric literal.
fn numeric_literal(expr: &Expr) -> Option<f64> {
    let Expr::Literal(value) = expr else {
        return None;
    };
    if value.is_null() || !value.data_type().is_numeric() {
        return None;
    }
    let as_float = value.cast_to(&DataType::Float64).ok()?;
    let array = as_float
        .as_array()
        .as_any()
        .downcast_ref::<Float64Array>()?;
    array.is_valid(0).then(|| array.value(0))
}

fn simplify_arithmetic(binary: BinaryExpr) -> Transformed<Expr> {
    let is = |e: &Expr, n: f64| numeric_literal(e) == Some(n);
    let keeps_type = |e: &Expr| e.data_type() == binary.data_type;
    let floating = binary.data_type.is_floating();
    let (left, right) = (binary.left.as_ref(), binary.right.as_ref());
    let kept = match binary.op {
        BinaryOp::Plus if !floating && is(right, 0.0) && keeps_type(left) => Some(left),
        BinaryOp::Plus if !floating && is(left, 0.0) && keeps_type(right) => Some(right),
        BinaryOp::Minus if is(right, 0.0) && keeps_type(left) => Some(left),
        BinaryOp::Multiply if is(right, 1.0) && keeps_type(left) => Some(left),
        BinaryOp::Multiply if is(left, 1.0) && keeps_type(right) => Some(right),
        BinaryOp::Divide if is(right, 1.0) && keeps_type(left) => Some(left),
        _ => None,
    };
    match kept {
        Some(kept) => Transformed::yes(kept.clone()),
        None => Transformed::no(Expr::Binary(binary)),
    }
}

fn simplify_case(case: CaseExpr) -> Transformed<Expr> {
    let literal_bool = |e: &Expr| match e {
        e if is_null_literal(e) => Some(false),
        Expr::Literal(value) => value.as_bool(),
        _ => None,
    };
    if !case
        .when_then
        .iter()
        .any(|(when, _)| literal_bool(when).is_some())
    {
        return Transformed::no(Expr::Case(case));
    }
    let data_type = case.data_type.clone();
    let mut when_then = vec![];
    let mut else_expr = case.else_expr.map(|e| *e);
    for (when, then) in case.when_then {
        match literal_bool(&when) {
            Some(false) => {}
            Some(true) => {
                else_expr = Some(then);
                break;
            }
            None => when_then.push((when, then)),
        }
    }
    let else_expr = else_expr.map(|e| e.cast_to(&data_type));
    Transformed::yes(if when_then.is_empty() {
        else_expr.unwrap_or_else(|| Expr::Literal(ScalarValue::null(&data_type)))
    } else {
        Expr::Case(CaseExpr {
            when_then,
            else_expr: else_expr.map(Box::new),
            data_type,
        })
    })
}

/// `NULL`, also as the untyped literal cast to a type (`WHEN NULL` before
/// `fold_constants` ran).
fn is_null_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(value) => value.is_null() || value.data_type() == &DataType::Null,
        Expr::Cast(cast) => is_null_literal(&cast.expr),
        _ => false,
    }
}

fn is_widening(from: &DataType, to: &DataType) -> bool {
    use DataType::*;
    let width = |t: &DataType| match t {
        Int8 => Some(1),
        Int16 => Some(2),
        Int32 => Some(4),
        Int64 => Some(8),
        _ => None,
    };
    matches!((width(from), width(to)), (Some(a), Some(b)) if a <= b)
}

fn simplify_cast(cast: CastExpr) -> Transformed<Expr> {
    if cast.expr.data_type() == cast.data_type {
        return Transformed::yes(*cast.expr);
    }
    match *cast.expr {
        Expr::Cast(inner)
            if is_widening(&inner.expr.data_type(), &inner.data_type)
                && (cast.data_type.is_integer() || cast.data_type.is_floating()) =>
        {
            Transformed::yes(inner.expr.cast_to(&cast.data_type))
        }
        expr => Transformed::no(Expr::Cast(CastExpr {
            expr: Box::new(expr),
            data_type: cast.data_type,
        })),
    }
}

fn simplify_like(like: LikeExpr) -> Transformed<Expr> {
    let plain = match like.pattern.as_ref() {
        Expr::Literal(value) => value
            .as_str()
            .is_some_and(|text| !text.contains(['%', '_', '\\'])),
        _ => false,
    };
    if like.case_insensitive || !plain || like.pattern.data_type() != like.expr.data_type() {
        return Transformed::no(Expr::Like(like));
    }
    let op = if like.negated {
        BinaryOp::NotEq
    } else {
        BinaryOp::Eq
    };
    Transformed::yes(Expr::binary(
        *like.expr,
        op,
        *like.pattern,
        DataType::Boolean,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::rewrite;

    fn filter_line(sql: &str) -> String {
        rewrite(&SimplifyExpressions, sql)
            .lines()
            .find(|line| line.trim_start().starts_with("Filter"))
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    fn project_line(sql: &str) -> String {
        rewrite(&SimplifyExpressions, sql)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn arithmetic_identities_of_the_same_type_are_removed() {
        assert_eq!(
            project_line("SELECT a * 1, 1 * a, a - 0, 0 + b FROM t1"),
            "Project [a#1 AS a * 1#4, a#1 AS 1 * a#5, a#1 AS a - 0#6, b#2 AS 0 + b#7]"
        );
    }

    #[test]
    fn identity_that_changes_the_type_is_kept() {
        // INTEGER + BIGINT 0 is a BIGINT: the addition is also the cast.
        let line = project_line("SELECT a + CAST(0 AS BIGINT) FROM t1");
        assert!(
            line.contains("(CAST(a#1 AS BIGINT) + CAST(0 AS BIGINT))"),
            "{line}"
        );
    }

    #[test]
    fn case_branches_with_constant_conditions_are_resolved() {
        let line = project_line(
            "SELECT CASE WHEN false THEN 1 WHEN NULL THEN 2 WHEN a > 1 THEN 3 WHEN true THEN 4 ELSE 5 END FROM t1",
        );
        assert!(
            line.starts_with("Project [CASE WHEN (a#1 > 1) THEN 3 ELSE 4 END AS"),
            "{line}"
        );
        let line = project_line("SELECT CASE WHEN true THEN a ELSE 0 END FROM t1");
        assert!(line.starts_with("Project [a#1 AS"), "{line}");
        let line = project_line("SELECT CASE WHEN false THEN a END FROM t1");
        assert!(line.starts_with("Project [NULL AS"), "{line}");
    }

    #[test]
    fn cast_to_the_same_type_is_removed() {
        let line =
            project_line("SELECT CAST(a AS INTEGER), CAST(CAST(a AS BIGINT) AS INTEGER) FROM t1");
        assert!(
            line.starts_with("Project [a#1 AS CAST(a AS INTEGER)#4, a#1 AS"),
            "{line}"
        );
    }

    #[test]
    fn lossy_nested_cast_is_kept() {
        let line = project_line("SELECT CAST(CAST(a AS SMALLINT) AS INTEGER) FROM t1");
        assert!(
            line.contains("CAST(CAST(a#1 AS SMALLINT) AS INTEGER)"),
            "{line}"
        );
    }

    #[test]
    fn like_without_wildcards_becomes_equality() {
        assert_eq!(
            filter_line("SELECT a FROM t1 WHERE c LIKE 'abc' AND c NOT LIKE 'x'"),
            "Filter ((c#3 = 'abc') AND (c#3 != 'x'))"
        );
    }

    #[test]
    fn like_with_wildcards_or_ilike_is_kept() {
        assert_eq!(
            filter_line("SELECT a FROM t1 WHERE c LIKE 'a%' AND c ILIKE 'abc' AND c LIKE 'a\\b'"),
            "Filter ((c#3 LIKE 'a%' AND c#3 ILIKE 'abc') AND c#3 LIKE 'a\\b')"
        );
    }

    #[test]
    fn negated_comparison_is_flipped() {
        assert_eq!(
            filter_line("SELECT a FROM t1 WHERE NOT (a < b) AND NOT (a = b)"),
            "Filter ((a#1 >= b#2) AND (a#1 != b#2))"
        );
    }

    #[test]
    fn null_test_of_a_non_nullable_column_is_constant() {
        assert_eq!(
            filter_line("SELECT a FROM t2 WHERE b IS NULL OR a IS NULL"),
            "Filter (false OR a#1 IS NULL)"
        );
        assert_eq!(
            filter_line("SELECT a FROM t2 WHERE b IS NOT NULL"),
            "Filter true"
        );
    }
}
