//! WINDOW clauses: `WINDOW w AS (..)` definitions, `OVER w` and
//! `OVER (w ORDER BY ..)` resolved to full window specs.

use super::Binder;
use crate::error::{QuarryError, Result};
use sqlparser::ast;

impl Binder<'_> {
    /// The WINDOW clause's definitions, each resolved to a full spec.
    pub(super) fn named_windows(
        &self,
        select: &ast::Select,
    ) -> Result<std::collections::HashMap<String, ast::WindowSpec>> {
        let mut windows = std::collections::HashMap::new();
        for ast::NamedWindowDefinition(name, expr) in &select.named_window {
            let spec = match expr {
                ast::NamedWindowExpr::WindowSpec(spec) => {
                    self.resolve_window_spec(spec, Some(&windows))?
                }
                ast::NamedWindowExpr::NamedWindow(other) => windows
                    .get(&other.value.to_lowercase())
                    .cloned()
                    .ok_or_else(|| unknown_window(&other.value))?,
            };
            windows.insert(name.value.to_lowercase(), spec);
        }
        Ok(windows)
    }

    /// `OVER (w ORDER BY ..)`: the spec with the named window `w` it builds
    /// on filled in (its PARTITION BY, its ORDER BY unless given, the frame
    /// unless given).
    pub(super) fn resolve_window_spec(
        &self,
        spec: &ast::WindowSpec,
        local: Option<&std::collections::HashMap<String, ast::WindowSpec>>,
    ) -> Result<ast::WindowSpec> {
        let Some(base_name) = &spec.window_name else {
            return Ok(spec.clone());
        };
        let key = base_name.value.to_lowercase();
        let base = local
            .and_then(|l| l.get(&key))
            .or_else(|| self.named_windows.last().and_then(|w| w.get(&key)))
            .cloned()
            .ok_or_else(|| unknown_window(&base_name.value))?;
        if !spec.partition_by.is_empty() {
            return Err(QuarryError::Plan(
                "Binder Error: a window that builds on a named window cannot have its own PARTITION BY".into(),
            ));
        }
        if !spec.order_by.is_empty() && !base.order_by.is_empty() {
            return Err(QuarryError::Plan(
                "Binder Error: cannot override the ORDER BY of a named window".into(),
            ));
        }
        Ok(ast::WindowSpec {
            window_name: None,
            partition_by: base.partition_by.clone(),
            order_by: if spec.order_by.is_empty() {
                base.order_by.clone()
            } else {
                spec.order_by.clone()
            },
            window_frame: spec.window_frame.clone().or(base.window_frame.clone()),
        })
    }

    /// The spec an OVER clause names or writes.
    pub(super) fn window_spec_of(&self, over: &ast::WindowType) -> Result<ast::WindowSpec> {
        match over {
            ast::WindowType::WindowSpec(spec) => self.resolve_window_spec(spec, None),
            ast::WindowType::NamedWindow(name) => self
                .named_windows
                .last()
                .and_then(|w| w.get(&name.value.to_lowercase()))
                .cloned()
                .ok_or_else(|| unknown_window(&name.value)),
        }
    }
}

fn unknown_window(name: &str) -> QuarryError {
    QuarryError::Plan(format!("Binder Error: window \"{name}\" does not exist"))
}
