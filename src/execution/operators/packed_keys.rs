//! Join and group keys of integer columns packed into one integer: a `u64`
//! when their widths add up to at most 64 bits, a `u128` up to 128 (TPC-H's
//! `(l_orderkey, o_orderdate, o_shippriority)` is 64 + 32 + 32). Hashing and
//! comparing a packed key is an integer operation, where Arrow's row format
//! would encode, hash and `memcmp` bytes for every row. The first column
//! takes the highest bits. NULL slots pack to whatever value the array holds
//! there: callers mask NULL rows themselves.
//!
//! A string view column packs as 64 bits when its strings are at most 7
//! bytes (Q1's `l_returnflag, l_linestatus`): the bytes and the length. A
//! longer string packs with its length (at least 8) and so never equals a
//! short one; whether a batch `fits` is the caller's to check where equal
//! long strings must meet (an aggregate moves to the row format then).

use crate::error::{QuarryError, Result};
use arrow::array::{Array, ArrayRef, AsArray, Int64Array, UInt64Array};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{
    DataType, Date32Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use std::sync::Arc;

/// An integer that holds packed keys.
pub trait PackedKey: Copy + Eq + std::hash::Hash + Default + Send + Sync + 'static {
    const BITS: u32;
    /// `self` with `value` (already masked to its width) at `shift`.
    fn with(self, value: u64, shift: u32) -> Self;
    /// The `bits` bits at `shift`.
    fn bits_at(self, shift: u32, bits: u32) -> u64;
}

impl PackedKey for u64 {
    const BITS: u32 = 64;
    fn with(self, value: u64, shift: u32) -> Self {
        self | value.checked_shl(shift).unwrap_or(0)
    }
    fn bits_at(self, shift: u32, bits: u32) -> u64 {
        (self >> shift) & mask(bits)
    }
}

impl PackedKey for u128 {
    const BITS: u32 = 128;
    fn with(self, value: u64, shift: u32) -> Self {
        self | ((value as u128) << shift)
    }
    fn bits_at(self, shift: u32, bits: u32) -> u64 {
        ((self >> shift) as u64) & mask(bits)
    }
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// How the key columns of one side map into a packed integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPacking {
    /// Each column's type and width, in key order.
    columns: Vec<(DataType, u32)>,
}

/// The longest string that packs.
const SHORT_STRING: usize = 7;

/// Bits of a type that packs, or `None`.
fn integer_bits(data_type: &DataType) -> Option<u32> {
    match data_type {
        DataType::Int8 | DataType::UInt8 => Some(8),
        DataType::Int16 | DataType::UInt16 => Some(16),
        DataType::Int32 | DataType::UInt32 | DataType::Date32 => Some(32),
        DataType::Int64 | DataType::UInt64 | DataType::Utf8View => Some(64),
        _ => None,
    }
}

/// A string view packed as its first 7 bytes and its length (capped at 255).
fn short_string(view: u128) -> u64 {
    let len = view as u32;
    // Inline views keep their bytes after the length; longer ones a prefix.
    let bytes = (view >> 32) as u64 & 0x00FF_FFFF_FFFF_FFFF;
    let bytes = if (len as usize) < SHORT_STRING {
        bytes & ((1u64 << (8 * len)) - 1)
    } else {
        bytes
    };
    (bytes << 8) | len.min(255) as u64
}

impl KeyPacking {
    /// The packing for key columns of `types`, if they are integers of at
    /// most 128 bits together.
    pub fn for_types(types: &[DataType]) -> Option<Self> {
        let columns = types
            .iter()
            .map(|t| Some((t.clone(), integer_bits(t)?)))
            .collect::<Option<Vec<_>>>()?;
        let bits: u32 = columns.iter().map(|(_, b)| b).sum();
        (!columns.is_empty() && bits <= 128).then_some(Self { columns })
    }

    /// The packing both sides of a join share, when their key types are the
    /// same and pack (different widths would pack equal values differently).
    pub fn for_join(build: &[DataType], probe: &[DataType]) -> Option<Self> {
        (build == probe).then(|| Self::for_types(build)).flatten()
    }

    /// Whether every string of `keys` is short enough to pack exactly.
    pub fn fits(&self, keys: &[ArrayRef]) -> bool {
        keys.iter().all(|key| match key.as_string_view_opt() {
            Some(strings) => strings
                .views()
                .iter()
                .all(|&view| (view as u32) as usize <= SHORT_STRING),
            None => true,
        })
    }

    /// Whether the keys need a `u128`.
    pub fn is_wide(&self) -> bool {
        self.columns.iter().map(|(_, b)| b).sum::<u32>() > 64
    }

    /// The columns' shifts, the first column's highest.
    fn shifts(&self) -> Vec<u32> {
        let mut shift = self.columns.iter().map(|(_, b)| b).sum::<u32>();
        self.columns
            .iter()
            .map(|(_, bits)| {
                shift -= bits;
                shift
            })
            .collect()
    }

    /// Packs every row of `keys` into `out` (cleared first).
    pub fn pack<K: PackedKey>(&self, keys: &[ArrayRef], out: &mut Vec<K>) -> Result<()> {
        if keys.len() != self.columns.len() {
            return Err(QuarryError::Internal(format!(
                "{} key columns for a packing of {}",
                keys.len(),
                self.columns.len()
            )));
        }
        out.clear();
        out.resize(keys.first().map_or(0, |k| k.len()), K::default());
        for ((key, (_, bits)), shift) in keys.iter().zip(&self.columns).zip(self.shifts()) {
            let mask = mask(*bits);
            macro_rules! fold {
                ($t:ty) => {
                    for (packed, &v) in out.iter_mut().zip(key.as_primitive::<$t>().values()) {
                        *packed = packed.with((v as i64 as u64) & mask, shift);
                    }
                };
            }
            match key.data_type() {
                DataType::Int8 => fold!(Int8Type),
                DataType::Int16 => fold!(Int16Type),
                DataType::Int32 => fold!(Int32Type),
                DataType::Date32 => fold!(Date32Type),
                DataType::Int64 => fold!(Int64Type),
                DataType::UInt8 => fold!(UInt8Type),
                DataType::UInt16 => fold!(UInt16Type),
                DataType::UInt32 => fold!(UInt32Type),
                DataType::UInt64 => fold!(UInt64Type),
                DataType::Utf8View => {
                    for (packed, &view) in out.iter_mut().zip(key.as_string_view().views()) {
                        *packed = packed.with(short_string(view), shift);
                    }
                }
                other => {
                    return Err(QuarryError::Internal(format!(
                        "{other} keys do not pack into integers"
                    )))
                }
            }
        }
        Ok(())
    }

    /// The key columns of packed `values`, in their types; `nulls` marks
    /// rows whose (single) key is NULL.
    pub fn unpack<K: PackedKey>(
        &self,
        values: &[K],
        nulls: Option<NullBuffer>,
    ) -> Result<Vec<ArrayRef>> {
        self.columns
            .iter()
            .zip(self.shifts())
            .map(|((data_type, bits), shift)| {
                let raw = values.iter().map(|v| v.bits_at(shift, *bits));
                if *data_type == DataType::Utf8View {
                    return unpack_strings(raw, nulls.as_ref());
                }
                let array: ArrayRef = if *data_type == DataType::UInt64 {
                    Arc::new(UInt64Array::new(raw.collect(), nulls.clone()))
                } else {
                    let signed = matches!(
                        data_type,
                        DataType::Int8
                            | DataType::Int16
                            | DataType::Int32
                            | DataType::Int64
                            | DataType::Date32
                    );
                    let unused = 64 - bits;
                    let values: Vec<i64> = raw
                        .map(|r| {
                            if signed {
                                ((r << unused) as i64) >> unused
                            } else {
                                r as i64
                            }
                        })
                        .collect();
                    Arc::new(Int64Array::new(values.into(), nulls.clone()))
                };
                // Every value came from a column of `data_type`: exact.
                Ok(arrow::compute::cast(&array, data_type)?)
            })
            .collect()
    }
}

/// Strings of packed `short_string`s (NULL where `nulls` says).
fn unpack_strings(
    packed: impl Iterator<Item = u64>,
    nulls: Option<&NullBuffer>,
) -> Result<ArrayRef> {
    let mut builder = arrow::array::StringViewBuilder::new();
    for (row, value) in packed.enumerate() {
        if nulls.is_some_and(|n| n.is_null(row)) {
            builder.append_null();
            continue;
        }
        let len = (value & 0xFF) as usize;
        let bytes = (value >> 8).to_le_bytes();
        let text = bytes.get(..len).and_then(|b| std::str::from_utf8(b).ok());
        let Some(text) = text else {
            return Err(QuarryError::Internal(
                "a packed string key is longer than 7 bytes or not UTF-8".into(),
            ));
        };
        builder.append_value(text);
    }
    Ok(Arc::new(builder.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Date32Array, Int32Array, Int64Array, UInt8Array};

    #[test]
    fn integer_keys_of_at_most_128_bits_pack() {
        assert!(KeyPacking::for_types(&[DataType::Int64]).is_some_and(|p| !p.is_wide()));
        assert!(KeyPacking::for_types(&[DataType::Int32, DataType::Date32])
            .is_some_and(|p| !p.is_wide()));
        let three = [DataType::Int64, DataType::Date32, DataType::Int32];
        assert!(KeyPacking::for_types(&three).is_some_and(|p| p.is_wide()));
        let too_wide = [DataType::Int64, DataType::Int64, DataType::Int8];
        assert!(KeyPacking::for_types(&too_wide).is_none());
        assert!(KeyPacking::for_types(&[DataType::Utf8]).is_none());
        assert!(KeyPacking::for_types(&[DataType::Float64]).is_none());
        assert!(KeyPacking::for_join(&[DataType::Int64], &[DataType::Int32]).is_none());
    }

    #[test]
    fn short_strings_round_trip_and_long_ones_never_equal_them() {
        use arrow::array::StringViewArray;
        let packing = KeyPacking::for_types(&[DataType::Utf8View, DataType::Utf8View]).unwrap();
        let a: ArrayRef = Arc::new(StringViewArray::from(vec![
            Some("A"),
            Some(""),
            None,
            Some("REG AIR"),
        ]));
        let b: ArrayRef = Arc::new(StringViewArray::from(vec![
            Some("F"),
            Some("O"),
            Some("x"),
            Some("é"),
        ]));
        assert!(packing.fits(&[a.clone(), b.clone()]));
        let mut packed: Vec<u128> = vec![];
        packing.pack(&[a.clone(), b.clone()], &mut packed).unwrap();
        let back = packing.unpack(&packed, a.nulls().cloned()).unwrap();
        assert_eq!(back[0].as_ref(), a.as_ref());
        let single = KeyPacking::for_types(&[DataType::Utf8View]).unwrap();
        let strings: ArrayRef = Arc::new(StringViewArray::from(vec![
            "ABCDEFG",
            "ABCDEFGH",
            "ABCDEFGHIJKLMNOP",
            "A",
            "A\0",
        ]));
        assert!(!single.fits(std::slice::from_ref(&strings)));
        let mut packed: Vec<u64> = vec![];
        single
            .pack(std::slice::from_ref(&strings), &mut packed)
            .unwrap();
        let mut unique = packed.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 5, "{packed:?}");
    }

    #[test]
    fn distinct_values_pack_distinctly() {
        let packing = KeyPacking::for_types(&[DataType::Int32, DataType::Int32]).unwrap();
        let first: ArrayRef = Arc::new(Int32Array::from(vec![1, 0, -1, 0]));
        let second: ArrayRef = Arc::new(Int32Array::from(vec![0, 1, 0, -1]));
        let mut packed: Vec<u64> = vec![];
        packing.pack(&[first, second], &mut packed).unwrap();
        let mut unique = packed.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{packed:?}");
    }

    #[test]
    fn keys_round_trip_with_their_types() {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![-5, i64::MAX, 0])),
            Arc::new(Date32Array::from(vec![-1, 9000, 0])),
            Arc::new(Int32Array::from(vec![i32::MIN, 7, -1])),
        ];
        let types: Vec<DataType> = columns.iter().map(|c| c.data_type().clone()).collect();
        let packing = KeyPacking::for_types(&types).unwrap();
        let mut packed: Vec<u128> = vec![];
        packing.pack(&columns, &mut packed).unwrap();
        let back = packing.unpack(&packed, None).unwrap();
        for (a, b) in back.iter().zip(&columns) {
            assert_eq!(a.as_ref(), b.as_ref());
        }
        let key: ArrayRef = Arc::new(UInt8Array::from(vec![Some(7), None, Some(255)]));
        let packing = KeyPacking::for_types(&[DataType::UInt8]).unwrap();
        let mut packed: Vec<u64> = vec![];
        packing
            .pack(std::slice::from_ref(&key), &mut packed)
            .unwrap();
        let back = packing.unpack(&packed, key.nulls().cloned()).unwrap();
        assert_eq!(back[0].as_ref(), key.as_ref());
    }
}
