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
use crate::execution::expressions::float_text::{double_text, float_text};

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
        DataType::Float16 => float_text(primitive::<Float16Type>(array, row)?.to_f32()),
        DataType::Float32 => float_text(primitive::<Float32Type>(array, row)?),
        DataType::Float64 => double_text(primitive::<Float64Type>(array, row)?),
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
        // EXPLAIN's one `plan` cell: the plan's own lines, not a table.
        OutputFormat::Table if is_plan(schema) => {
            let mut text = String::new();
            for batch in batches {
                for row in 0..batch.num_rows() {
                    text.push_str(
                        &format_value(batch.column(0).as_ref(), row)?.unwrap_or_default(),
                    );
                    text.push('\n');
                }
            }
            Ok(text)
        }
        OutputFormat::Table => render_table(schema, batches, max_rows),
        OutputFormat::Csv => render_csv(schema, batches),
        OutputFormat::Json => render_json(schema, batches),
        OutputFormat::Markdown => render_markdown(schema, batches),
    }
}

/// The result of EXPLAIN: one text column named `plan`.
fn is_plan(schema: &SchemaRef) -> bool {
    schema.fields().len() == 1
        && schema.field(0).name() == "plan"
        && schema.field(0).data_type() == &DataType::Utf8
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
mod tests;
