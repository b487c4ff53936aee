//! The select list after `*` expansion: `*` and `t.*` with DuckDB's
//! EXCLUDE / EXCEPT, REPLACE and RENAME options.

use super::scope::Scope;
use super::select::SelectEntry;
use crate::error::{QuarryError, Result};
use crate::logical::ColumnRef;
use sqlparser::ast::{self, SelectItem};

pub(super) fn expand_select_list(items: &[SelectItem], scope: &Scope) -> Result<Vec<SelectEntry>> {
    let mut entries = vec![];
    // DuckDB's `FROM t` without SELECT is `SELECT * FROM t`.
    if items.is_empty() {
        entries.extend(
            scope
                .expand_wildcard(None)?
                .into_iter()
                .map(SelectEntry::Column),
        );
    }
    for item in items {
        match item {
            SelectItem::UnnamedExpr(expr) => entries.push(SelectEntry::Expr {
                ast: expr.clone(),
                alias: None,
            }),
            SelectItem::ExprWithAlias { expr, alias } => entries.push(SelectEntry::Expr {
                ast: expr.clone(),
                alias: Some(alias.value.clone()),
            }),
            SelectItem::Wildcard(options) => entries.extend(apply_wildcard_options(
                scope.expand_wildcard(None)?,
                options,
            )?),
            SelectItem::QualifiedWildcard(kind, options) => {
                let relation = match kind {
                    ast::SelectItemQualifiedWildcardKind::ObjectName(name) => name
                        .0
                        .last()
                        .and_then(|p| p.as_ident())
                        .map(|i| i.value.clone())
                        .unwrap_or_default(),
                    ast::SelectItemQualifiedWildcardKind::Expr(expr) => expr.to_string(),
                };
                entries.extend(apply_wildcard_options(
                    scope.expand_wildcard(Some(&relation))?,
                    options,
                )?);
            }
            other => return Err(QuarryError::NotImplemented(format!("select item {other}"))),
        }
    }
    Ok(entries)
}

/// `* EXCLUDE (a, b)` (or EXCEPT), `* REPLACE (e AS a)` and
/// `* RENAME (a AS x)` applied to the columns a star expands to.
fn apply_wildcard_options(
    columns: Vec<ColumnRef>,
    options: &ast::WildcardAdditionalOptions,
) -> Result<Vec<SelectEntry>> {
    if let Some(ilike) = &options.opt_ilike {
        return Err(QuarryError::NotImplemented(format!("* {ilike}")));
    }
    let mut excluded: Vec<String> = vec![];
    match &options.opt_exclude {
        Some(ast::ExcludeSelectItem::Single(name)) => excluded.push(last_name(name)),
        Some(ast::ExcludeSelectItem::Multiple(names)) => {
            excluded.extend(names.iter().map(last_name))
        }
        None => {}
    }
    if let Some(except) = &options.opt_except {
        excluded.push(except.first_element.value.clone());
        excluded.extend(except.additional_elements.iter().map(|i| i.value.clone()));
    }
    let renames: Vec<(String, String)> = match &options.opt_rename {
        Some(ast::RenameSelectItem::Single(item)) => {
            vec![(item.ident.value.clone(), item.alias.value.clone())]
        }
        Some(ast::RenameSelectItem::Multiple(items)) => items
            .iter()
            .map(|item| (item.ident.value.clone(), item.alias.value.clone()))
            .collect(),
        None => vec![],
    };
    let replaces: Vec<(String, ast::Expr)> = match &options.opt_replace {
        Some(replace) => replace
            .items
            .iter()
            .map(|item| (item.column_name.value.clone(), item.expr.clone()))
            .collect(),
        None => vec![],
    };
    let named = |name: &str, column: &ColumnRef| column.name.eq_ignore_ascii_case(name);
    for name in excluded
        .iter()
        .chain(renames.iter().map(|(n, _)| n))
        .chain(replaces.iter().map(|(n, _)| n))
    {
        if !columns.iter().any(|c| named(name, c)) {
            return Err(QuarryError::Plan(format!(
                "Binder Error: Column \"{name}\" in EXCLUDE, REPLACE or RENAME list not found in FROM clause"
            )));
        }
    }
    let mut entries = vec![];
    for column in columns {
        if excluded.iter().any(|n| named(n, &column)) {
            continue;
        }
        if let Some((name, expr)) = replaces.iter().find(|(n, _)| named(n, &column)) {
            entries.push(SelectEntry::Expr {
                ast: expr.clone(),
                alias: Some(name.clone()),
            });
        } else if let Some((_, alias)) = renames.iter().find(|(n, _)| named(n, &column)) {
            entries.push(SelectEntry::Expr {
                ast: ast::Expr::Identifier(ast::Ident::with_quote('"', column.name.clone())),
                alias: Some(alias.clone()),
            });
        } else {
            entries.push(SelectEntry::Column(column));
        }
    }
    Ok(entries)
}

fn last_name(name: &ast::ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_default()
}
