//! Column identity: every column a plan produces carries a unique [`ColumnId`]
//! (Catalyst's ExprId, shown as `name#id`), its name and its type.

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::fmt;
use std::sync::Arc;

/// Unique identifier of a column within one query.
pub type ColumnId = usize;

/// A resolved column: id, user-facing name, type and nullability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnRef {
    pub id: ColumnId,
    pub name: String,
    pub data_type: DataType,
    pub nullable: bool,
}

impl ColumnRef {
    pub fn new(id: ColumnId, name: impl Into<String>, data_type: DataType, nullable: bool) -> Self {
        Self {
            id,
            name: name.into(),
            data_type,
            nullable,
        }
    }

    /// The Arrow field this column becomes in a result schema.
    pub fn to_field(&self) -> Field {
        Field::new(&self.name, self.data_type.clone(), self.nullable)
    }
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.name, self.id)
    }
}

/// The Arrow schema of a list of output columns.
pub fn to_arrow_schema(columns: &[ColumnRef]) -> SchemaRef {
    Arc::new(Schema::new(
        columns.iter().map(ColumnRef::to_field).collect::<Vec<_>>(),
    ))
}
