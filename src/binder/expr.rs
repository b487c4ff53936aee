//! Expressions: identifiers resolved in the scope, operators typed with
//! implicit casts made explicit, special syntax (EXTRACT, SUBSTRING, POSITION,
//! TRIM, BETWEEN, CASE) lowered to plain calls and comparisons.

use super::literal::{bind_interval, bind_typed_string, bind_value};
use super::types::{arithmetic_signature, common_type, is_string, sql_type_name};
use super::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::expr::{CaseExpr, InListExpr, LikeExpr, ScalarFunctionExpr};
use crate::logical::{BinaryOp, Expr, ScalarValue};
use arrow::datatypes::DataType;
use sqlparser::ast::{self, BinaryOperator, UnaryOperator};

impl Binder<'_> {
    pub fn bind_expr(&mut self, expr: &ast::Expr, ctx: &mut ExprContext) -> Result<Expr> {
        match expr {
            ast::Expr::Identifier(ident) => self.resolve_column(ctx, None, &ident.value),
            ast::Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [relation, column] | [_, relation, column] => {
                    self.resolve_column(ctx, Some(&relation.value), &column.value)
                }
                _ => Err(QuarryError::Plan(format!(
                    "Binder Error: cannot resolve \"{expr}\""
                ))),
            },
            ast::Expr::Value(value) => match &value.value {
                ast::Value::Placeholder(text) => self.bind_placeholder(text),
                other => bind_value(other),
            },
            ast::Expr::TypedString(typed) => {
                bind_typed_string(&typed.data_type, &typed.value.value)
            }
            ast::Expr::Interval(interval) => bind_interval(interval),
            ast::Expr::Nested(inner) => self.bind_expr(inner, ctx),
            ast::Expr::BinaryOp { left, op, right } => {
                let left = self.bind_expr(left, ctx)?;
                let right = self.bind_expr(right, ctx)?;
                bind_binary(left, op, right)
            }
            ast::Expr::UnaryOp { op, expr: inner } => {
                let operand = self.bind_expr(inner, ctx)?;
                match op {
                    UnaryOperator::Not => Ok(Expr::Not(Box::new(to_boolean(operand, "NOT")?))),
                    UnaryOperator::Plus => Ok(operand),
                    UnaryOperator::Minus => match inner.as_ref() {
                        // `-2147483648` is an INTEGER, as in DuckDB.
                        ast::Expr::Value(v) => match &v.value {
                            ast::Value::Number(text, _) => {
                                super::literal::bind_number(&format!("-{text}"))
                            }
                            _ => bind_negative(operand),
                        },
                        _ => bind_negative(operand),
                    },
                    other => Err(QuarryError::NotImplemented(format!(
                        "unary operator {other}"
                    ))),
                }
            }
            ast::Expr::IsNull(inner) => Ok(Expr::IsNull(Box::new(self.bind_expr(inner, ctx)?))),
            ast::Expr::IsNotNull(inner) => {
                Ok(Expr::IsNotNull(Box::new(self.bind_expr(inner, ctx)?)))
            }
            ast::Expr::IsTrue(inner) => self.bind_is_bool(inner, true, false, ctx),
            ast::Expr::IsNotTrue(inner) => self.bind_is_bool(inner, true, true, ctx),
            ast::Expr::IsFalse(inner) => self.bind_is_bool(inner, false, false, ctx),
            ast::Expr::IsNotFalse(inner) => self.bind_is_bool(inner, false, true, ctx),
            ast::Expr::IsDistinctFrom(left, right) => {
                let left = self.bind_expr(left, ctx)?;
                let right = self.bind_expr(right, ctx)?;
                bind_comparison(left, BinaryOp::IsDistinctFrom, right)
            }
            ast::Expr::IsNotDistinctFrom(left, right) => {
                let left = self.bind_expr(left, ctx)?;
                let right = self.bind_expr(right, ctx)?;
                bind_comparison(left, BinaryOp::IsNotDistinctFrom, right)
            }
            ast::Expr::Between {
                expr: inner,
                negated,
                low,
                high,
            } => {
                let value = self.bind_expr(inner, ctx)?;
                let low = self.bind_expr(low, ctx)?;
                let high = self.bind_expr(high, ctx)?;
                if *negated {
                    let below = bind_comparison(value.clone(), BinaryOp::Lt, low)?;
                    let above = bind_comparison(value, BinaryOp::Gt, high)?;
                    Ok(Expr::binary(below, BinaryOp::Or, above, DataType::Boolean))
                } else {
                    let from = bind_comparison(value.clone(), BinaryOp::GtEq, low)?;
                    let to = bind_comparison(value, BinaryOp::LtEq, high)?;
                    Ok(from.and(to))
                }
            }
            ast::Expr::InList {
                expr: inner,
                list,
                negated,
            } => {
                let value = self.bind_expr(inner, ctx)?;
                let items = list
                    .iter()
                    .map(|item| self.bind_expr(item, ctx))
                    .collect::<Result<Vec<_>>>()?;
                bind_in_list(value, items, *negated)
            }
            ast::Expr::Like {
                negated,
                expr: inner,
                pattern,
                escape_char,
                any,
            }
            | ast::Expr::ILike {
                negated,
                expr: inner,
                pattern,
                escape_char,
                any,
            } => {
                if *any {
                    return Err(QuarryError::NotImplemented("LIKE ANY".into()));
                }
                let case_insensitive = matches!(expr, ast::Expr::ILike { .. });
                let value = self.bind_expr(inner, ctx)?;
                let mut pattern = self.bind_expr(pattern, ctx)?;
                if let Some(escape) = escape_char {
                    let escape = self.bind_expr(escape, ctx)?;
                    // A NULL escape (or pattern) makes the match NULL, as in DuckDB.
                    let is_null = |e: &Expr| matches!(e, Expr::Literal(v) if v.is_null());
                    if is_null(&escape) || is_null(&pattern) {
                        return Ok(Expr::Literal(ScalarValue::null(&DataType::Boolean)));
                    }
                    pattern = with_escape(pattern, escape)?;
                }
                bind_like(value, pattern, *negated, case_insensitive)
            }
            ast::Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let operand = operand
                    .as_ref()
                    .map(|o| self.bind_expr(o, ctx))
                    .transpose()?;
                let mut when_then = vec![];
                for condition in conditions {
                    let when = self.bind_expr(&condition.condition, ctx)?;
                    let when = match &operand {
                        Some(operand) => bind_comparison(operand.clone(), BinaryOp::Eq, when)?,
                        None => to_boolean(when, "CASE WHEN")?,
                    };
                    when_then.push((when, self.bind_expr(&condition.result, ctx)?));
                }
                let else_expr = else_result
                    .as_ref()
                    .map(|e| self.bind_expr(e, ctx))
                    .transpose()?;
                bind_case(when_then, else_expr)
            }
            ast::Expr::Cast {
                kind,
                expr: inner,
                data_type,
                ..
            } => {
                let target = super::types::arrow_type(data_type)?;
                if matches!(kind, ast::CastKind::TryCast | ast::CastKind::SafeCast) {
                    let value = self.bind_expr(inner, ctx)?;
                    let source = value.data_type();
                    if source == target {
                        return Ok(value);
                    }
                    if !arrow::compute::can_cast_types(&source, &target) {
                        return Err(QuarryError::Plan(format!(
                            "Binder Error: Unimplemented type for cast ({} -> {})",
                            sql_type_name(&source),
                            sql_type_name(&target)
                        )));
                    }
                    return Ok(Expr::ScalarFunction(ScalarFunctionExpr {
                        name: "try_cast".into(),
                        args: vec![value],
                        data_type: target,
                    }));
                }
                if !matches!(kind, ast::CastKind::Cast | ast::CastKind::DoubleColon) {
                    return Err(QuarryError::NotImplemented(format!("{kind:?}")));
                }
                // `'1998-09-02'::DATE` and `CAST('..' AS DATE)` are literals.
                if let ast::Expr::Value(value) = inner.as_ref() {
                    if matches!(value.value, ast::Value::SingleQuotedString(_)) {
                        return bind_typed_string(data_type, &value.value);
                    }
                }
                let value = self.bind_expr(inner, ctx)?;
                bind_cast(value, &target)
            }
            ast::Expr::Extract {
                field, expr: inner, ..
            } => {
                let value = self.bind_expr(inner, ctx)?;
                let part = Expr::Literal(ScalarValue::utf8(&field.to_string().to_lowercase()));
                self.call_scalar("date_part", vec![part, value])
            }
            ast::Expr::Substring {
                expr: inner,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.bind_expr(inner, ctx)?];
                let from = match substring_from {
                    Some(from) => self.bind_expr(from, ctx)?,
                    None => bind_value(&ast::Value::Number("1".into(), false))?,
                };
                args.push(from);
                if let Some(length) = substring_for {
                    args.push(self.bind_expr(length, ctx)?);
                }
                self.call_scalar("substring", args)
            }
            ast::Expr::Position { expr: needle, r#in } => {
                let haystack = self.bind_expr(r#in, ctx)?;
                let needle = self.bind_expr(needle, ctx)?;
                self.call_scalar("strpos", vec![haystack, needle])
            }
            ast::Expr::Trim {
                trim_where,
                trim_what,
                expr: inner,
                trim_characters,
            } => {
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "trim",
                };
                let mut args = vec![self.bind_expr(inner, ctx)?];
                if let Some(what) = trim_what {
                    args.push(self.bind_expr(what, ctx)?);
                } else if let Some([characters]) = trim_characters.as_deref() {
                    args.push(self.bind_expr(characters, ctx)?);
                }
                self.call_scalar(name, args)
            }
            ast::Expr::Ceil { expr: inner, field } | ast::Expr::Floor { expr: inner, field } => {
                if !matches!(
                    field,
                    ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime)
                ) {
                    return Err(QuarryError::NotImplemented(format!("{expr}")));
                }
                let name = if matches!(expr, ast::Expr::Ceil { .. }) {
                    "ceil"
                } else {
                    "floor"
                };
                let value = self.bind_expr(inner, ctx)?;
                self.call_scalar(name, vec![value])
            }
            ast::Expr::Function(function) => self.bind_function(function, ctx),
            ast::Expr::Subquery(query) => self.bind_scalar_subquery(query, ctx),
            ast::Expr::Exists { .. }
            | ast::Expr::InSubquery { .. }
            | ast::Expr::AnyOp { .. }
            | ast::Expr::AllOp { .. } => self.bind_subquery_predicate(expr, ctx),
            other => Err(QuarryError::NotImplemented(format!(
                "the expression {other} is not supported"
            ))),
        }
    }

    fn bind_is_bool(
        &mut self,
        inner: &ast::Expr,
        value: bool,
        negated: bool,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let operand = to_boolean(self.bind_expr(inner, ctx)?, "IS TRUE")?;
        let op = if negated {
            BinaryOp::IsDistinctFrom
        } else {
            BinaryOp::IsNotDistinctFrom
        };
        Ok(Expr::binary(
            operand,
            op,
            Expr::Literal(ScalarValue::boolean(value)),
            DataType::Boolean,
        ))
    }
}

/// `left op right` for any SQL binary operator.
pub fn bind_binary(left: Expr, op: &BinaryOperator, right: Expr) -> Result<Expr> {
    let op = match op {
        BinaryOperator::Plus => BinaryOp::Plus,
        BinaryOperator::Minus => BinaryOp::Minus,
        BinaryOperator::Multiply => BinaryOp::Multiply,
        BinaryOperator::Divide => BinaryOp::Divide,
        BinaryOperator::DuckIntegerDivide | BinaryOperator::MyIntegerDivide => {
            BinaryOp::IntegerDivide
        }
        BinaryOperator::Modulo => BinaryOp::Modulo,
        BinaryOperator::Eq => BinaryOp::Eq,
        BinaryOperator::NotEq => BinaryOp::NotEq,
        BinaryOperator::Lt => BinaryOp::Lt,
        BinaryOperator::LtEq => BinaryOp::LtEq,
        BinaryOperator::Gt => BinaryOp::Gt,
        BinaryOperator::GtEq => BinaryOp::GtEq,
        BinaryOperator::And => BinaryOp::And,
        BinaryOperator::Or => BinaryOp::Or,
        BinaryOperator::StringConcat => BinaryOp::StringConcat,
        other => return Err(QuarryError::NotImplemented(format!("operator {other}"))),
    };
    match op {
        BinaryOp::And | BinaryOp::Or => {
            let left = to_boolean(left, op.symbol())?;
            let right = to_boolean(right, op.symbol())?;
            Ok(Expr::binary(left, op, right, DataType::Boolean))
        }
        BinaryOp::StringConcat => {
            let left = left.cast_to(&DataType::Utf8);
            let right = right.cast_to(&DataType::Utf8);
            Ok(Expr::binary(left, op, right, DataType::Utf8))
        }
        op if op.is_comparison() => bind_comparison(left, op, right),
        op => {
            let signature = arithmetic_signature(op, &left.data_type(), &right.data_type())?;
            let (left, right) = cast_pair(left, &signature.left, right, &signature.right);
            Ok(Expr::binary(left, op, right, signature.result))
        }
    }
}

/// A constant LIKE pattern with a custom ESCAPE character, rewritten to the
/// backslash escapes the LIKE kernel understands.
fn with_escape(pattern: Expr, escape: Expr) -> Result<Expr> {
    let text = |e: &Expr| match e {
        Expr::Literal(v) => v.as_str(),
        _ => None,
    };
    let (Some(pattern_text), Some(escape_text)) = (text(&pattern), text(&escape)) else {
        return Err(QuarryError::NotImplemented(
            "LIKE ... ESCAPE with a pattern or escape that is not a constant string".into(),
        ));
    };
    let mut chars = escape_text.chars();
    let (Some(escape), None) = (chars.next(), chars.next()) else {
        return Err(QuarryError::Plan(
            "Binder Error: LIKE ESCAPE must be a single character".into(),
        ));
    };
    let mut rewritten = String::with_capacity(pattern_text.len());
    let mut input = pattern_text.chars();
    while let Some(c) = input.next() {
        if c == escape {
            match input.next() {
                Some(next @ ('%' | '_')) => {
                    rewritten.push('\\');
                    rewritten.push(next);
                }
                Some('\\') => rewritten.push_str("\\\\"),
                Some(next) => rewritten.push(next),
                None => {
                    return Err(QuarryError::Execution(
                        "Invalid Input Error: Like pattern must not end with escape character!"
                            .into(),
                    ))
                }
            }
        } else if c == '\\' {
            rewritten.push_str("\\\\");
        } else {
            rewritten.push(c);
        }
    }
    Ok(Expr::Literal(ScalarValue::utf8(&rewritten)))
}

/// A comparison with both sides cast to their common type.
pub fn bind_comparison(left: Expr, op: BinaryOp, right: Expr) -> Result<Expr> {
    let (lt, rt) = (left.data_type(), right.data_type());
    let common = common_type(&lt, &rt).ok_or_else(|| {
        QuarryError::Plan(format!(
            "Binder Error: Cannot compare values of type {} and type {}",
            sql_type_name(&lt),
            sql_type_name(&rt)
        ))
    })?;
    let common = if common == DataType::Null {
        DataType::Boolean
    } else {
        common
    };
    let (left, right) = cast_pair(left, &common, right, &common);
    Ok(Expr::binary(left, op, right, DataType::Boolean))
}

/// Both operands cast to their types, except a parameter of unknown type
/// beside a constant: it stays unknown and its value gives it a type when
/// the statement executes (`$1 * 2` of 1.25 is 2.5, as in DuckDB). Beside a
/// column, a parameter takes the column's side of the signature.
fn cast_pair(left: Expr, left_type: &DataType, right: Expr, right_type: &DataType) -> (Expr, Expr) {
    let untyped = |e: &Expr| matches!(e, Expr::Parameter(p) if p.data_type == DataType::Null);
    let keep_left = untyped(&left) && right.column_ids().is_empty();
    let keep_right = untyped(&right) && left.column_ids().is_empty();
    let left = if keep_left {
        left
    } else {
        left.cast_to(left_type)
    };
    let right = if keep_right {
        right
    } else {
        right.cast_to(right_type)
    };
    (left, right)
}

fn bind_negative(operand: Expr) -> Result<Expr> {
    let data_type = operand.data_type();
    if let Expr::Literal(value) = &operand {
        // Fold `-5` here so `-2147483648` stays an INTEGER.
        if let Some(folded) =
            crate::optimizer::evaluate_constant(&Expr::Negative(Box::new(operand.clone())))
                .ok()
                .filter(|_| !value.is_null())
        {
            return Ok(Expr::Literal(folded));
        }
    }
    if !super::types::is_numeric(&data_type)
        && !matches!(data_type, DataType::Interval(_) | DataType::Null)
    {
        return Err(QuarryError::Plan(format!(
            "Binder Error: No operator - for type {}",
            sql_type_name(&data_type)
        )));
    }
    Ok(Expr::Negative(Box::new(operand)))
}

/// Casts to BOOLEAN if needed; NULL literals become boolean NULLs.
pub fn to_boolean(expr: Expr, context: &str) -> Result<Expr> {
    match expr.data_type() {
        DataType::Boolean => Ok(expr),
        DataType::Null => Ok(expr.cast_to(&DataType::Boolean)),
        other => Err(QuarryError::Plan(format!(
            "Binder Error: {context} expects a BOOLEAN, got {}",
            sql_type_name(&other)
        ))),
    }
}

pub fn bind_cast(value: Expr, target: &DataType) -> Result<Expr> {
    let source = value.data_type();
    if !arrow::compute::can_cast_types(&source, target) {
        return Err(QuarryError::Plan(format!(
            "Binder Error: Unimplemented type for cast ({} -> {})",
            sql_type_name(&source),
            sql_type_name(target)
        )));
    }
    Ok(value.cast_to(target))
}

fn bind_in_list(value: Expr, items: Vec<Expr>, negated: bool) -> Result<Expr> {
    let mut common = value.data_type();
    for item in &items {
        common = common_type(&common, &item.data_type()).ok_or_else(|| {
            QuarryError::Plan(format!(
                "Binder Error: Cannot compare values of type {} and type {} in IN list",
                sql_type_name(&value.data_type()),
                sql_type_name(&item.data_type())
            ))
        })?;
    }
    Ok(Expr::InList(InListExpr {
        expr: Box::new(value.cast_to(&common)),
        list: items
            .into_iter()
            .map(|item| item.cast_to(&common))
            .collect(),
        negated,
    }))
}

fn bind_like(value: Expr, pattern: Expr, negated: bool, case_insensitive: bool) -> Result<Expr> {
    let value_type = value.data_type();
    let pattern_type = pattern.data_type();
    let is_text = |t: &DataType| is_string(t) || t == &DataType::Null;
    if !is_text(&value_type) || !is_text(&pattern_type) {
        return Err(QuarryError::Plan(format!(
            "Binder Error: LIKE needs VARCHAR operands, got {} and {}",
            sql_type_name(&value_type),
            sql_type_name(&pattern_type)
        )));
    }
    let target = if value_type == DataType::Utf8View {
        DataType::Utf8View
    } else {
        DataType::Utf8
    };
    Ok(Expr::Like(LikeExpr {
        negated,
        case_insensitive,
        expr: Box::new(value.cast_to(&target)),
        pattern: Box::new(pattern.cast_to(&target)),
    }))
}

fn bind_case(when_then: Vec<(Expr, Expr)>, else_expr: Option<Expr>) -> Result<Expr> {
    let mut result_type = DataType::Null;
    for result in when_then
        .iter()
        .map(|(_, then)| then)
        .chain(else_expr.iter())
    {
        let data_type = result.data_type();
        result_type = common_type(&result_type, &data_type).ok_or_else(|| {
            QuarryError::Plan(format!(
                "Binder Error: CASE results have incompatible types {} and {}",
                sql_type_name(&result_type),
                sql_type_name(&data_type)
            ))
        })?;
    }
    if result_type == DataType::Null {
        result_type = DataType::Int32;
    }
    Ok(Expr::Case(CaseExpr {
        when_then: when_then
            .into_iter()
            .map(|(when, then)| (when, then.cast_to(&result_type)))
            .collect(),
        else_expr: else_expr.map(|e| Box::new(e.cast_to(&result_type))),
        data_type: result_type,
    }))
}

/// Function calls whose types the binder decides itself (variadic, any type).
pub fn bind_generic_function(name: &str, args: Vec<Expr>) -> Result<Option<Expr>> {
    match name {
        "coalesce" | "ifnull" | "greatest" | "least" => {
            if args.is_empty() {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: {name} needs at least one argument"
                )));
            }
            let mut common = DataType::Null;
            for arg in &args {
                let arg_type = arg.data_type();
                common = common_type(&common, &arg_type).ok_or_else(|| {
                    QuarryError::Plan(format!(
                        "Binder Error: {name} arguments have incompatible types {} and {}",
                        sql_type_name(&common),
                        sql_type_name(&arg_type)
                    ))
                })?;
            }
            let name = if name == "ifnull" { "coalesce" } else { name };
            Ok(Some(Expr::ScalarFunction(ScalarFunctionExpr {
                name: name.to_string(),
                args: args.into_iter().map(|a| a.cast_to(&common)).collect(),
                data_type: common,
            })))
        }
        "nullif" => {
            let [left, right]: [Expr; 2] = args.try_into().map_err(|_| {
                QuarryError::Plan("Binder Error: nullif takes two arguments".into())
            })?;
            let equal = bind_comparison(left.clone(), BinaryOp::Eq, right)?;
            let data_type = left.data_type();
            Ok(Some(Expr::Case(CaseExpr {
                when_then: vec![(equal, Expr::Literal(ScalarValue::null(&data_type)))],
                else_expr: Some(Box::new(left)),
                data_type,
            })))
        }
        _ => Ok(None),
    }
}
