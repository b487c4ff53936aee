//! DuckDB's text for DOUBLE and FLOAT values, shared by CAST to VARCHAR and
//! the result display: shortest round-trip digits, positional for decimal
//! exponents from -4 to 15 (`0.0001`, `1000000000000000.0`), otherwise
//! scientific with a signed two-digit exponent (`1e-05`, `1.5e+16`), the
//! layout of Python's `repr`; `nan`, `inf` and `-inf` for the rest.

/// DuckDB's text for a DOUBLE.
pub fn double_text(value: f64) -> String {
    layout(
        format!("{value:e}"),
        value.is_nan(),
        value.is_infinite(),
        value < 0.0,
    )
}

/// DuckDB's text for a FLOAT: the shortest digits that read back as the
/// same 4-byte float (`0.33333334`).
pub fn float_text(value: f32) -> String {
    layout(
        format!("{value:e}"),
        value.is_nan(),
        value.is_infinite(),
        value < 0.0,
    )
}

/// The text of a float from `scientific`, Rust's shortest
/// round-trip `{:e}` text (`1.5e16`): positional for decimal exponents from
/// -4 to 15 (`0.0001`, `1000000000000000.0`), scientific with a signed
/// two-digit exponent outside them (`1e-05`, `1.5e+16`), as Python's `repr`.
fn layout(scientific: String, nan: bool, infinite: bool, negative: bool) -> String {
    if nan {
        return "nan".to_string();
    }
    if infinite {
        return if negative { "-inf" } else { "inf" }.to_string();
    }
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return scientific;
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return scientific;
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    if !(-4..16).contains(&exponent) {
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{exponent_sign}{:02}", exponent.abs());
    }
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let point = exponent + 1; // digits before the decimal point
    let text = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if digits.len() <= point as usize {
        format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{whole}.{fraction}")
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_switches_at_duckdbs_bounds() {
        assert_eq!(double_text(1e15), "1000000000000000.0");
        assert_eq!(double_text(1e16), "1e+16");
        assert_eq!(double_text(1e-4), "0.0001");
        assert_eq!(double_text(1e-5), "1e-05");
        assert_eq!(double_text(-0.0), "-0.0");
        assert_eq!(double_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(float_text(1.0 / 3.0), "0.33333334");
    }
}
