//! Text rendering of query results for the CLI and the REPL.
//!
//! Consumes an arrow [`SchemaRef`] plus the [`RecordBatch`]es of a result and
//! produces one `String` in one of four [`OutputFormat`]s: a DuckDB-style box
//! table (with row elision for long results), CSV (RFC 4180), JSON (an array of
//! objects, one per line) or a Markdown table. Single values are rendered the
//! way the DuckDB CLI prints them by [`format_value`]; column types are named
//! DuckDB-style by [`type_name`]. Every rendering ends with a newline.

use std::fmt;
use std::str::FromStr;

use arrow::array::timezone::Tz;
use arrow::array::{Array, AsArray};
use arrow::datatypes::{
    ArrowDictionaryKeyType, ArrowPrimitiveType, DataType, Date32Type, Date64Type, Decimal128Type,
    Decimal256Type, Decimal32Type, Decimal64Type, DurationMicrosecondType, DurationMillisecondType,
    DurationNanosecondType, DurationSecondType, Float16Type, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, Int8Type, IntervalDayTimeType, IntervalMonthDayNanoType, IntervalUnit,
    IntervalYearMonthType, RunEndIndexType, SchemaRef, Time32MillisecondType, Time32SecondType,
    Time64MicrosecondType, Time64NanosecondType, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

use crate::error::{QuarryError, Result};

/// How [`format_batches`] renders a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// DuckDB CLI box table (`table`, `box`, `duckbox`).
    Table,
    /// RFC 4180 CSV with a header line (`csv`).
    Csv,
    /// A JSON array of objects, one row per line (`json`).
    Json,
    /// A Markdown table (`markdown`, `md`).
    Markdown,
}

const FORMAT_NAMES: &str = "table (or box, duckbox), csv, json, markdown (or md)";

impl FromStr for OutputFormat {
    type Err = QuarryError;

    /// Parses a format name, ignoring case and surrounding whitespace.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" | "box" | "duckbox" => Ok(Self::Table),
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            "markdown" | "md" => Ok(Self::Markdown),
            _ => Err(QuarryError::Plan(format!(
                "Unknown output format '{s}': expected one of {FORMAT_NAMES}"
            ))),
        }
    }
}

impl fmt::Display for OutputFormat {
    /// Writes the canonical name, which [`FromStr`] parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Markdown => "markdown",
        })
    }
}

/// DuckDB-style lower-case name of an arrow type, e.g. `int32`, `double`,
/// `decimal(15,2)`, `varchar`, `timestamp with time zone`.
pub fn type_name(data_type: &DataType) -> String {
    use DataType::*;
    match data_type {
        Null => "null".to_string(),
        Boolean => "boolean".to_string(),
        Int8 => "int8".to_string(),
        Int16 => "int16".to_string(),
        Int32 => "int32".to_string(),
        Int64 => "int64".to_string(),
        UInt8 => "uint8".to_string(),
        UInt16 => "uint16".to_string(),
        UInt32 => "uint32".to_string(),
        UInt64 => "uint64".to_string(),
        Float32 => "float".to_string(),
        Float64 => "double".to_string(),
        Decimal32(p, s) | Decimal64(p, s) | Decimal128(p, s) | Decimal256(p, s) => {
            format!("decimal({p},{s})")
        }
        Utf8 | LargeUtf8 | Utf8View => "varchar".to_string(),
        Date32 | Date64 => "date".to_string(),
        Time32(_) | Time64(_) => "time".to_string(),
        Timestamp(_, None) => "timestamp".to_string(),
        Timestamp(_, Some(_)) => "timestamp with time zone".to_string(),
        Interval(_) => "interval".to_string(),
        Binary | LargeBinary | BinaryView | FixedSizeBinary(_) => "blob".to_string(),
        List(f) | LargeList(f) | ListView(f) | LargeListView(f) => {
            format!("{}[]", type_name(f.data_type()))
        }
        FixedSizeList(f, n) => format!("{}[{n}]", type_name(f.data_type())),
        Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{} {}", f.name(), type_name(f.data_type())))
                .collect();
            format!("struct({})", inner.join(", "))
        }
        Map(entries, _) => match entries.data_type() {
            Struct(kv) if kv.len() == 2 => format!(
                "map({}, {})",
                type_name(kv[0].data_type()),
                type_name(kv[1].data_type())
            ),
            other => format!("map({})", type_name(other)),
        },
        Dictionary(_, value) => type_name(value),
        RunEndEncoded(_, values) => type_name(values.data_type()),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// Renders the value at `row` of `array` the way the DuckDB CLI prints it;
/// `Ok(None)` means NULL. Errors (never panics) on an out-of-range row or a
/// value that cannot be represented (e.g. a timestamp outside chrono's range).
pub fn format_value(array: &dyn Array, row: usize) -> Result<Option<String>> {
    if row >= array.len() {
        return Err(QuarryError::Internal(format!(
            "row {row} out of bounds for an array of length {}",
            array.len()
        )));
    }
    if array.is_null(row) {
        return Ok(None);
    }
    let text = match array.data_type() {
        DataType::Null => return Ok(None),
        DataType::Boolean => match array.as_boolean_opt() {
            Some(a) => a.value(row).to_string(),
            None => return Err(downcast_error(array)),
        },
        DataType::Int8 => primitive::<Int8Type>(array, row)?.to_string(),
        DataType::Int16 => primitive::<Int16Type>(array, row)?.to_string(),
        DataType::Int32 => primitive::<Int32Type>(array, row)?.to_string(),
        DataType::Int64 => primitive::<Int64Type>(array, row)?.to_string(),
        DataType::UInt8 => primitive::<UInt8Type>(array, row)?.to_string(),
        DataType::UInt16 => primitive::<UInt16Type>(array, row)?.to_string(),
        DataType::UInt32 => primitive::<UInt32Type>(array, row)?.to_string(),
        DataType::UInt64 => primitive::<UInt64Type>(array, row)?.to_string(),
        DataType::Float16 => {
            let v = primitive::<Float16Type>(array, row)?.to_f32();
            float_text(v.to_string(), v.is_nan(), v.is_infinite(), v < 0.0)
        }
        DataType::Float32 => {
            let v = primitive::<Float32Type>(array, row)?;
            float_text(v.to_string(), v.is_nan(), v.is_infinite(), v < 0.0)
        }
        DataType::Float64 => {
            let v = primitive::<Float64Type>(array, row)?;
            float_text(v.to_string(), v.is_nan(), v.is_infinite(), v < 0.0)
        }
        DataType::Decimal32(_, s) => {
            decimal_text(&primitive::<Decimal32Type>(array, row)?.to_string(), *s)
        }
        DataType::Decimal64(_, s) => {
            decimal_text(&primitive::<Decimal64Type>(array, row)?.to_string(), *s)
        }
        DataType::Decimal128(_, s) => {
            decimal_text(&primitive::<Decimal128Type>(array, row)?.to_string(), *s)
        }
        DataType::Decimal256(_, s) => {
            decimal_text(&primitive::<Decimal256Type>(array, row)?.to_string(), *s)
        }
        DataType::Utf8 => match array.as_string_opt::<i32>() {
            Some(a) => a.value(row).to_string(),
            None => return Err(downcast_error(array)),
        },
        DataType::LargeUtf8 => match array.as_string_opt::<i64>() {
            Some(a) => a.value(row).to_string(),
            None => return Err(downcast_error(array)),
        },
        DataType::Utf8View => match array.as_string_view_opt() {
            Some(a) => a.value(row).to_string(),
            None => return Err(downcast_error(array)),
        },
        DataType::Date32 => {
            let days = primitive::<Date32Type>(array, row)?;
            let date = i64::from(days)
                .checked_add(UNIX_EPOCH_DAYS_FROM_CE)
                .and_then(|d| i32::try_from(d).ok())
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| out_of_range("date", days))?;
            date_text(date)
        }
        DataType::Date64 => {
            let millis = primitive::<Date64Type>(array, row)?;
            let dt = DateTime::from_timestamp_millis(millis)
                .ok_or_else(|| out_of_range("date", millis))?;
            date_text(dt.date_naive())
        }
        DataType::Timestamp(unit, tz) => {
            let v = match unit {
                TimeUnit::Second => primitive::<TimestampSecondType>(array, row)?,
                TimeUnit::Millisecond => primitive::<TimestampMillisecondType>(array, row)?,
                TimeUnit::Microsecond => primitive::<TimestampMicrosecondType>(array, row)?,
                TimeUnit::Nanosecond => primitive::<TimestampNanosecondType>(array, row)?,
            };
            timestamp_text(v, *unit, tz.as_deref())?
        }
        DataType::Time32(unit) => {
            let v = match unit {
                TimeUnit::Millisecond => primitive::<Time32MillisecondType>(array, row)?,
                _ => primitive::<Time32SecondType>(array, row)?,
            };
            time_of_day_text(i128::from(v) * nanos_per(*unit))?
        }
        DataType::Time64(unit) => {
            let v = match unit {
                TimeUnit::Nanosecond => primitive::<Time64NanosecondType>(array, row)?,
                _ => primitive::<Time64MicrosecondType>(array, row)?,
            };
            time_of_day_text(i128::from(v) * nanos_per(*unit))?
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            interval_text(primitive::<IntervalYearMonthType>(array, row)?, 0, 0)
        }
        DataType::Interval(IntervalUnit::DayTime) => {
            let v = primitive::<IntervalDayTimeType>(array, row)?;
            interval_text(0, v.days, i128::from(v.milliseconds) * 1_000_000)
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = primitive::<IntervalMonthDayNanoType>(array, row)?;
            interval_text(v.months, v.days, i128::from(v.nanoseconds))
        }
        DataType::Duration(unit) => {
            let v = match unit {
                TimeUnit::Second => primitive::<DurationSecondType>(array, row)?,
                TimeUnit::Millisecond => primitive::<DurationMillisecondType>(array, row)?,
                TimeUnit::Microsecond => primitive::<DurationMicrosecondType>(array, row)?,
                TimeUnit::Nanosecond => primitive::<DurationNanosecondType>(array, row)?,
            };
            interval_text(0, 0, i128::from(v) * nanos_per(*unit))
        }
        DataType::Dictionary(key, _) => return dictionary_value(array, key, row),
        DataType::RunEndEncoded(run_ends, _) => return run_value(array, run_ends.data_type(), row),
        _ => {
            let formatter = ArrayFormatter::try_new(array, &FormatOptions::default())?;
            formatter.value(row).try_to_string()?
        }
    };
    Ok(Some(text))
}

/// Renders a whole result in `format`. `max_rows` only affects
/// [`OutputFormat::Table`]: when the result has more rows, the first and last
/// `max_rows / 2` rows are shown around a `·` row and a `N rows (M shown)`
/// footer is added (`0` means no limit). The other formats print every row.
pub fn format_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: OutputFormat,
    max_rows: usize,
) -> Result<String> {
    let columns = schema.fields().len();
    for batch in batches {
        if batch.num_columns() != columns {
            return Err(QuarryError::Internal(format!(
                "batch has {} columns but the schema has {columns}",
                batch.num_columns()
            )));
        }
    }
    match format {
        OutputFormat::Table => render_table(schema, batches, max_rows),
        OutputFormat::Csv => render_csv(schema, batches),
        OutputFormat::Json => render_json(schema, batches),
        OutputFormat::Markdown => render_markdown(schema, batches),
    }
}

// ---------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------

/// Days from 0001-01-01 (day 1 in chrono's CE count) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

fn downcast_error(array: &dyn Array) -> QuarryError {
    QuarryError::Internal(format!(
        "array of type {} does not have the expected layout",
        array.data_type()
    ))
}

fn out_of_range(what: &str, value: impl fmt::Display) -> QuarryError {
    QuarryError::Execution(format!("{what} value {value} is out of range"))
}

fn primitive<T: ArrowPrimitiveType>(array: &dyn Array, row: usize) -> Result<T::Native> {
    array
        .as_primitive_opt::<T>()
        .map(|a| a.value(row))
        .ok_or_else(|| downcast_error(array))
}

fn nanos_per(unit: TimeUnit) -> i128 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

/// `text` is Rust's shortest round-trip `{}` rendering of a float.
fn float_text(text: String, nan: bool, infinite: bool, negative: bool) -> String {
    if nan {
        "nan".to_string()
    } else if infinite {
        if negative { "-inf" } else { "inf" }.to_string()
    } else if text.contains(['.', 'e', 'E']) {
        text
    } else {
        text + ".0"
    }
}

/// Places the decimal point into the decimal rendering of an unscaled integer.
fn decimal_text(unscaled: &str, scale: i8) -> String {
    let (negative, digits) = match unscaled.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, unscaled),
    };
    let mut out = String::with_capacity(digits.len() + 4);
    if negative {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(digits);
        if digits != "0" {
            out.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        }
        return out;
    }
    let scale = usize::from(scale.unsigned_abs());
    if digits.len() <= scale {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(digits);
    } else {
        let (int_part, frac_part) = digits.split_at(digits.len() - scale);
        out.push_str(int_part);
        out.push('.');
        out.push_str(frac_part);
    }
    out
}

/// `YYYY-MM-DD`, with DuckDB's ` (BC)` suffix for years before 1.
fn date_text(date: NaiveDate) -> String {
    let year = date.year();
    if year <= 0 {
        format!(
            "{:04}-{:02}-{:02} (BC)",
            1 - i64::from(year),
            date.month(),
            date.day()
        )
    } else {
        format!("{:04}-{:02}-{:02}", year, date.month(), date.day())
    }
}

/// `.fffffffff` with trailing zeros removed, or nothing for zero.
fn fraction_text(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let digits = format!("{nanos:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

fn datetime_text(dt: NaiveDateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02}{}",
        date_text(dt.date()),
        dt.hour(),
        dt.minute(),
        dt.second(),
        fraction_text(dt.nanosecond())
    )
}

/// A timestamp as wall-clock time, in its time zone when it has one.
fn timestamp_text(value: i64, unit: TimeUnit, tz: Option<&str>) -> Result<String> {
    let per_second = match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    };
    let secs = value.div_euclid(per_second);
    let sub = value.rem_euclid(per_second);
    let nanos = u32::try_from(sub * (1_000_000_000 / per_second))
        .map_err(|_| out_of_range("timestamp", value))?;
    let utc =
        DateTime::from_timestamp(secs, nanos).ok_or_else(|| out_of_range("timestamp", value))?;
    let naive = match tz {
        None => utc.naive_utc(),
        Some(name) => {
            let zone: Tz = name.parse()?;
            Utc.from_utc_datetime(&utc.naive_utc())
                .with_timezone(&zone)
                .naive_local()
        }
    };
    Ok(datetime_text(naive))
}

/// `HH:MM:SS[.fff]` for a time of day given in nanoseconds since midnight.
fn time_of_day_text(nanos: i128) -> Result<String> {
    const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;
    if !(0..NANOS_PER_DAY).contains(&nanos) {
        return Err(out_of_range("time", nanos));
    }
    Ok(clock_text(nanos))
}

/// `HH:MM:SS[.fff]` for a non-negative nanosecond count; hours may exceed 24.
fn clock_text(nanos: i128) -> String {
    let secs = nanos / 1_000_000_000;
    let frac = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
    format!(
        "{:02}:{:02}:{:02}{}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        fraction_text(frac)
    )
}

/// DuckDB's interval text: `1 year 2 months 3 days 04:05:06.5`, zero parts
/// omitted, `00:00:00` for a zero interval.
fn interval_text(months: i32, days: i32, nanos: i128) -> String {
    fn part(parts: &mut Vec<String>, value: i64, unit: &str) {
        if value != 0 {
            let plural = if value == 1 || value == -1 { "" } else { "s" };
            parts.push(format!("{value} {unit}{plural}"));
        }
    }
    let mut parts = Vec::new();
    let months = i64::from(months);
    part(&mut parts, months / 12, "year");
    part(&mut parts, months % 12, "month");
    part(&mut parts, i64::from(days), "day");
    if nanos != 0 {
        let sign = if nanos < 0 { "-" } else { "" };
        parts.push(format!("{sign}{}", clock_text(nanos.abs())));
    }
    if parts.is_empty() {
        "00:00:00".to_string()
    } else {
        parts.join(" ")
    }
}

fn dictionary_value(array: &dyn Array, key: &DataType, row: usize) -> Result<Option<String>> {
    fn lookup<K: ArrowDictionaryKeyType>(array: &dyn Array, row: usize) -> Result<Option<String>> {
        let dict = array
            .as_dictionary_opt::<K>()
            .ok_or_else(|| downcast_error(array))?;
        let key = dict.keys().value(row);
        let index = num_to_usize(key).ok_or_else(|| out_of_range("dictionary key", row))?;
        format_value(dict.values().as_ref(), index)
    }
    match key {
        DataType::Int8 => lookup::<Int8Type>(array, row),
        DataType::Int16 => lookup::<Int16Type>(array, row),
        DataType::Int32 => lookup::<Int32Type>(array, row),
        DataType::Int64 => lookup::<Int64Type>(array, row),
        DataType::UInt8 => lookup::<UInt8Type>(array, row),
        DataType::UInt16 => lookup::<UInt16Type>(array, row),
        DataType::UInt32 => lookup::<UInt32Type>(array, row),
        DataType::UInt64 => lookup::<UInt64Type>(array, row),
        other => Err(QuarryError::Internal(format!(
            "unsupported dictionary key type {other}"
        ))),
    }
}

fn run_value(array: &dyn Array, run_end: &DataType, row: usize) -> Result<Option<String>> {
    fn lookup<R: RunEndIndexType>(array: &dyn Array, row: usize) -> Result<Option<String>> {
        let runs = array
            .as_run_opt::<R>()
            .ok_or_else(|| downcast_error(array))?;
        format_value(runs.values().as_ref(), runs.get_physical_index(row))
    }
    match run_end {
        DataType::Int16 => lookup::<Int16Type>(array, row),
        DataType::Int32 => lookup::<Int32Type>(array, row),
        DataType::Int64 => lookup::<Int64Type>(array, row),
        other => Err(QuarryError::Internal(format!(
            "unsupported run end type {other}"
        ))),
    }
}

fn num_to_usize<N: arrow::datatypes::ArrowNativeType>(n: N) -> Option<usize> {
    n.to_usize()
}

/// Integer, float and decimal columns (also through dictionaries).
fn is_numeric(data_type: &DataType) -> bool {
    use DataType::*;
    match data_type {
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 | Float16 | Float32
        | Float64 | Decimal32(..) | Decimal64(..) | Decimal128(..) | Decimal256(..) => true,
        Dictionary(_, value) => is_numeric(value),
        RunEndEncoded(_, values) => is_numeric(values.data_type()),
        _ => false,
    }
}

/// Rows `[start, end)` of the concatenated batches, each cell already rendered.
fn collect_rows(
    batches: &[RecordBatch],
    start: usize,
    end: usize,
) -> Result<Vec<Vec<Option<String>>>> {
    let mut rows = Vec::with_capacity(end.saturating_sub(start));
    let mut offset = 0;
    for batch in batches {
        let n = batch.num_rows();
        let lo = start.max(offset);
        let hi = end.min(offset + n);
        for global in lo..hi {
            let local = global - offset;
            let row = batch
                .columns()
                .iter()
                .map(|column| format_value(column.as_ref(), local))
                .collect::<Result<Vec<_>>>()?;
            rows.push(row);
        }
        offset += n;
        if offset >= end {
            break;
        }
    }
    Ok(rows)
}

fn total_rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

// ---------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------

/// Makes a value printable on one line: newline, carriage return and tab
/// become `\n`, `\r` and `\t`.
fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r', '\t']) {
        return text.to_string();
    }
    text.replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn center(text: &str, total: usize) -> String {
    let extra = total.saturating_sub(width(text));
    let left = extra / 2;
    format!("{}{text}{}", " ".repeat(left), " ".repeat(extra - left))
}

fn border(widths: &[usize], left: char, mid: char, right: char) -> String {
    let mut line = String::new();
    line.push(left);
    for (i, w) in widths.iter().enumerate() {
        if i > 0 {
            line.push(mid);
        }
        line.push_str(&"─".repeat(*w));
    }
    line.push(right);
    line.push('\n');
    line
}

fn boxed_line(cells: impl Iterator<Item = String>) -> String {
    let mut line = String::from("│");
    for cell in cells {
        line.push_str(&cell);
        line.push('│');
    }
    line.push('\n');
    line
}

fn render_table(schema: &SchemaRef, batches: &[RecordBatch], max_rows: usize) -> Result<String> {
    let fields = schema.fields();
    if fields.is_empty() {
        return Ok("(empty result)\n".to_string());
    }
    let total = total_rows(batches);
    let limit = if max_rows == 0 { usize::MAX } else { max_rows };
    let elided = total > limit;
    let (head, tail) = if elided {
        (
            collect_rows(batches, 0, limit - limit / 2)?,
            collect_rows(batches, total - limit / 2, total)?,
        )
    } else {
        (collect_rows(batches, 0, total)?, Vec::new())
    };
    let shown = head.len() + tail.len();

    let render = |cell: &Option<String>| match cell {
        Some(v) => one_line(v),
        None => "NULL".to_string(),
    };
    let head: Vec<Vec<String>> = head
        .iter()
        .map(|r| r.iter().map(render).collect())
        .collect();
    let tail: Vec<Vec<String>> = tail
        .iter()
        .map(|r| r.iter().map(render).collect())
        .collect();

    let names: Vec<String> = fields.iter().map(|f| one_line(f.name())).collect();
    let types: Vec<String> = fields.iter().map(|f| type_name(f.data_type())).collect();
    let numeric: Vec<bool> = fields.iter().map(|f| is_numeric(f.data_type())).collect();

    // Content (names, values) gets one space of padding per side; the type
    // line may use the padding, as in the DuckDB CLI.
    let mut widths: Vec<usize> = names
        .iter()
        .zip(&types)
        .map(|(name, ty)| {
            (width(name) + 2)
                .max(width(ty) + 2)
                .max(if elided { 3 } else { 0 })
        })
        .collect();
    for row in head.iter().chain(&tail) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell) + 2);
        }
    }

    let value_line = |row: &[String]| {
        boxed_line(
            row.iter()
                .zip(&widths)
                .zip(&numeric)
                .map(|((cell, w), right)| {
                    let pad = " ".repeat(w.saturating_sub(width(cell) + 2));
                    if *right {
                        format!(" {pad}{cell} ")
                    } else {
                        format!(" {cell}{pad} ")
                    }
                }),
        )
    };

    let mut out = border(&widths, '┌', '┬', '┐');
    out.push_str(&boxed_line(
        names.iter().zip(&widths).map(|(n, w)| center(n, *w)),
    ));
    out.push_str(&boxed_line(
        types.iter().zip(&widths).map(|(t, w)| center(t, *w)),
    ));
    if shown > 0 {
        out.push_str(&border(&widths, '├', '┼', '┤'));
        for row in &head {
            out.push_str(&value_line(row));
        }
        if elided {
            for _ in 0..3 {
                out.push_str(&boxed_line(widths.iter().map(|w| center("·", *w))));
            }
        }
        for row in &tail {
            out.push_str(&value_line(row));
        }
    }
    out.push_str(&border(&widths, '└', '┴', '┘'));
    if elided {
        out.push_str(&format!("{total} rows ({shown} shown)\n"));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/// Quotes a CSV field when it holds a comma, quote, CR or LF, has a leading
/// or trailing space, or is empty (so that it differs from NULL).
fn csv_field(text: &str) -> String {
    let needs_quotes = text.is_empty()
        || text.contains([',', '"', '\r', '\n'])
        || text.starts_with(' ')
        || text.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn render_csv(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<String> {
    let fields = schema.fields();
    if fields.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::new();
    let header: Vec<String> = fields.iter().map(|f| csv_field(f.name())).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for batch in batches {
        for row in 0..batch.num_rows() {
            let mut cells = Vec::with_capacity(fields.len());
            for column in batch.columns() {
                cells.push(match format_value(column.as_ref(), row)? {
                    Some(v) => csv_field(&v),
                    None => String::new(),
                });
            }
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum JsonKind {
    /// Integers and decimals: the text is already a JSON number.
    Number,
    /// Floats: a number unless NaN or infinite, which become strings.
    Float,
    Bool,
    Text,
}

fn json_kind(data_type: &DataType) -> JsonKind {
    use DataType::*;
    match data_type {
        Float16 | Float32 | Float64 => JsonKind::Float,
        Boolean => JsonKind::Bool,
        Dictionary(_, value) => json_kind(value),
        RunEndEncoded(_, values) => json_kind(values.data_type()),
        dt if is_numeric(dt) => JsonKind::Number,
        _ => JsonKind::Text,
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn render_json(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<String> {
    let fields = schema.fields();
    let keys: Vec<String> = fields.iter().map(|f| json_string(f.name())).collect();
    let kinds: Vec<JsonKind> = fields.iter().map(|f| json_kind(f.data_type())).collect();
    let mut lines = Vec::with_capacity(total_rows(batches));
    for batch in batches {
        for row in 0..batch.num_rows() {
            let mut line = String::from("{");
            for (i, column) in batch.columns().iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&keys[i]);
                line.push(':');
                let value = format_value(column.as_ref(), row)?;
                let json = match (value, kinds[i]) {
                    (None, _) => "null".to_string(),
                    (Some(v), JsonKind::Number | JsonKind::Bool) => v,
                    (Some(v), JsonKind::Float) if !matches!(v.as_str(), "nan" | "inf" | "-inf") => {
                        v
                    }
                    (Some(v), _) => json_string(&v),
                };
                line.push_str(&json);
            }
            line.push('}');
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return Ok("[]\n".to_string());
    }
    Ok(format!("[\n{}\n]\n", lines.join(",\n")))
}

// ---------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------

fn markdown_cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

fn markdown_line(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

fn render_markdown(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<String> {
    let fields = schema.fields();
    if fields.is_empty() {
        return Ok("(empty result)\n".to_string());
    }
    let names: Vec<String> = fields.iter().map(|f| markdown_cell(f.name())).collect();
    let mut out = markdown_line(&names);
    out.push('|');
    for field in fields {
        out.push_str(if is_numeric(field.data_type()) {
            "---:|"
        } else {
            "---|"
        });
    }
    out.push('\n');
    for batch in batches {
        for row in 0..batch.num_rows() {
            let cells = batch
                .columns()
                .iter()
                .map(|column| {
                    Ok(match format_value(column.as_ref(), row)? {
                        Some(v) => markdown_cell(&v),
                        None => "NULL".to_string(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            out.push_str(&markdown_line(&cells));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow::array::{
        ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, Decimal256Array,
        DictionaryArray, DurationMicrosecondArray, Float32Array, Float64Array, Int16Array,
        Int32Array, Int64Array, Int8Array, IntervalDayTimeArray, IntervalMonthDayNanoArray,
        IntervalYearMonthArray, LargeStringArray, ListArray, NullArray, StringArray,
        StringViewArray, Time64MicrosecondArray, TimestampMicrosecondArray,
        TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray, UInt64Array,
        UInt8Array,
    };
    use arrow::datatypes::{i256, Field, IntervalDayTime, IntervalMonthDayNano, Schema};

    fn values(array: &dyn Array) -> Vec<Option<String>> {
        (0..array.len())
            .map(|i| format_value(array, i).unwrap())
            .collect()
    }

    fn strings(items: &[Option<&str>]) -> Vec<Option<String>> {
        items.iter().map(|s| s.map(str::to_string)).collect()
    }

    fn batch(columns: Vec<(&str, ArrayRef)>) -> (SchemaRef, RecordBatch) {
        let fields: Vec<Field> = columns
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let arrays = columns.into_iter().map(|(_, a)| a).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
        (schema, batch)
    }

    fn decimal128(values: Vec<Option<i128>>, p: u8, s: i8) -> Decimal128Array {
        Decimal128Array::from(values)
            .with_precision_and_scale(p, s)
            .unwrap()
    }

    // ---- OutputFormat ----------------------------------------------------

    #[test]
    fn parses_format_names() {
        for (name, format) in [
            ("table", OutputFormat::Table),
            ("box", OutputFormat::Table),
            ("duckbox", OutputFormat::Table),
            ("csv", OutputFormat::Csv),
            ("JSON", OutputFormat::Json),
            ("markdown", OutputFormat::Markdown),
            (" md ", OutputFormat::Markdown),
        ] {
            assert_eq!(name.parse::<OutputFormat>().unwrap(), format);
        }
        let err = "xml".parse::<OutputFormat>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unknown output format 'xml': expected one of table (or box, duckbox), csv, json, markdown (or md)"
        );
        assert_eq!(OutputFormat::Markdown.to_string(), "markdown");
        assert_eq!(
            OutputFormat::Csv
                .to_string()
                .parse::<OutputFormat>()
                .unwrap(),
            OutputFormat::Csv
        );
    }

    // ---- type_name -------------------------------------------------------

    #[test]
    fn type_names() {
        let tz: Option<Arc<str>> = Some("UTC".into());
        let cases = [
            (DataType::Boolean, "boolean"),
            (DataType::Int8, "int8"),
            (DataType::Int16, "int16"),
            (DataType::Int32, "int32"),
            (DataType::Int64, "int64"),
            (DataType::UInt8, "uint8"),
            (DataType::UInt16, "uint16"),
            (DataType::UInt32, "uint32"),
            (DataType::UInt64, "uint64"),
            (DataType::Float32, "float"),
            (DataType::Float64, "double"),
            (DataType::Decimal128(15, 2), "decimal(15,2)"),
            (DataType::Decimal256(40, 0), "decimal(40,0)"),
            (DataType::Utf8, "varchar"),
            (DataType::LargeUtf8, "varchar"),
            (DataType::Utf8View, "varchar"),
            (DataType::Date32, "date"),
            (
                DataType::Timestamp(TimeUnit::Microsecond, None),
                "timestamp",
            ),
            (
                DataType::Timestamp(TimeUnit::Nanosecond, tz),
                "timestamp with time zone",
            ),
            (DataType::Interval(IntervalUnit::YearMonth), "interval"),
            (DataType::Interval(IntervalUnit::DayTime), "interval"),
            (DataType::Interval(IntervalUnit::MonthDayNano), "interval"),
            (DataType::Null, "null"),
            (DataType::Time64(TimeUnit::Microsecond), "time"),
            (DataType::Binary, "blob"),
            (
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                "varchar",
            ),
            (
                DataType::List(Arc::new(Field::new("item", DataType::Int32, true))),
                "int32[]",
            ),
            (
                DataType::Struct(
                    vec![
                        Field::new("a", DataType::Int64, true),
                        Field::new("b", DataType::Utf8, true),
                    ]
                    .into(),
                ),
                "struct(a int64, b varchar)",
            ),
            (DataType::Float16, "float16"),
        ];
        for (data_type, expected) in cases {
            assert_eq!(type_name(&data_type), expected, "{data_type}");
        }
    }

    // ---- format_value ----------------------------------------------------

    #[test]
    fn integers() {
        assert_eq!(
            values(&Int8Array::from(vec![Some(-128), None, Some(127)])),
            strings(&[Some("-128"), None, Some("127")])
        );
        assert_eq!(values(&Int16Array::from(vec![-7])), strings(&[Some("-7")]));
        assert_eq!(values(&Int32Array::from(vec![42])), strings(&[Some("42")]));
        assert_eq!(
            values(&Int64Array::from(vec![i64::MIN])),
            strings(&[Some("-9223372036854775808")])
        );
        assert_eq!(
            values(&UInt8Array::from(vec![255])),
            strings(&[Some("255")])
        );
        assert_eq!(
            values(&UInt64Array::from(vec![u64::MAX])),
            strings(&[Some("18446744073709551615")])
        );
    }

    #[test]
    fn floats() {
        let a = Float64Array::from(vec![
            Some(1.0),
            Some(0.1),
            Some(-2.5),
            Some(1e20),
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            None,
            Some(-0.0),
            Some(123456.789),
        ]);
        assert_eq!(
            values(&a),
            strings(&[
                Some("1.0"),
                Some("0.1"),
                Some("-2.5"),
                Some("100000000000000000000.0"),
                Some("nan"),
                Some("inf"),
                Some("-inf"),
                None,
                Some("-0.0"),
                Some("123456.789"),
            ])
        );
        let f = Float32Array::from(vec![Some(1.0f32), Some(0.1), None, Some(f32::NAN)]);
        assert_eq!(
            values(&f),
            strings(&[Some("1.0"), Some("0.1"), None, Some("nan")])
        );
        let h = arrow::compute::cast(
            &Float32Array::from(vec![2.0f32, 0.5, f32::INFINITY]),
            &DataType::Float16,
        )
        .unwrap();
        assert_eq!(
            values(h.as_ref()),
            strings(&[Some("2.0"), Some("0.5"), Some("inf")])
        );
    }

    #[test]
    fn decimals() {
        let a = decimal128(
            vec![
                Some(5058224414861),
                Some(-50),
                Some(5),
                Some(0),
                None,
                Some(-123456),
            ],
            15,
            4,
        );
        assert_eq!(
            values(&a),
            strings(&[
                Some("505822441.4861"),
                Some("-0.0050"),
                Some("0.0005"),
                Some("0.0000"),
                None,
                Some("-12.3456"),
            ])
        );
        let two = decimal128(vec![Some(-50), Some(5), Some(38045600)], 15, 2);
        assert_eq!(
            values(&two),
            strings(&[Some("-0.50"), Some("0.05"), Some("380456.00")])
        );
        let zero_scale = decimal128(vec![Some(0), Some(-17), Some(123)], 10, 0);
        assert_eq!(
            values(&zero_scale),
            strings(&[Some("0"), Some("-17"), Some("123")])
        );
        let negative_scale = decimal128(vec![Some(123), Some(0), Some(-4)], 10, -2);
        assert_eq!(
            values(&negative_scale),
            strings(&[Some("12300"), Some("0"), Some("-400")])
        );
        let wide = Decimal256Array::from(vec![
            Some(i256::from_i128(-12345)),
            None,
            Some(i256::from_i128(10i128.pow(38)) * i256::from_i128(1000)),
        ])
        .with_precision_and_scale(50, 3)
        .unwrap();
        assert_eq!(
            values(&wide),
            strings(&[
                Some("-12.345"),
                None,
                Some("100000000000000000000000000000000000000.000"),
            ])
        );
    }

    #[test]
    fn strings_and_booleans() {
        let utf8 = StringArray::from(vec![Some("hello"), None, Some(""), Some("a\nb")]);
        assert_eq!(
            values(&utf8),
            strings(&[Some("hello"), None, Some(""), Some("a\nb")])
        );
        let large = LargeStringArray::from(vec![Some("größe"), None]);
        assert_eq!(values(&large), strings(&[Some("größe"), None]));
        let view = StringViewArray::from(vec![
            Some("short"),
            None,
            Some("a string longer than twelve bytes"),
        ]);
        assert_eq!(
            values(&view),
            strings(&[
                Some("short"),
                None,
                Some("a string longer than twelve bytes")
            ])
        );
        let b = BooleanArray::from(vec![Some(true), Some(false), None]);
        assert_eq!(values(&b), strings(&[Some("true"), Some("false"), None]));
    }

    #[test]
    fn nulls_and_dictionaries() {
        assert_eq!(values(&NullArray::new(2)), strings(&[None, None]));
        let dict: DictionaryArray<Int32Type> = vec![Some("x"), None, Some("y"), Some("x")]
            .into_iter()
            .collect();
        assert_eq!(
            values(&dict),
            strings(&[Some("x"), None, Some("y"), Some("x")])
        );
    }

    #[test]
    fn dates() {
        let a = Date32Array::from(vec![Some(10471), Some(0), None, Some(-1), Some(-719528)]);
        assert_eq!(
            values(&a),
            strings(&[
                Some("1998-09-02"),
                Some("1970-01-01"),
                None,
                Some("1969-12-31"),
                Some("0001-01-01 (BC)"),
            ])
        );
        let d64 = Date64Array::from(vec![904_694_400_000]);
        assert_eq!(values(&d64), strings(&[Some("1998-09-02")]));
        assert!(format_value(&Date32Array::from(vec![i32::MAX]), 0).is_err());
    }

    #[test]
    fn timestamps() {
        // 1998-09-02 10:11:12 UTC
        let secs = 904_731_072i64;
        let s = TimestampSecondArray::from(vec![Some(secs), None, Some(-1)]);
        assert_eq!(
            values(&s),
            strings(&[
                Some("1998-09-02 10:11:12"),
                None,
                Some("1969-12-31 23:59:59")
            ])
        );
        let ms = TimestampMillisecondArray::from(vec![secs * 1000 + 500, -500]);
        assert_eq!(
            values(&ms),
            strings(&[Some("1998-09-02 10:11:12.5"), Some("1969-12-31 23:59:59.5")])
        );
        let us =
            TimestampMicrosecondArray::from(vec![secs * 1_000_000 + 123_456, secs * 1_000_000]);
        assert_eq!(
            values(&us),
            strings(&[
                Some("1998-09-02 10:11:12.123456"),
                Some("1998-09-02 10:11:12")
            ])
        );
        let ns = TimestampNanosecondArray::from(vec![secs * 1_000_000_000 + 1]);
        assert_eq!(
            values(&ns),
            strings(&[Some("1998-09-02 10:11:12.000000001")])
        );

        let utc = TimestampMicrosecondArray::from(vec![secs * 1_000_000]).with_timezone("UTC");
        assert_eq!(values(&utc), strings(&[Some("1998-09-02 10:11:12")]));
        let offset = TimestampSecondArray::from(vec![secs]).with_timezone("+05:30");
        assert_eq!(values(&offset), strings(&[Some("1998-09-02 15:41:12")]));
        let named = TimestampSecondArray::from(vec![secs]).with_timezone("America/New_York");
        assert_eq!(values(&named), strings(&[Some("1998-09-02 06:11:12")]));
        let bad_zone = TimestampSecondArray::from(vec![secs]).with_timezone("Nowhere/Special");
        assert!(format_value(&bad_zone, 0).is_err());
        assert!(format_value(&TimestampSecondArray::from(vec![i64::MAX]), 0).is_err());
    }

    #[test]
    fn times_and_durations() {
        let t = Time64MicrosecondArray::from(vec![Some(36_672_500_000), Some(0), None]);
        assert_eq!(
            values(&t),
            strings(&[Some("10:11:12.5"), Some("00:00:00"), None])
        );
        assert!(format_value(&Time64MicrosecondArray::from(vec![-1]), 0).is_err());
        let d = DurationMicrosecondArray::from(vec![93_784_000_000, -1_500_000]);
        assert_eq!(
            values(&d),
            strings(&[Some("26:03:04"), Some("-00:00:01.5")])
        );
    }

    #[test]
    fn intervals() {
        let ym = IntervalYearMonthArray::from(vec![
            Some(14),
            Some(12),
            Some(1),
            Some(0),
            None,
            Some(-14),
            Some(24),
        ]);
        assert_eq!(
            values(&ym),
            strings(&[
                Some("1 year 2 months"),
                Some("1 year"),
                Some("1 month"),
                Some("00:00:00"),
                None,
                Some("-1 year -2 months"),
                Some("2 years"),
            ])
        );
        let dt = IntervalDayTimeArray::from(vec![
            IntervalDayTime::new(3, 14_706_000),
            IntervalDayTime::new(1, 0),
            IntervalDayTime::new(0, 1_500),
            IntervalDayTime::new(0, -3_600_000),
            IntervalDayTime::new(0, 0),
        ]);
        assert_eq!(
            values(&dt),
            strings(&[
                Some("3 days 04:05:06"),
                Some("1 day"),
                Some("00:00:01.5"),
                Some("-01:00:00"),
                Some("00:00:00"),
            ])
        );
        let mdn = IntervalMonthDayNanoArray::from(vec![
            Some(IntervalMonthDayNano::new(14, 3, 14_706_000_000_000)),
            Some(IntervalMonthDayNano::new(0, 2, 0)),
            None,
            Some(IntervalMonthDayNano::new(0, 0, 123_456_000)),
            Some(IntervalMonthDayNano::new(0, -1, 0)),
            Some(IntervalMonthDayNano::new(0, 0, 0)),
        ]);
        assert_eq!(
            values(&mdn),
            strings(&[
                Some("1 year 2 months 3 days 04:05:06"),
                Some("2 days"),
                None,
                Some("00:00:00.123456"),
                Some("-1 day"),
                Some("00:00:00"),
            ])
        );
    }

    #[test]
    fn other_types_fall_back_to_arrow() {
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), None, Some(3)]),
            None,
        ]);
        assert_eq!(values(&list), strings(&[Some("[1, , 3]"), None]));
    }

    #[test]
    fn out_of_bounds_row_is_an_error() {
        let a = Int32Array::from(vec![1]);
        assert!(format_value(&a, 1).is_err());
    }

    // ---- Table -----------------------------------------------------------

    fn tpch_like() -> (SchemaRef, RecordBatch) {
        batch(vec![
            (
                "l_returnflag",
                Arc::new(StringArray::from(vec!["A", "N"])) as ArrayRef,
            ),
            ("l_linestatus", Arc::new(StringArray::from(vec!["F", "F"]))),
            (
                "sum_qty",
                Arc::new(decimal128(vec![Some(38045600), Some(897100)], 15, 2)),
            ),
        ])
    }

    #[test]
    fn table_basic() {
        let (schema, b) = tpch_like();
        let text = format_batches(&schema, &[b], OutputFormat::Table, 40).unwrap();
        assert_eq!(
            text,
            "\
┌──────────────┬──────────────┬─────────────┐
│ l_returnflag │ l_linestatus │   sum_qty   │
│   varchar    │   varchar    │decimal(15,2)│
├──────────────┼──────────────┼─────────────┤
│ A            │ F            │   380456.00 │
│ N            │ F            │     8971.00 │
└──────────────┴──────────────┴─────────────┘
"
        );
    }

    #[test]
    fn table_nulls_newlines_and_alignment() {
        let (schema, b) = batch(vec![
            (
                "id",
                Arc::new(Int64Array::from(vec![Some(1), None, Some(1000)])) as ArrayRef,
            ),
            (
                "note",
                Arc::new(StringArray::from(vec![Some("a\nb"), Some("ü"), None])),
            ),
            (
                "x",
                Arc::new(Float64Array::from(vec![Some(1.0), Some(-0.25), None])),
            ),
            (
                "ok",
                Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
            ),
        ]);
        let text = format_batches(&schema, &[b], OutputFormat::Table, 40).unwrap();
        assert_eq!(
            text,
            "\
┌──────┬───────┬───────┬───────┐
│  id  │ note  │   x   │  ok   │
│int64 │varchar│double │boolean│
├──────┼───────┼───────┼───────┤
│    1 │ a\\nb  │   1.0 │ true  │
│ NULL │ ü     │ -0.25 │ NULL  │
│ 1000 │ NULL  │  NULL │ false │
└──────┴───────┴───────┴───────┘
"
        );
    }

    #[test]
    fn table_zero_rows_and_empty_batches() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int32, true),
            Field::new("name", DataType::Utf8, true),
        ]));
        let expected = "\
┌─────┬───────┐
│  a  │ name  │
│int32│varchar│
└─────┴───────┘
";
        assert_eq!(
            format_batches(&schema, &[], OutputFormat::Table, 40).unwrap(),
            expected
        );
        let empty = RecordBatch::new_empty(schema.clone());
        assert_eq!(
            format_batches(&schema, &[empty], OutputFormat::Table, 40).unwrap(),
            expected
        );
    }

    #[test]
    fn table_zero_columns() {
        let schema = Arc::new(Schema::empty());
        assert_eq!(
            format_batches(&schema, &[], OutputFormat::Table, 40).unwrap(),
            "(empty result)\n"
        );
    }

    #[test]
    fn table_elides_long_results() {
        // 100 rows over three batches; max_rows 40 shows rows 1-20 and 81-100.
        let make = |range: std::ops::Range<i64>| {
            batch(vec![
                (
                    "id",
                    Arc::new(Int64Array::from_iter_values(range.clone())) as ArrayRef,
                ),
                (
                    "label",
                    Arc::new(StringArray::from_iter_values(
                        range.map(|i| format!("row {i}")),
                    )),
                ),
            ])
        };
        let (schema, b1) = make(1..35);
        let (_, b2) = make(35..70);
        let (_, b3) = make(70..101);
        let text = format_batches(&schema, &[b1, b2, b3], OutputFormat::Table, 40).unwrap();

        let mut expected = String::from(
            "\
┌─────┬─────────┐
│ id  │  label  │
│int64│ varchar │
├─────┼─────────┤
",
        );
        for i in 1..=20 {
            expected.push_str(&format!("│ {i:>3} │ {:<7} │\n", format!("row {i}")));
        }
        for _ in 0..3 {
            expected.push_str("│  ·  │    ·    │\n");
        }
        for i in 81..=100 {
            expected.push_str(&format!("│ {i:>3} │ {:<7} │\n", format!("row {i}")));
        }
        expected.push_str("└─────┴─────────┘\n100 rows (40 shown)\n");
        assert_eq!(text, expected);
        assert_eq!(text.lines().count(), 4 + 40 + 3 + 1 + 1);
        assert!(text.contains("│  20 │ row 20  │\n│  ·  │"));
        assert!(text.contains("│  ·  │    ·    │\n│  81 │ row 81  │"));
    }

    #[test]
    fn table_small_elision_exact() {
        let (schema, b) = batch(vec![(
            "n",
            Arc::new(Int32Array::from_iter_values(1..=5)) as ArrayRef,
        )]);
        let text =
            format_batches(&schema, std::slice::from_ref(&b), OutputFormat::Table, 2).unwrap();
        assert_eq!(
            text,
            "\
┌─────┐
│  n  │
│int32│
├─────┤
│   1 │
│  ·  │
│  ·  │
│  ·  │
│   5 │
└─────┘
5 rows (2 shown)
"
        );
        // Exactly max_rows rows: no elision, no footer.
        let text = format_batches(&schema, &[b], OutputFormat::Table, 5).unwrap();
        assert!(!text.contains('·'));
        assert!(text.ends_with("│   5 │\n└─────┘\n"));
    }

    #[test]
    fn mismatched_batch_is_an_error() {
        let (_, b) = tpch_like();
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Utf8, true)]));
        assert!(format_batches(&schema, &[b], OutputFormat::Table, 40).is_err());
    }

    // ---- CSV -------------------------------------------------------------

    #[test]
    fn csv_output_and_quoting() {
        let (schema, b) = batch(vec![
            (
                "id",
                Arc::new(Int32Array::from(vec![
                    Some(1),
                    Some(2),
                    None,
                    Some(4),
                    Some(5),
                    Some(6),
                ])) as ArrayRef,
            ),
            (
                "text",
                Arc::new(StringArray::from(vec![
                    Some("plain"),
                    Some("a,b"),
                    Some("say \"hi\""),
                    Some("line1\nline2"),
                    None,
                    Some(" padded "),
                ])),
            ),
            (
                "amount",
                Arc::new(decimal128(
                    vec![Some(-50), Some(5), None, Some(100), Some(0), Some(1)],
                    10,
                    2,
                )),
            ),
            (
                "e",
                Arc::new(StringArray::from(vec![
                    Some(""),
                    Some("cr\r"),
                    Some("x"),
                    Some("y"),
                    Some("z"),
                    Some("w"),
                ])),
            ),
        ]);
        let text = format_batches(&schema, &[b], OutputFormat::Csv, 40).unwrap();
        assert_eq!(
            text,
            "id,text,amount,e\n\
             1,plain,-0.50,\"\"\n\
             2,\"a,b\",0.05,\"cr\r\"\n\
             ,\"say \"\"hi\"\"\",,x\n\
             4,\"line1\nline2\",1.00,y\n\
             5,,0.00,z\n\
             6,\" padded \",0.01,w\n"
        );
    }

    #[test]
    fn csv_header_quoting_and_no_rows() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a,b", DataType::Int32, true),
            Field::new("c", DataType::Utf8, true),
        ]));
        assert_eq!(
            format_batches(&schema, &[], OutputFormat::Csv, 40).unwrap(),
            "\"a,b\",c\n"
        );
    }

    // ---- JSON ------------------------------------------------------------

    #[test]
    fn json_output() {
        let (schema, b) = batch(vec![
            (
                "z_id",
                Arc::new(Int64Array::from(vec![Some(1), None])) as ArrayRef,
            ),
            (
                "a_name",
                Arc::new(StringArray::from(vec![Some("qu\"ote\n"), Some("x")])),
            ),
            (
                "price",
                Arc::new(decimal128(vec![Some(5), Some(-1234)], 10, 2)),
            ),
            (
                "ratio",
                Arc::new(Float64Array::from(vec![Some(1.0), Some(f64::NAN)])),
            ),
            ("flag", Arc::new(BooleanArray::from(vec![Some(true), None]))),
            ("day", Arc::new(Date32Array::from(vec![Some(10471), None]))),
            ("nothing", Arc::new(NullArray::new(2))),
        ]);
        let text = format_batches(&schema, &[b], OutputFormat::Json, 40).unwrap();
        assert_eq!(
            text,
            "[\n\
             {\"z_id\":1,\"a_name\":\"qu\\\"ote\\n\",\"price\":0.05,\"ratio\":1.0,\"flag\":true,\"day\":\"1998-09-02\",\"nothing\":null},\n\
             {\"z_id\":null,\"a_name\":\"x\",\"price\":-12.34,\"ratio\":\"nan\",\"flag\":null,\"day\":null,\"nothing\":null}\n\
             ]\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[0]["price"], serde_json::json!(0.05));
    }

    #[test]
    fn json_no_rows() {
        let (schema, _) = tpch_like();
        assert_eq!(
            format_batches(&schema, &[], OutputFormat::Json, 40).unwrap(),
            "[]\n"
        );
    }

    // ---- Markdown --------------------------------------------------------

    #[test]
    fn markdown_output() {
        let (schema, b) = batch(vec![
            (
                "name",
                Arc::new(StringArray::from(vec![Some("a|b"), None])) as ArrayRef,
            ),
            ("qty", Arc::new(Int32Array::from(vec![Some(3), Some(-4)]))),
            ("price", Arc::new(decimal128(vec![Some(150), None], 10, 2))),
        ]);
        let text = format_batches(&schema, &[b], OutputFormat::Markdown, 40).unwrap();
        assert_eq!(
            text,
            "| name | qty | price |\n\
             |---|---:|---:|\n\
             | a\\|b | 3 | 1.50 |\n\
             | NULL | -4 | NULL |\n"
        );
    }

    #[test]
    fn non_table_formats_ignore_max_rows() {
        let (schema, b) = batch(vec![(
            "n",
            Arc::new(Int32Array::from_iter_values(1..=5)) as ArrayRef,
        )]);
        let text = format_batches(&schema, &[b], OutputFormat::Csv, 2).unwrap();
        assert_eq!(text, "n\n1\n2\n3\n4\n5\n");
    }
}
