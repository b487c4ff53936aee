use super::*;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, Decimal256Array,
    DictionaryArray, DurationMicrosecondArray, Float32Array, Float64Array, Int16Array, Int32Array,
    Int64Array, Int8Array, IntervalDayTimeArray, IntervalMonthDayNanoArray, IntervalYearMonthArray,
    LargeStringArray, ListArray, NullArray, StringArray, StringViewArray, Time64MicrosecondArray,
    TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
    TimestampSecondArray, UInt64Array, UInt8Array,
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
            Some("1e+20"),
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
    let us = TimestampMicrosecondArray::from(vec![secs * 1_000_000 + 123_456, secs * 1_000_000]);
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
┌──────────────┬──────────────┬───────────────┐
│ l_returnflag │ l_linestatus │    sum_qty    │
│   varchar    │   varchar    │ decimal(15,2) │
├──────────────┼──────────────┼───────────────┤
│ A            │ F            │     380456.00 │
│ N            │ F            │       8971.00 │
└──────────────┴──────────────┴───────────────┘
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
┌───────┬─────────┬────────┬─────────┐
│  id   │  note   │   x    │   ok    │
│ int64 │ varchar │ double │ boolean │
├───────┼─────────┼────────┼─────────┤
│     1 │ a\\nb    │    1.0 │ true    │
│  NULL │ ü       │  -0.25 │ NULL    │
│  1000 │ NULL    │   NULL │ false   │
└───────┴─────────┴────────┴─────────┘
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
┌───────┬─────────┐
│   a   │  name   │
│ int32 │ varchar │
└───────┴─────────┘
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
┌───────┬─────────┐
│  id   │  label  │
│ int64 │ varchar │
├───────┼─────────┤
",
    );
    for i in 1..=20 {
        expected.push_str(&format!("│ {i:>5} │ {:<7} │\n", format!("row {i}")));
    }
    for _ in 0..3 {
        expected.push_str("│   ·   │    ·    │\n");
    }
    for i in 81..=100 {
        expected.push_str(&format!("│ {i:>5} │ {:<7} │\n", format!("row {i}")));
    }
    expected.push_str("└───────┴─────────┘\n100 rows (40 shown)\n");
    assert_eq!(text, expected);
    assert_eq!(text.lines().count(), 4 + 40 + 3 + 1 + 1);
    assert!(text.contains("│    20 │ row 20  │\n│   ·   │"));
    assert!(text.contains("│   ·   │    ·    │\n│    81 │ row 81  │"));
}

#[test]
fn table_small_elision_exact() {
    let (schema, b) = batch(vec![(
        "n",
        Arc::new(Int32Array::from_iter_values(1..=5)) as ArrayRef,
    )]);
    let text = format_batches(&schema, std::slice::from_ref(&b), OutputFormat::Table, 2).unwrap();
    assert_eq!(
        text,
        "\
┌───────┐
│   n   │
│ int32 │
├───────┤
│     1 │
│   ·   │
│   ·   │
│   ·   │
│     5 │
└───────┘
5 rows (2 shown)
"
    );
    // Exactly max_rows rows: no elision, no footer.
    let text = format_batches(&schema, &[b], OutputFormat::Table, 5).unwrap();
    assert!(!text.contains('·'));
    assert!(text.ends_with("│     5 │\n└───────┘\n"));
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

#[test]
fn doubles_switch_to_scientific_notation_like_duckdb() {
    let a = Float64Array::from(vec![
        1e16,
        1e15,
        1e-7,
        1e-4,
        1e-5,
        1e300,
        1e301,
        123456789.123,
        0.1 + 0.2,
        1.2345678901234568e17,
        -2.5e-9,
        9007199254740992.0,
    ]);
    assert_eq!(
        values(&a),
        strings(&[
            Some("1e+16"),
            Some("1000000000000000.0"),
            Some("1e-07"),
            Some("0.0001"),
            Some("1e-05"),
            Some("1e+300"),
            Some("1e+301"),
            Some("123456789.123"),
            Some("0.30000000000000004"),
            Some("1.2345678901234568e+17"),
            Some("-2.5e-09"),
            Some("9007199254740992.0"),
        ])
    );
    let f = Float32Array::from(vec![
        1e16f32,
        123_456.79,
        1.0 / 3.0,
        9_007_199_254_740_992.0,
    ]);
    assert_eq!(
        values(&f),
        strings(&[
            Some("1e+16"),
            Some("123456.79"),
            Some("0.33333334"),
            Some("9007199000000000.0"),
        ])
    );
}
