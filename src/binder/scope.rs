//! Name resolution: the columns visible at a point of a query, each with the
//! relation (table or alias) it came from. Unknown names get a suggestion.

use crate::error::{QuarryError, Result};
use crate::logical::ColumnRef;

/// A column visible in a scope.
#[derive(Debug, Clone)]
pub struct ScopeColumn {
    pub relation: Option<String>,
    pub column: ColumnRef,
    /// The right-hand copy of a USING/NATURAL join column: reachable only
    /// when qualified, and left out of `*`.
    pub hidden: bool,
}

/// The columns a FROM clause (or a subquery's output) makes visible.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub columns: Vec<ScopeColumn>,
}

impl Scope {
    /// A scope of `columns`, all from `relation`.
    pub fn from_columns(relation: Option<&str>, columns: &[ColumnRef]) -> Self {
        Self {
            columns: columns
                .iter()
                .map(|column| ScopeColumn {
                    relation: relation.map(str::to_lowercase),
                    column: column.clone(),
                    hidden: false,
                })
                .collect(),
        }
    }

    /// Finds `name` (optionally `relation.name`), case-insensitively.
    pub fn resolve(&self, relation: Option<&str>, name: &str) -> Result<ColumnRef> {
        let matches: Vec<&ScopeColumn> = self
            .columns
            .iter()
            .filter(|c| {
                c.column.name.eq_ignore_ascii_case(name)
                    && !(c.hidden && relation.is_none())
                    && relation.is_none_or(|r| {
                        c.relation
                            .as_deref()
                            .is_some_and(|own| own.eq_ignore_ascii_case(r))
                    })
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.column.clone()),
            [] => Err(self.not_found(relation, name)),
            [first, ..] if matches.iter().all(|m| m.column.id == first.column.id) => {
                Ok(first.column.clone())
            }
            _ => Err(QuarryError::Plan(format!(
                "Binder Error: Ambiguous reference to column name \"{name}\" (use: {})",
                matches
                    .iter()
                    .map(|m| format!(
                        "\"{}.{}\"",
                        m.relation.as_deref().unwrap_or("?"),
                        m.column.name
                    ))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ))),
        }
    }

    fn not_found(&self, relation: Option<&str>, name: &str) -> QuarryError {
        let full = match relation {
            Some(r) => format!("{r}.{name}"),
            None => name.to_string(),
        };
        let candidates = self.columns.iter().map(|c| match (&c.relation, relation) {
            (Some(own), Some(_)) => format!("{own}.{}", c.column.name),
            _ => c.column.name.clone(),
        });
        let message =
            format!("Binder Error: Referenced column \"{full}\" not found in FROM clause!");
        QuarryError::Plan(match closest(&full, candidates) {
            Some(suggestion) => format!("{message} Did you mean \"{suggestion}\"?"),
            None => message,
        })
    }

    /// All columns, or those of `relation`, in order (for `*` and `t.*`).
    pub fn expand_wildcard(&self, relation: Option<&str>) -> Result<Vec<ColumnRef>> {
        let columns: Vec<ColumnRef> = self
            .columns
            .iter()
            .filter(|c| {
                !(c.hidden && relation.is_none())
                    && relation.is_none_or(|r| {
                        c.relation
                            .as_deref()
                            .is_some_and(|own| own.eq_ignore_ascii_case(r))
                    })
            })
            .map(|c| c.column.clone())
            .collect();
        if columns.is_empty() {
            if let Some(r) = relation {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: Referenced table \"{r}\" not found!"
                )));
            }
            return Err(QuarryError::Plan(
                "Binder Error: SELECT * with no tables specified is not valid".into(),
            ));
        }
        Ok(columns)
    }

    pub fn merge(mut self, other: Scope) -> Scope {
        self.columns.extend(other.columns);
        self
    }
}

/// The candidate closest to `target` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn closest(target: &str, candidates: impl Iterator<Item = String>) -> Option<String> {
    let target_lower = target.to_lowercase();
    candidates
        .map(|candidate| {
            (
                edit_distance(&target_lower, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(target.len()) / 2).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::DataType;

    #[test]
    fn unknown_column_suggests_the_closest_name() {
        let scope = Scope::from_columns(
            Some("lineitem"),
            &[
                ColumnRef::new(1, "l_quantity", DataType::Int32, true),
                ColumnRef::new(2, "l_tax", DataType::Int32, true),
            ],
        );
        let error = scope.resolve(None, "l_quantiy").unwrap_err().to_string();
        assert!(error.contains("\"l_quantiy\""), "{error}");
        assert!(error.contains("Did you mean \"l_quantity\""), "{error}");
    }

    #[test]
    fn nothing_is_suggested_for_a_name_unlike_any_column() {
        let scope = Scope::from_columns(None, &[ColumnRef::new(1, "a", DataType::Int32, true)]);
        let error = scope.resolve(None, "zzzzzzzz").unwrap_err().to_string();
        assert!(!error.contains("Did you mean"), "{error}");
    }
}
