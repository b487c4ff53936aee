//! Join and group keys packed into one `u64`, for keys of integer columns: a
//! single column of at most 64 bits, or two of at most 32 bits. Hashing and
//! comparing a packed key is an integer operation, where Arrow's row format
//! would encode, hash and `memcmp` bytes for every row. NULL slots pack to
//! whatever value the array holds there: callers mask NULL rows themselves.

use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Int16Type, Int32Type, Int64Type, Int8Type,
    UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use std::sync::Arc;

/// How the key columns of one side map into a `u64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPacking {
    /// One integer column: its value, sign-extended.
    Single(DataType),
    /// Two integer columns of at most 32 bits: `first << 32 | second`.
    Pair(DataType, DataType),
}

/// Bits of an integer type that packs, or `None`.
fn integer_bits(data_type: &DataType) -> Option<u32> {
    match data_type {
        DataType::Int8 | DataType::UInt8 => Some(8),
        DataType::Int16 | DataType::UInt16 => Some(16),
        DataType::Int32 | DataType::UInt32 | DataType::Date32 => Some(32),
        DataType::Int64 | DataType::UInt64 => Some(64),
        _ => None,
    }
}

impl KeyPacking {
    /// The packing for key columns of `types`, if they pack.
    pub fn for_types(types: &[DataType]) -> Option<Self> {
        match types {
            [single] => integer_bits(single).map(|_| Self::Single(single.clone())),
            [first, second] if integer_bits(first)? <= 32 && integer_bits(second)? <= 32 => {
                Some(Self::Pair(first.clone(), second.clone()))
            }
            _ => None,
        }
    }

    /// The packing both sides of a join share, when their key types are the
    /// same and pack (different widths would pack equal values differently).
    pub fn for_join(build: &[DataType], probe: &[DataType]) -> Option<Self> {
        (build == probe).then(|| Self::for_types(build)).flatten()
    }

    /// Packs every row of `keys` into `out` (cleared first).
    pub fn pack(&self, keys: &[ArrayRef], out: &mut Vec<u64>) -> Result<()> {
        out.clear();
        match (self, keys) {
            (Self::Single(_), [key]) => extend_with(key, out, |v| v as u64),
            (Self::Pair(..), [first, second]) => {
                extend_with(first, out, |v| (v as u32 as u64) << 32)?;
                let mut low = Vec::with_capacity(second.len());
                extend_with(second, &mut low, |v| v as u32 as u64)?;
                for (packed, low) in out.iter_mut().zip(low) {
                    *packed |= low;
                }
                Ok(())
            }
            _ => Err(QuarryError::Internal(format!(
                "{} key columns for packing {self:?}",
                keys.len()
            ))),
        }
    }

    /// The key column of a `Single` packing from packed values (`nulls` marks
    /// the NULL key), in the original type.
    pub fn unpack_single(
        &self,
        values: Vec<u64>,
        nulls: Option<arrow::buffer::NullBuffer>,
    ) -> Result<ArrayRef> {
        let Self::Single(data_type) = self else {
            return Err(QuarryError::Internal(
                "only single-column packed keys unpack".into(),
            ));
        };
        let values: Vec<i64> = values.into_iter().map(|v| v as i64).collect();
        let array: ArrayRef = Arc::new(arrow::array::Int64Array::new(values.into(), nulls));
        // Every value came from a column of `data_type`, so the cast is exact.
        Ok(arrow::compute::cast(&array, data_type)?)
    }
}

/// Appends `map(value as i64)` of every slot of the integer array `array`.
fn extend_with(array: &ArrayRef, out: &mut Vec<u64>, map: impl Fn(i64) -> u64) -> Result<()> {
    fn values<T: ArrowPrimitiveType>(array: &ArrayRef) -> &PrimitiveArray<T> {
        array.as_primitive::<T>()
    }
    out.reserve(array.len());
    macro_rules! extend {
        ($t:ty) => {
            out.extend(values::<$t>(array).values().iter().map(|&v| map(v as i64)))
        };
    }
    match array.data_type() {
        DataType::Int8 => extend!(Int8Type),
        DataType::Int16 => extend!(Int16Type),
        DataType::Int32 => extend!(Int32Type),
        DataType::Date32 => extend!(Date32Type),
        DataType::Int64 => extend!(Int64Type),
        DataType::UInt8 => extend!(UInt8Type),
        DataType::UInt16 => extend!(UInt16Type),
        DataType::UInt32 => extend!(UInt32Type),
        DataType::UInt64 => extend!(UInt64Type),
        other => {
            return Err(QuarryError::Internal(format!(
                "{other} keys do not pack into integers"
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int32Array, Int64Array, UInt8Array};

    #[test]
    fn only_integer_keys_of_at_most_64_bits_pack() {
        assert!(KeyPacking::for_types(&[DataType::Int64]).is_some());
        assert!(KeyPacking::for_types(&[DataType::Int32, DataType::Date32]).is_some());
        assert!(KeyPacking::for_types(&[DataType::Int64, DataType::Int32]).is_none());
        assert!(KeyPacking::for_types(&[DataType::Utf8View]).is_none());
        assert!(KeyPacking::for_types(&[DataType::Float64]).is_none());
        assert!(KeyPacking::for_join(&[DataType::Int64], &[DataType::Int32]).is_none());
    }

    #[test]
    fn pairs_pack_distinct_values_distinctly() {
        let packing = KeyPacking::for_types(&[DataType::Int32, DataType::Int32]).unwrap();
        let first: ArrayRef = Arc::new(Int32Array::from(vec![1, 0, -1, 0]));
        let second: ArrayRef = Arc::new(Int32Array::from(vec![0, 1, 0, -1]));
        let mut packed = vec![];
        packing.pack(&[first, second], &mut packed).unwrap();
        let mut unique = packed.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{packed:?}");
    }

    #[test]
    fn single_keys_round_trip_with_their_type_and_nulls() {
        let packing = KeyPacking::for_types(&[DataType::UInt8]).unwrap();
        let key: ArrayRef = Arc::new(UInt8Array::from(vec![Some(7), None, Some(255)]));
        let mut packed = vec![];
        packing
            .pack(std::slice::from_ref(&key), &mut packed)
            .unwrap();
        let nulls = key.nulls().cloned();
        let back = packing.unpack_single(packed, nulls).unwrap();
        assert_eq!(back.as_ref(), key.as_ref());
        let negative: ArrayRef = Arc::new(Int64Array::from(vec![-5, i64::MAX]));
        let packing = KeyPacking::for_types(&[DataType::Int64]).unwrap();
        let mut packed = vec![];
        packing
            .pack(std::slice::from_ref(&negative), &mut packed)
            .unwrap();
        assert_eq!(
            packing.unpack_single(packed, None).unwrap().as_ref(),
            negative.as_ref()
        );
    }
}
