//! Tree traversal for plans and expressions: `transform_up`, `transform_down`
//! and `apply`, returning [`Transformed`] so rules report whether they changed
//! anything (the optimizer's fixed point and trace depend on it).

use super::expr::{BinaryExpr, CaseExpr, CastExpr, Expr, InListExpr, LikeExpr, ScalarFunctionExpr};
use super::plan::LogicalPlan;
use crate::error::Result;
use std::sync::Arc;

/// A rewritten value and whether the rewrite changed it.
#[derive(Debug)]
pub struct Transformed<T> {
    pub data: T,
    pub transformed: bool,
}

impl<T> Transformed<T> {
    pub fn yes(data: T) -> Self {
        Self {
            data,
            transformed: true,
        }
    }

    pub fn no(data: T) -> Self {
        Self {
            data,
            transformed: false,
        }
    }

    pub fn new(data: T, transformed: bool) -> Self {
        Self { data, transformed }
    }
}

/// Plan rewrite callback.
pub type PlanRewrite<'a> =
    dyn FnMut(Arc<LogicalPlan>) -> Result<Transformed<Arc<LogicalPlan>>> + 'a;

impl LogicalPlan {
    /// Rewrites children first, then this node.
    pub fn transform_up(
        plan: Arc<LogicalPlan>,
        f: &mut PlanRewrite<'_>,
    ) -> Result<Transformed<Arc<LogicalPlan>>> {
        let children = plan.children();
        let mut changed = false;
        let mut new_children = Vec::with_capacity(children.len());
        for child in children {
            let result = LogicalPlan::transform_up(child.clone(), f)?;
            changed |= result.transformed;
            new_children.push(result.data);
        }
        let node = if changed {
            Arc::new(plan.with_new_children(new_children))
        } else {
            plan
        };
        let result = f(node)?;
        Ok(Transformed::new(result.data, changed || result.transformed))
    }

    /// Rewrites this node first, then the children of the result.
    pub fn transform_down(
        plan: Arc<LogicalPlan>,
        f: &mut PlanRewrite<'_>,
    ) -> Result<Transformed<Arc<LogicalPlan>>> {
        let result = f(plan)?;
        let node = result.data;
        let mut changed = result.transformed;
        let children = node.children();
        let mut child_changed = false;
        let mut new_children = Vec::with_capacity(children.len());
        for child in children {
            let child_result = LogicalPlan::transform_down(child.clone(), f)?;
            child_changed |= child_result.transformed;
            new_children.push(child_result.data);
        }
        changed |= child_changed;
        let node = if child_changed {
            Arc::new(node.with_new_children(new_children))
        } else {
            node
        };
        Ok(Transformed::new(node, changed))
    }

    /// Visits every node, parents before children.
    pub fn apply(&self, f: &mut dyn FnMut(&LogicalPlan) -> Result<()>) -> Result<()> {
        f(self)?;
        for child in self.children() {
            child.apply(f)?;
        }
        Ok(())
    }
}

impl Expr {
    /// Rewrites the direct children with `f`, keeping this node.
    pub fn map_children(
        self,
        f: &mut dyn FnMut(Expr) -> Result<Transformed<Expr>>,
    ) -> Result<Transformed<Expr>> {
        let mut changed = false;
        let mut apply = |expr: Expr| -> Result<Expr> {
            let result = f(expr)?;
            changed |= result.transformed;
            Ok(result.data)
        };
        let mut boxed = |expr: Box<Expr>| -> Result<Box<Expr>> { Ok(Box::new(apply(*expr)?)) };
        let expr = match self {
            Expr::Column(_) | Expr::Literal(_) | Expr::Parameter(_) => self,
            Expr::Binary(binary) => Expr::Binary(BinaryExpr {
                left: boxed(binary.left)?,
                right: boxed(binary.right)?,
                ..binary
            }),
            Expr::Not(expr) => Expr::Not(boxed(expr)?),
            Expr::Negative(expr) => Expr::Negative(boxed(expr)?),
            Expr::IsNull(expr) => Expr::IsNull(boxed(expr)?),
            Expr::IsNotNull(expr) => Expr::IsNotNull(boxed(expr)?),
            Expr::Like(like) => Expr::Like(LikeExpr {
                expr: boxed(like.expr)?,
                pattern: boxed(like.pattern)?,
                ..like
            }),
            Expr::InList(in_list) => {
                let expr = boxed(in_list.expr)?;
                let list = in_list
                    .list
                    .into_iter()
                    .map(|item| Ok(*boxed(Box::new(item))?))
                    .collect::<Result<Vec<_>>>()?;
                Expr::InList(InListExpr {
                    expr,
                    list,
                    negated: in_list.negated,
                })
            }
            Expr::Case(case) => {
                let when_then = case
                    .when_then
                    .into_iter()
                    .map(|(when, then)| Ok((*boxed(Box::new(when))?, *boxed(Box::new(then))?)))
                    .collect::<Result<Vec<_>>>()?;
                let else_expr = case.else_expr.map(&mut boxed).transpose()?;
                Expr::Case(CaseExpr {
                    when_then,
                    else_expr,
                    data_type: case.data_type,
                })
            }
            Expr::Cast(cast) => Expr::Cast(CastExpr {
                expr: boxed(cast.expr)?,
                data_type: cast.data_type,
            }),
            Expr::ScalarFunction(function) => {
                let args = function
                    .args
                    .into_iter()
                    .map(|arg| Ok(*boxed(Box::new(arg))?))
                    .collect::<Result<Vec<_>>>()?;
                Expr::ScalarFunction(ScalarFunctionExpr { args, ..function })
            }
        };
        Ok(Transformed::new(expr, changed))
    }

    /// Rewrites children first, then this node.
    pub fn transform_up(
        self,
        f: &mut dyn FnMut(Expr) -> Result<Transformed<Expr>>,
    ) -> Result<Transformed<Expr>> {
        let children = self.map_children(&mut |child| child.transform_up(f))?;
        let result = f(children.data)?;
        Ok(Transformed::new(
            result.data,
            children.transformed || result.transformed,
        ))
    }

    /// Whether any node of this expression satisfies `predicate`.
    pub fn any(&self, predicate: &dyn Fn(&Expr) -> bool) -> bool {
        predicate(self) || self.children().iter().any(|child| child.any(predicate))
    }
}
