//! Placeholders: `$1`, `?` (numbered by the parser, so `?` is `$1`, `$2`,
//! ... in the order written) and `$name` bind to `Expr::Parameter`.
//!
//! A parameter's type is the one declared by `PREPARE q(INTEGER) AS ..` or
//! hinted by the statement (the target column of `INSERT .. VALUES ($1)`);
//! otherwise it is `Null`, and the first coercion applied to it gives it a
//! type instead of a cast (`Expr::cast_to`): compared with a column it takes
//! the column's type, in arithmetic the other operand's, in LIMIT BIGINT.

use super::Binder;
use crate::error::{QuarryError, Result};
use crate::logical::parameter::is_positional_name;
use crate::logical::{Expr, Parameter};
use arrow::datatypes::DataType;
use std::collections::HashMap;

impl Binder<'_> {
    /// Types parameters by name before binding (declared or hinted).
    pub fn with_parameter_types(mut self, types: HashMap<String, DataType>) -> Self {
        self.parameter_types = types;
        self
    }

    /// The names of the parameters bound so far, in the order first seen.
    pub fn parameters(&self) -> &[String] {
        &self.parameters
    }

    pub(super) fn bind_placeholder(&mut self, text: &str) -> Result<Expr> {
        let name = parameter_name(text)?;
        let positional = is_positional_name(&name);
        if let Some(other) = self
            .parameters
            .iter()
            .find(|p| is_positional_name(p) != positional)
        {
            return Err(QuarryError::Plan(format!(
                "Binder Error: positional and named parameters cannot be mixed in one statement (${other} and ${name})"
            )));
        }
        if !self.parameters.contains(&name) {
            self.parameters.push(name.clone());
        }
        let data_type = self
            .parameter_types
            .get(&name)
            .cloned()
            .unwrap_or(DataType::Null);
        Ok(Expr::Parameter(Parameter { name, data_type }))
    }
}

/// The highest `$n` (PostgreSQL's limit too): a statement has `n` parameters.
const MAX_POSITIONAL: u32 = 65535;

/// `$1` -> `1`, `$01` -> `1`, `$name` -> `name`.
pub fn parameter_name(text: &str) -> Result<String> {
    let invalid = || QuarryError::Plan(format!("Parser Error: invalid parameter \"{text}\""));
    let name = text
        .strip_prefix('$')
        .or_else(|| text.strip_prefix('?'))
        .filter(|name| !name.is_empty())
        .ok_or_else(invalid)?;
    if is_positional_name(name) {
        let number: u32 = name.parse().map_err(|_| invalid())?;
        if !(1..=MAX_POSITIONAL).contains(&number) {
            return Err(QuarryError::Plan(format!(
                "Binder Error: parameter numbers go from 1 to {MAX_POSITIONAL}, got {text}"
            )));
        }
        return Ok(number.to_string());
    }
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(invalid());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use crate::logical::parameter::parameters_of;
    use crate::optimizer::rules::test_plans::bind;
    use arrow::datatypes::DataType;

    /// The type of each parameter occurrence, in plan order.
    fn types(sql: &str) -> Vec<(String, DataType)> {
        parameters_of(&bind(sql))
            .into_iter()
            .map(|p| (p.to_string(), p.data_type))
            .collect()
    }

    #[test]
    fn parameter_takes_the_type_of_the_column_it_meets() {
        assert_eq!(
            types("SELECT a FROM t1 WHERE c = $1 AND b + $2 > 0"),
            vec![
                ("$1".into(), DataType::Utf8),
                ("$2".into(), DataType::Int32)
            ]
        );
    }

    #[test]
    fn parameter_beside_a_constant_or_alone_stays_unknown() {
        assert_eq!(
            types("SELECT $1 * 2, $2"),
            vec![("$1".into(), DataType::Null), ("$2".into(), DataType::Null)]
        );
    }

    #[test]
    fn limit_parameter_is_bigint_and_question_marks_count_up() {
        assert_eq!(
            types("SELECT a FROM t1 WHERE a IN (?, ?) LIMIT ?"),
            vec![
                ("$3".into(), DataType::Int64),
                ("$1".into(), DataType::Int32),
                ("$2".into(), DataType::Int32),
            ]
        );
    }
}
