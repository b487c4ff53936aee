//! Session options: set with `--threads`, `SET name = value`, `RESET name`,
//! and shown with `SHOW name` / `SHOW ALL`.

use crate::error::{QuarryError, Result};

/// Options that shape planning and execution.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Partitions per scan and threads in the pool.
    pub target_partitions: usize,
    /// Rows per record batch.
    pub batch_size: usize,
    /// Bytes a query may hold in buffering operators.
    pub memory_limit: usize,
    /// A join whose smaller side is estimated at most this many bytes
    /// broadcasts it; `None` (SET to -1) never broadcasts.
    pub broadcast_threshold: Option<u64>,
    /// Between the two joins that shuffle both sides, prefer sort-merge
    /// (true, Spark's default) or shuffled hash (false, the default here:
    /// on TPC-H SF 1 it is faster, Q9 0.22 s against 0.18 s).
    pub prefer_sort_merge_join: bool,
    /// DuckDB's `default_null_order`: where ORDER BY puts NULLs unless
    /// told, for ascending and descending keys.
    pub nulls_first_ascending: bool,
    pub nulls_first_descending: bool,
    /// DuckDB's `scalar_subquery_error_on_multiple_rows`: a scalar subquery
    /// of more than one row is an error (true) or yields its first row.
    pub scalar_subquery_error_on_multiple_rows: bool,
    /// Values of DuckDB options quarry accepts but that change nothing here
    /// (`COMPATIBILITY_OPTIONS`), so DuckDB scripts run unchanged.
    pub compatibility: std::collections::BTreeMap<String, String>,
}

/// DuckDB options that tune DuckDB's own execution, not results: accepted
/// and shown, with no effect in quarry. (name, DuckDB's default)
pub const COMPATIBILITY_OPTIONS: &[(&str, &str)] = &[
    ("debug_force_external", "false"),
    ("delim_join_as_cte", "false"),
    ("pivot_filter_threshold", "20"),
    ("preserve_insertion_order", "true"),
];

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            target_partitions: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            batch_size: 8192,
            memory_limit: usize::MAX,
            broadcast_threshold: Some(10 * 1024 * 1024),
            prefer_sort_merge_join: false,
            nulls_first_ascending: false,
            nulls_first_descending: false,
            scalar_subquery_error_on_multiple_rows: true,
            compatibility: Default::default(),
        }
    }
}

/// Every option, for SHOW ALL and for "did you mean" in errors.
pub const OPTION_NAMES: &[&str] = &[
    "batch_size",
    "broadcast_threshold",
    "debug_force_external",
    "default_null_order",
    "delim_join_as_cte",
    "memory_limit",
    "pivot_filter_threshold",
    "prefer_sort_merge_join",
    "preserve_insertion_order",
    "scalar_subquery_error_on_multiple_rows",
    "target_partitions",
];

impl SessionConfig {
    /// The options that change what the binder makes of a query.
    pub fn bind_options(&self) -> crate::binder::BindOptions {
        crate::binder::BindOptions {
            scalar_subquery_error_on_multiple_rows: self.scalar_subquery_error_on_multiple_rows,
            nulls_first_ascending: self.nulls_first_ascending,
            nulls_first_descending: self.nulls_first_descending,
        }
    }

    /// The value of option `name` as SHOW prints it.
    pub fn get(&self, name: &str) -> Result<String> {
        Ok(match canonical(name)?.as_str() {
            "target_partitions" => self.target_partitions.to_string(),
            "batch_size" => self.batch_size.to_string(),
            "memory_limit" => match self.memory_limit {
                usize::MAX => "-1".into(),
                n => format_bytes(n as u64),
            },
            "broadcast_threshold" => match self.broadcast_threshold {
                None => "-1".into(),
                Some(n) => format_bytes(n),
            },
            "prefer_sort_merge_join" => self.prefer_sort_merge_join.to_string(),
            "default_null_order" => match (self.nulls_first_ascending, self.nulls_first_descending)
            {
                (false, false) => "nulls_last",
                (true, true) => "nulls_first",
                (true, false) => "nulls_first_on_asc_last_on_desc",
                (false, true) => "nulls_last_on_asc_first_on_desc",
            }
            .into(),
            "scalar_subquery_error_on_multiple_rows" => {
                self.scalar_subquery_error_on_multiple_rows.to_string()
            }
            other if compatibility_default(other).is_some() => self
                .compatibility
                .get(other)
                .cloned()
                .or_else(|| compatibility_default(other).map(str::to_string))
                .unwrap_or_default(),
            other => return Err(QuarryError::Internal(format!("option {other}"))),
        })
    }

    /// Sets option `name` from its SQL text (`4`, `'50MB'`, `true`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let name = canonical(name)?;
        let value = value.trim().trim_matches('\'');
        let invalid = |expected: &str| {
            QuarryError::Plan(format!(
                "Invalid Input Error: {name} cannot be '{value}': expected {expected}"
            ))
        };
        match name.as_str() {
            "target_partitions" | "batch_size" => {
                let n: usize = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| invalid("a positive integer"))?;
                if name == "target_partitions" {
                    self.target_partitions = n;
                } else {
                    self.batch_size = n;
                }
            }
            "memory_limit" => {
                self.memory_limit = match parse_bytes(value) {
                    Some(None) => usize::MAX,
                    Some(Some(n)) => n as usize,
                    None => return Err(invalid("a size such as '4GB', or -1 for no limit")),
                }
            }
            "broadcast_threshold" => {
                self.broadcast_threshold = parse_bytes(value)
                    .ok_or_else(|| invalid("a size such as '10MB', or -1 to never broadcast"))?
            }
            "prefer_sort_merge_join" | "scalar_subquery_error_on_multiple_rows" => {
                let flag = match value.to_lowercase().as_str() {
                    "true" | "on" | "1" => true,
                    "false" | "off" | "0" => false,
                    _ => return Err(invalid("true or false")),
                };
                if name == "prefer_sort_merge_join" {
                    self.prefer_sort_merge_join = flag;
                } else {
                    self.scalar_subquery_error_on_multiple_rows = flag;
                }
            }
            "default_null_order" => {
                (self.nulls_first_ascending, self.nulls_first_descending) =
                    match value.to_lowercase().as_str() {
                        "nulls_last" | "nulls last" => (false, false),
                        "nulls_first" | "nulls first" => (true, true),
                        "nulls_first_on_asc_last_on_desc" | "sqlite" | "mysql" => (true, false),
                        "nulls_last_on_asc_first_on_desc" | "postgres" => (false, true),
                        _ => {
                            return Err(invalid(
                                "nulls_first, nulls_last, nulls_first_on_asc_last_on_desc or nulls_last_on_asc_first_on_desc",
                            ))
                        }
                    }
            }
            other if compatibility_default(other).is_some() => {
                self.compatibility
                    .insert(other.to_string(), value.to_string());
            }
            _ => {}
        }
        Ok(())
    }

    /// Puts option `name` back to its default (`--threads` is the default
    /// of target_partitions when given).
    pub fn reset(&mut self, name: &str, defaults: &SessionConfig) -> Result<()> {
        let name = canonical(name)?;
        let value = defaults.get(&name)?;
        self.set(&name, &value)
    }
}

fn compatibility_default(name: &str) -> Option<&'static str> {
    COMPATIBILITY_OPTIONS
        .iter()
        .find(|(option, _)| *option == name)
        .map(|(_, default)| *default)
}

/// The option's name in lower case, or an error naming the closest option.
fn canonical(name: &str) -> Result<String> {
    let lower = name.to_lowercase();
    if OPTION_NAMES.contains(&lower.as_str()) {
        return Ok(lower);
    }
    let closest = OPTION_NAMES
        .iter()
        .map(|o| (crate::binder::scope::edit_distance(o, &lower), *o))
        .min()
        .filter(|(distance, _)| *distance <= 3.max(lower.len() / 3));
    let hint = match closest {
        Some((_, option)) => format!("\nDid you mean \"{option}\"?"),
        None => format!("\nOptions: {}", OPTION_NAMES.join(", ")),
    };
    Err(QuarryError::Plan(format!(
        "Catalog Error: unrecognized configuration parameter \"{name}\"{hint}"
    )))
}

/// `'50MB'`, `'1.5 GiB'`, `1024` as bytes; `-1` as `Some(None)` (no limit).
fn parse_bytes(text: &str) -> Option<Option<u64>> {
    let text = text.trim();
    if text == "-1" {
        return Some(None);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor: f64 = match unit.trim().to_uppercase().as_str() {
        "" | "B" => 1.0,
        "KB" | "KIB" | "K" => 1024.0,
        "MB" | "MIB" | "M" => 1024.0 * 1024.0,
        "GB" | "GIB" | "G" => 1024.0 * 1024.0 * 1024.0,
        "TB" | "TIB" | "T" => 1024.0_f64.powi(4),
        _ => return None,
    };
    (number >= 0.0).then_some(Some((number * factor) as u64))
}

fn format_bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("TB", 1 << 40),
        ("GB", 1 << 30),
        ("MB", 1 << 20),
        ("KB", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if n >= size && n.is_multiple_of(size) {
            return format!("{}{unit}", n / size);
        }
    }
    format!("{n}B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print_back() {
        let mut config = SessionConfig::default();
        config.set("broadcast_threshold", "'50MB'").unwrap();
        assert_eq!(config.broadcast_threshold, Some(50 * 1024 * 1024));
        assert_eq!(config.get("broadcast_threshold").unwrap(), "50MB");
        config.set("BROADCAST_THRESHOLD", "-1").unwrap();
        assert_eq!(config.broadcast_threshold, None);
        assert_eq!(config.get("broadcast_threshold").unwrap(), "-1");
    }

    #[test]
    fn bad_values_and_names_are_explained() {
        let mut config = SessionConfig::default();
        let error = config
            .set("target_partitions", "0")
            .unwrap_err()
            .to_string();
        assert!(error.contains("expected a positive integer"), "{error}");
        let error = config.set("target_partition", "2").unwrap_err().to_string();
        assert!(
            error.contains("Did you mean \"target_partitions\""),
            "{error}"
        );
        let error = config
            .set("prefer_sort_merge_join", "maybe")
            .unwrap_err()
            .to_string();
        assert!(error.contains("true or false"), "{error}");
    }

    #[test]
    fn reset_restores_the_default() {
        let defaults = SessionConfig {
            target_partitions: 3,
            ..Default::default()
        };
        let mut config = defaults.clone();
        config.set("target_partitions", "8").unwrap();
        config.reset("target_partitions", &defaults).unwrap();
        assert_eq!(config.target_partitions, 3);
    }
}
