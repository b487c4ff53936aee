//! Random queries that check themselves, in the style of SQLancer's Ternary
//! Logic Partitioning (TLP; Rigger and Su, OOPSLA 2020).
//!
//! A predicate `p` is TRUE, FALSE or NULL on every row, so whatever `p` is,
//! a query equals (as a multiset) the union of its three partitions:
//!
//! ```text
//! SELECT e FROM f   ==   SELECT e FROM f WHERE p
//!                        UNION ALL SELECT e FROM f WHERE NOT (p)
//!                        UNION ALL SELECT e FROM f WHERE (p) IS NULL
//! ```
//!
//! The tester makes 2-3 small tables (few distinct values, NULLs and
//! duplicate rows, so joins and groups collide) and random queries over them:
//! inner, outer and comma joins; derived tables with filters, ORDER BY ...
//! LIMIT, window functions, groups, DISTINCT and set operations; predicates
//! with CASE, COALESCE, IN, BETWEEN, LIKE, arithmetic and subqueries (scalar,
//! EXISTS, IN, ANY, ALL), correlated through `=`, `<` or `<>`. Each query is
//! checked one of three ways, then across configurations:
//!
//! - WHERE: the query equals the UNION ALL of its partitions;
//! - DISTINCT: `SELECT DISTINCT` equals the UNION of the partitions;
//! - aggregates: `min`, `max`, `count` and `sum` per group (or over all rows)
//!   equal the `min`, `max` and `sum` of the partitions' aggregates; or, with
//!   the predicate in HAVING, the groups equal the UNION ALL of the HAVING
//!   partitions;
//! - configurations: the query and its partitions give the same rows with 1
//!   or 3 partitions, without broadcast joins and with sort-merge joins as
//!   with the reference (2 partitions); each query tries one in turn.
//!
//! Rows are compared as multisets of their text, numbers to 12 significant
//! digits. A query that fails in every form is skipped (quarry rejects
//! something in it), as is one whose scalar subquery returns several rows; a
//! query that runs in one form and fails in another is a failure. So is an
//! internal error with `QUARRY_FUZZ_STRICT=1`; by default it is skipped and
//! counted. A failure is shrunk (rows, joins, conjuncts, subexpressions,
//! columns) and reported as SQL to paste into `target/debug/quarry`.
//!
//! `cargo test --test fuzz` runs DEFAULT_QUERIES queries from a fixed seed.
//! To run for N seconds from a random seed (printed at the start, in failures
//! and in the closing summary of queries, skips and checks passed):
//! `QUARRY_FUZZ_SECONDS=600 cargo test --test fuzz -- --nocapture`.
//! `QUARRY_FUZZ_SEED=S` fixes the seed of either run.

use quarry::config::SessionConfig;
use quarry::repl::format::format_value;
use quarry::{QueryResult, Session};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The seed of the default run.
const DEFAULT_SEED: u64 = 1;
const DEFAULT_QUERIES: usize = 100;
const QUERIES_PER_DATABASE: usize = 10;
const MINIMISE_ATTEMPTS: usize = 400;
/// DuckDB's error for a scalar subquery of several rows: which rows reach the
/// subquery depends on the partition, so such a query proves nothing.
const MULTIPLE_ROWS: &str = "More than one row returned by a subquery";
const CANCELLED: &str = "Query cancelled";
const INTERNAL: &str = "Internal Error";
const COMPARISONS: [&str; 6] = ["=", "<>", "<", "<=", ">", ">="];

// ---------------------------------------------------------------------------
// Random numbers

/// splitmix64: deterministic, tiny, good enough to pick SQL.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn choose<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }
}

// ---------------------------------------------------------------------------
// Tables

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Type {
    Integer,
    BigInt,
    Double,
    Decimal,
    Varchar,
    Boolean,
    Date,
}

const TYPES: [Type; 7] = [
    Type::Integer,
    Type::BigInt,
    Type::Double,
    Type::Decimal,
    Type::Varchar,
    Type::Boolean,
    Type::Date,
];

/// Types that compare with each other without casts that could fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Number,
    Text,
    Boolean,
    Date,
}

impl Type {
    fn sql(self) -> &'static str {
        match self {
            Type::Integer => "INTEGER",
            Type::BigInt => "BIGINT",
            Type::Double => "DOUBLE",
            Type::Decimal => "DECIMAL(10,2)",
            Type::Varchar => "VARCHAR",
            Type::Boolean => "BOOLEAN",
            Type::Date => "DATE",
        }
    }

    fn family(self) -> Family {
        match self {
            Type::Integer | Type::BigInt | Type::Double | Type::Decimal => Family::Number,
            Type::Varchar => Family::Text,
            Type::Boolean => Family::Boolean,
            Type::Date => Family::Date,
        }
    }

    /// A value of the type's small domain, as SQL. Doubles are exact binary
    /// fractions so that sums do not depend on the order of addition.
    fn literal(self, rng: &mut Rng) -> String {
        let values: &[&str] = match self {
            Type::Integer => &["-1", "0", "1", "2", "3"],
            Type::BigInt => &["-2", "0", "1", "4", "5"],
            Type::Double => &["-1.5", "0.0", "0.5", "1.0", "2.25"],
            Type::Decimal => &["-1.50", "0.00", "0.25", "1.00", "2.50"],
            Type::Varchar => &["''", "'a'", "'b'", "'ab'", "'B'"],
            Type::Boolean => &["TRUE", "FALSE"],
            Type::Date => &[
                "DATE '2023-12-31'",
                "DATE '2024-01-01'",
                "DATE '2024-01-02'",
                "DATE '2024-02-29'",
            ],
        };
        rng.pick(values).to_string()
    }
}

impl Family {
    fn some_type(self, rng: &mut Rng) -> Type {
        match self {
            Family::Number => {
                rng.choose(&[Type::Integer, Type::BigInt, Type::Double, Type::Decimal])
            }
            Family::Text => Type::Varchar,
            Family::Boolean => Type::Boolean,
            Family::Date => Type::Date,
        }
    }
}

#[derive(Clone, Debug)]
struct Table {
    name: String,
    columns: Vec<(String, Type)>,
    /// Values as SQL literals, `NULL` included.
    rows: Vec<Vec<String>>,
}

impl Table {
    fn column_type(&self, name: &str) -> Option<Type> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t)
    }

    fn column_names(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        names.join(", ")
    }
}

#[derive(Clone, Debug)]
struct Database {
    tables: Vec<Table>,
}

impl Database {
    fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// CREATE TABLE and INSERT statements, one a line.
    fn statements(&self) -> Vec<String> {
        let mut out = vec![];
        for table in &self.tables {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|(name, t)| format!("{name} {}", t.sql()))
                .collect();
            out.push(format!(
                "CREATE TABLE {} ({});",
                table.name,
                columns.join(", ")
            ));
            if !table.rows.is_empty() {
                let rows: Vec<String> = table
                    .rows
                    .iter()
                    .map(|row| format!("({})", row.join(", ")))
                    .collect();
                out.push(format!(
                    "INSERT INTO {} VALUES {};",
                    table.name,
                    rows.join(", ")
                ));
            }
        }
        out
    }
}

fn generate_database(rng: &mut Rng) -> Database {
    let count = 2 + rng.below(2);
    let tables = (0..count).map(|i| generate_table(rng, i)).collect();
    Database { tables }
}

/// A table of 0 to 30 rows; its first column is an INTEGER so that every
/// table has a join key in common with every other.
fn generate_table(rng: &mut Rng, index: usize) -> Table {
    let width = 2 + rng.below(4);
    let columns: Vec<(String, Type)> = (0..width)
        .map(|i| {
            let t = if i == 0 {
                Type::Integer
            } else {
                rng.choose(&TYPES)
            };
            (format!("c{i}"), t)
        })
        .collect();
    let count = if rng.percent(10) {
        0
    } else {
        1 + rng.below(30)
    };
    let mut rows: Vec<Vec<String>> = vec![];
    while rows.len() < count {
        if !rows.is_empty() && rng.percent(20) {
            let copy = rows[rng.below(rows.len())].clone();
            rows.push(copy);
            continue;
        }
        let row = columns
            .iter()
            .map(|(_, t)| {
                if rng.percent(20) {
                    "NULL".to_string()
                } else {
                    t.literal(rng)
                }
            })
            .collect();
        rows.push(row);
    }
    Table {
        name: format!("t{index}"),
        columns,
        rows,
    }
}

// ---------------------------------------------------------------------------
// Expressions

/// A scalar expression. Leaves (columns, literals, aggregate calls) are shown
/// as they are; nodes are what the minimiser takes apart.
#[derive(Clone, Debug)]
enum Expr {
    Leaf(String),
    Node(Kind, Vec<Expr>),
}

#[derive(Clone, Debug)]
enum Kind {
    /// `(a op b)`: comparisons, AND, OR, arithmetic, `||`, LIKE.
    Binary(&'static str),
    Not,
    Negate,
    IsNull {
        negated: bool,
    },
    /// `a IN (b, c, ...)`.
    InList {
        negated: bool,
    },
    Between {
        negated: bool,
    },
    /// `CASE WHEN a THEN b [WHEN c THEN d] ELSE e END`.
    Case,
    Function(&'static str),
    /// Operands: the selected expression, the WHERE condition (`TRUE` for
    /// none) and, for IN and quantified comparisons, the left side.
    Subquery(Box<Subquery>),
}

#[derive(Clone, Debug)]
struct Subquery {
    form: Form,
    table: String,
    alias: String,
    group_by: Option<String>,
    /// `ORDER BY 1 LIMIT 1`: one row, the same whatever the row order.
    limit: bool,
}

#[derive(Clone, Debug)]
enum Form {
    Scalar,
    Exists {
        negated: bool,
    },
    In {
        negated: bool,
    },
    /// `a op ANY (...)` or `a op ALL (...)`.
    Quantified {
        operator: &'static str,
        all: bool,
    },
}

fn leaf(text: &str) -> Expr {
    Expr::Leaf(text.to_string())
}

fn binary(operator: &'static str, left: Expr, right: Expr) -> Expr {
    Expr::Node(Kind::Binary(operator), vec![left, right])
}

fn not_keyword(negated: bool) -> &'static str {
    if negated {
        "NOT "
    } else {
        ""
    }
}

impl Expr {
    fn is_true(&self) -> bool {
        matches!(self, Expr::Leaf(text) if text == "TRUE")
    }

    fn render(&self) -> String {
        let (kind, args) = match self {
            Expr::Leaf(text) => return text.clone(),
            Expr::Node(kind, args) => (kind, args),
        };
        let a: Vec<String> = args.iter().map(Expr::render).collect();
        match kind {
            Kind::Binary(operator) => format!("({} {operator} {})", a[0], a[1]),
            Kind::Not => format!("(NOT {})", a[0]),
            Kind::Negate => format!("(- {})", a[0]),
            Kind::IsNull { negated } => format!("({} IS {}NULL)", a[0], not_keyword(*negated)),
            Kind::InList { negated } => format!(
                "({} {}IN ({}))",
                a[0],
                not_keyword(*negated),
                a[1..].join(", ")
            ),
            Kind::Between { negated } => format!(
                "({} {}BETWEEN {} AND {})",
                a[0],
                not_keyword(*negated),
                a[1],
                a[2]
            ),
            Kind::Case => {
                let mut sql = "CASE".to_string();
                for pair in a[..a.len() - 1].chunks(2) {
                    write!(sql, " WHEN {} THEN {}", pair[0], pair[1]).unwrap();
                }
                format!("{sql} ELSE {} END", a[a.len() - 1])
            }
            Kind::Function(name) => format!("{name}({})", a.join(", ")),
            Kind::Subquery(subquery) => subquery.render(&a),
        }
    }

    /// Expressions one step simpler: the node replaced by an operand, a list
    /// shortened, or an operand simplified. Some may not type-check; the
    /// minimiser drops those because they fail in every form.
    fn simplifications(&self) -> Vec<Expr> {
        let Expr::Node(kind, args) = self else {
            return vec![];
        };
        let mut out: Vec<Expr> = args.clone();
        let without = |i: usize| {
            let mut fewer = args.clone();
            fewer.remove(i);
            Expr::Node(kind.clone(), fewer)
        };
        match kind {
            Kind::InList { .. } if args.len() > 2 => out.extend((1..args.len()).map(without)),
            Kind::Function(_) if args.len() > 1 => out.extend((0..args.len()).map(without)),
            Kind::Case if args.len() > 3 => {
                out.push(Expr::Node(Kind::Case, args[2..].to_vec()));
            }
            Kind::Subquery(subquery) => {
                let mut variants = vec![];
                if subquery.group_by.is_some() {
                    variants.push((None, subquery.limit, args[1].clone()));
                }
                if subquery.limit {
                    variants.push((subquery.group_by.clone(), false, args[1].clone()));
                }
                if !args[1].is_true() {
                    variants.push((subquery.group_by.clone(), subquery.limit, leaf("TRUE")));
                }
                for (group_by, limit, filter) in variants {
                    let shape = Subquery {
                        group_by,
                        limit,
                        ..(**subquery).clone()
                    };
                    let mut operands = args.clone();
                    operands[1] = filter;
                    out.push(Expr::Node(Kind::Subquery(Box::new(shape)), operands));
                }
            }
            _ => {}
        }
        for (i, arg) in args.iter().enumerate() {
            for simpler in arg.simplifications() {
                let mut operands = args.clone();
                operands[i] = simpler;
                out.push(Expr::Node(kind.clone(), operands));
            }
        }
        out
    }
}

impl Subquery {
    fn render(&self, args: &[String]) -> String {
        let mut body = format!("SELECT {} FROM {} AS {}", args[0], self.table, self.alias);
        if args[1] != "TRUE" {
            write!(body, " WHERE {}", args[1]).unwrap();
        }
        if let Some(key) = &self.group_by {
            write!(body, " GROUP BY {key}").unwrap();
        }
        if self.limit {
            body.push_str(" ORDER BY 1 LIMIT 1");
        }
        match &self.form {
            Form::Scalar => format!("({body})"),
            Form::Exists { negated } => format!("({}EXISTS ({body}))", not_keyword(*negated)),
            Form::In { negated } => format!("({} {}IN ({body}))", args[2], not_keyword(*negated)),
            Form::Quantified { operator, all } => {
                let quantifier = if *all { "ALL" } else { "ANY" };
                format!("({} {operator} {quantifier} ({body}))", args[2])
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Queries

/// A FROM item: a table, or a derived table over one or two tables. Each
/// derived table gives the same multiset of rows whatever the order of ties:
/// rows are ordered by every column, so tied rows are equal rows.
#[derive(Clone, Debug)]
enum Source {
    Table(String),
    /// `SELECT * FROM table AS alias WHERE predicate`.
    Filtered {
        table: String,
        alias: String,
        predicate: Expr,
    },
    /// `SELECT * FROM table ORDER BY every column LIMIT n`.
    Limited {
        table: String,
        descending: bool,
        limit: usize,
    },
    /// Every column, `row_number()` over the partition ordered by every
    /// column as `w0`, and `function` as `w1`.
    Window {
        table: String,
        partition: Option<String>,
        value: String,
        function: WindowFunction,
    },
    /// `key, count(*) AS n, max(value) AS m ... GROUP BY key`.
    Grouped {
        table: String,
        key: String,
        value: String,
    },
    /// `SELECT l AS u0, ... FROM left op SELECT r, ... FROM right`.
    SetOperation {
        operator: &'static str,
        left: String,
        right: String,
        pairs: Vec<(String, String)>,
    },
    Distinct {
        table: String,
        columns: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug)]
enum WindowFunction {
    /// `sum(value)` (`count` for non-numbers) over the whole partition.
    Total,
    /// The same over the rows up to the current one and its peers.
    RunningTotal,
    Rank,
    DenseRank,
    Lag,
    /// `max(value)` over the previous and the current row.
    MovingMax,
}

const WINDOW_FUNCTIONS: [WindowFunction; 6] = [
    WindowFunction::Total,
    WindowFunction::RunningTotal,
    WindowFunction::Rank,
    WindowFunction::DenseRank,
    WindowFunction::Lag,
    WindowFunction::MovingMax,
];

impl WindowFunction {
    fn result_type(self, value: Type) -> Type {
        match self {
            WindowFunction::Total | WindowFunction::RunningTotal => match value {
                Type::Double | Type::Decimal => value,
                _ => Type::BigInt,
            },
            WindowFunction::Rank | WindowFunction::DenseRank => Type::BigInt,
            WindowFunction::Lag | WindowFunction::MovingMax => value,
        }
    }

    /// The call with its OVER clause; `partition` is `PARTITION BY x ` or
    /// empty, `all` every column of the table.
    fn render(self, value: &str, value_type: Type, partition: &str, all: &str) -> String {
        let total = if value_type.family() == Family::Number {
            "sum"
        } else {
            "count"
        };
        match self {
            WindowFunction::Total => format!("{total}({value}) OVER ({})", partition.trim_end()),
            WindowFunction::RunningTotal => {
                format!("{total}({value}) OVER ({partition}ORDER BY {all})")
            }
            WindowFunction::Rank => format!("rank() OVER ({partition}ORDER BY {value})"),
            WindowFunction::DenseRank => {
                format!("dense_rank() OVER ({partition}ORDER BY {value})")
            }
            WindowFunction::Lag => format!("lag({value}) OVER ({partition}ORDER BY {all})"),
            WindowFunction::MovingMax => format!(
                "max({value}) OVER ({partition}ORDER BY {all} \
                 ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)"
            ),
        }
    }
}

impl Source {
    fn table(&self) -> &str {
        match self {
            Source::Table(table)
            | Source::Filtered { table, .. }
            | Source::Limited { table, .. }
            | Source::Window { table, .. }
            | Source::Grouped { table, .. }
            | Source::Distinct { table, .. } => table,
            Source::SetOperation { left, .. } => left,
        }
    }

    /// The columns the source shows, with their types.
    fn columns(&self, database: &Database) -> Vec<(String, Type)> {
        let Some(table) = database.table(self.table()) else {
            return vec![];
        };
        let type_of = |name: &str| table.column_type(name).unwrap_or(Type::Integer);
        match self {
            Source::Table(_) | Source::Filtered { .. } | Source::Limited { .. } => {
                table.columns.clone()
            }
            Source::Window {
                value, function, ..
            } => {
                let mut columns = table.columns.clone();
                columns.push(("w0".into(), Type::BigInt));
                columns.push(("w1".into(), function.result_type(type_of(value))));
                columns
            }
            Source::Grouped { key, value, .. } => vec![
                (key.clone(), type_of(key)),
                ("n".into(), Type::BigInt),
                ("m".into(), type_of(value)),
            ],
            Source::SetOperation { pairs, .. } => pairs
                .iter()
                .enumerate()
                .map(|(i, (left, _))| (format!("u{i}"), type_of(left)))
                .collect(),
            Source::Distinct { columns, .. } => {
                columns.iter().map(|c| (c.clone(), type_of(c))).collect()
            }
        }
    }

    fn render(&self, database: &Database, alias: &str) -> String {
        let table = database.table(self.table());
        let all = table.map(Table::column_names).unwrap_or_default();
        let body = match self {
            Source::Table(name) => return format!("{name} AS {alias}"),
            Source::Filtered {
                table: name,
                alias: inner,
                predicate,
            } => format!(
                "SELECT * FROM {name} AS {inner} WHERE {}",
                predicate.render()
            ),
            Source::Limited {
                table: name,
                descending,
                limit,
            } => {
                let order = if *descending {
                    let columns: Vec<String> = table
                        .iter()
                        .flat_map(|t| &t.columns)
                        .map(|(c, _)| format!("{c} DESC"))
                        .collect();
                    columns.join(", ")
                } else {
                    all.clone()
                };
                format!("SELECT * FROM {name} ORDER BY {order} LIMIT {limit}")
            }
            Source::Window {
                table: name,
                partition,
                value,
                function,
            } => {
                let value_type = table
                    .and_then(|t| t.column_type(value))
                    .unwrap_or(Type::Integer);
                let partition = partition
                    .as_ref()
                    .map(|p| format!("PARTITION BY {p} "))
                    .unwrap_or_default();
                format!(
                    "SELECT *, row_number() OVER ({partition}ORDER BY {all}) AS w0, {} AS w1 \
                     FROM {name}",
                    function.render(value, value_type, &partition, &all)
                )
            }
            Source::Grouped {
                table: name,
                key,
                value,
            } => {
                format!("SELECT {key}, count(*) AS n, max({value}) AS m FROM {name} GROUP BY {key}")
            }
            Source::SetOperation {
                operator,
                left,
                right,
                pairs,
            } => {
                let lefts: Vec<String> = pairs
                    .iter()
                    .enumerate()
                    .map(|(i, (l, _))| format!("{l} AS u{i}"))
                    .collect();
                let rights: Vec<&str> = pairs.iter().map(|(_, r)| r.as_str()).collect();
                format!(
                    "SELECT {} FROM {left} {operator} SELECT {} FROM {right}",
                    lefts.join(", "),
                    rights.join(", ")
                )
            }
            Source::Distinct {
                table: name,
                columns,
            } => format!("SELECT DISTINCT {} FROM {name}", columns.join(", ")),
        };
        format!("({body}) AS {alias}")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    Comma,
    Inner,
    Left,
    Right,
    Full,
}

#[derive(Clone, Debug)]
struct FromItem {
    source: Source,
    alias: String,
    /// How the item joins those before it (ignored for the first).
    join: Join,
    on: Expr,
}

fn render_from(database: &Database, from: &[FromItem]) -> String {
    let mut sql = " FROM ".to_string();
    for (i, item) in from.iter().enumerate() {
        let source = item.source.render(database, &item.alias);
        let keyword = match item.join {
            _ if i == 0 => {
                sql.push_str(&source);
                continue;
            }
            Join::Comma => {
                write!(sql, ", {source}").unwrap();
                continue;
            }
            Join::Inner => "JOIN",
            Join::Left => "LEFT JOIN",
            Join::Right => "RIGHT JOIN",
            Join::Full => "FULL JOIN",
        };
        write!(sql, " {keyword} {source} ON {}", item.on.render()).unwrap();
    }
    sql
}

#[derive(Clone, Debug)]
struct Aggregate {
    function: &'static str,
    argument: Expr,
}

impl Aggregate {
    fn render(&self) -> String {
        format!("{}({})", self.function, self.argument.render())
    }

    /// The aggregate that combines this one's results over the partitions.
    fn combiner(&self) -> &'static str {
        match self.function {
            "min" => "min",
            "max" => "max",
            _ => "sum",
        }
    }
}

/// What the predicate partitions, and so how the partitions recombine.
#[derive(Clone, Debug)]
enum Check {
    Where {
        fetch: Vec<Expr>,
    },
    Distinct {
        fetch: Vec<Expr>,
    },
    /// Aggregates per group (one group without keys); the predicate goes to
    /// WHERE, or to HAVING when `having`.
    Grouped {
        keys: Vec<Expr>,
        aggregates: Vec<Aggregate>,
        having: bool,
    },
}

#[derive(Clone, Debug)]
struct Query {
    from: Vec<FromItem>,
    check: Check,
    predicate: Expr,
}

fn list(exprs: &[Expr]) -> String {
    let items: Vec<String> = exprs.iter().map(Expr::render).collect();
    items.join(", ")
}

impl Query {
    /// The query the partitions must add up to.
    fn base(&self, database: &Database) -> String {
        match &self.check {
            Check::Distinct { fetch } => format!(
                "SELECT DISTINCT {}{}",
                list(fetch),
                render_from(database, &self.from)
            ),
            _ => self.branch(database, None),
        }
    }

    /// The query restricted to rows where the predicate is TRUE, FALSE, NULL.
    fn partitions(&self, database: &Database) -> [String; 3] {
        let p = self.predicate.render();
        [
            self.branch(database, Some(&p)),
            self.branch(database, Some(&format!("NOT ({p})"))),
            self.branch(database, Some(&format!("({p}) IS NULL"))),
        ]
    }

    /// The three partitions put back together in one query.
    fn combined(&self, database: &Database) -> String {
        let branches = self.partitions(database);
        match &self.check {
            Check::Where { .. } | Check::Grouped { having: true, .. } => {
                branches.join(" UNION ALL ")
            }
            Check::Distinct { .. } => branches.join(" UNION "),
            Check::Grouped {
                keys, aggregates, ..
            } => {
                let keys: Vec<String> = (0..keys.len()).map(|i| format!("k{i}")).collect();
                let mut items = keys.clone();
                for (i, aggregate) in aggregates.iter().enumerate() {
                    items.push(format!("{}(a{i}) AS a{i}", aggregate.combiner()));
                }
                let group = if keys.is_empty() {
                    String::new()
                } else {
                    format!(" GROUP BY {}", keys.join(", "))
                };
                format!(
                    "SELECT {} FROM ({}) AS u{group}",
                    items.join(", "),
                    branches.join(" UNION ALL ")
                )
            }
        }
    }

    /// The query with `filter` in WHERE (HAVING for a HAVING check).
    fn branch(&self, database: &Database, filter: Option<&str>) -> String {
        let from = render_from(database, &self.from);
        let (keys, aggregates, having) = match &self.check {
            Check::Where { fetch } | Check::Distinct { fetch } => {
                let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
                return format!("SELECT {}{from}{filter}", list(fetch));
            }
            Check::Grouped {
                keys,
                aggregates,
                having,
            } => (keys, aggregates, having),
        };
        let mut items: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, key)| format!("{} AS k{i}", key.render()))
            .collect();
        for (i, aggregate) in aggregates.iter().enumerate() {
            items.push(format!("{} AS a{i}", aggregate.render()));
        }
        let items = items.join(", ");
        let group = if keys.is_empty() {
            String::new()
        } else {
            format!(" GROUP BY {}", list(keys))
        };
        match (filter, having) {
            (None, _) => format!("SELECT {items}{from}{group}"),
            (Some(f), true) => format!("SELECT {items}{from}{group} HAVING {f}"),
            (Some(f), false) => format!("SELECT {items}{from} WHERE {f}{group}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Generator

/// What an expression may name: qualified columns, or in HAVING the group
/// keys and aggregate calls; and how many more subqueries may nest.
#[derive(Clone)]
struct Scope {
    atoms: Vec<(String, Type)>,
    nesting: usize,
}

struct Generator<'a> {
    rng: &'a mut Rng,
    database: &'a Database,
    aliases: usize,
}

impl Generator<'_> {
    fn query(&mut self) -> Query {
        let count = match self.rng.below(10) {
            0..=3 => 1,
            4..=7 => 2,
            _ => 3,
        };
        let mut from = vec![];
        let mut atoms: Vec<(String, Type)> = vec![];
        for i in 0..count {
            let source = self.source();
            let alias = format!("f{i}");
            let columns: Vec<(String, Type)> = source
                .columns(self.database)
                .into_iter()
                .map(|(name, t)| (format!("{alias}.{name}"), t))
                .collect();
            // A comma join only comes last: JOIN binds tighter than a comma,
            // so an ON after it could not see the items before the comma.
            let join = match self.rng.below(10) {
                _ if i == 0 => Join::Inner,
                0..=1 if i + 1 == count => Join::Comma,
                0..=3 => Join::Inner,
                4..=5 => Join::Left,
                6..=7 => Join::Right,
                _ => Join::Full,
            };
            let on = if i == 0 || join == Join::Comma {
                leaf("TRUE")
            } else {
                self.join_condition(&atoms, &columns)
            };
            atoms.extend(columns);
            from.push(FromItem {
                source,
                alias,
                join,
                on,
            });
        }
        let scope = Scope { atoms, nesting: 2 };
        let (check, predicate) = match self.rng.below(20) {
            0..=8 => (
                Check::Where {
                    fetch: self.fetch(&scope),
                },
                self.predicate(&scope, 3),
            ),
            9..=10 => (
                Check::Distinct {
                    fetch: self.fetch(&scope),
                },
                self.predicate(&scope, 3),
            ),
            11..=16 => {
                let (keys, aggregates, _) = self.grouping(&scope);
                let check = Check::Grouped {
                    keys,
                    aggregates,
                    having: false,
                };
                (check, self.predicate(&scope, 3))
            }
            _ => {
                let (keys, aggregates, having) = self.grouping(&scope);
                let check = Check::Grouped {
                    keys,
                    aggregates,
                    having: true,
                };
                (check, self.predicate(&having, 2))
            }
        };
        Query {
            from,
            check,
            predicate,
        }
    }

    fn source(&mut self) -> Source {
        let database = self.database;
        let table = self.rng.pick(&database.tables);
        let name = table.name.clone();
        let column = |rng: &mut Rng| rng.pick(&table.columns).0.clone();
        match self.rng.below(24) {
            0..=12 => Source::Table(name),
            13..=14 => {
                self.aliases += 1;
                let alias = format!("d{}", self.aliases);
                let atoms = table
                    .columns
                    .iter()
                    .map(|(c, t)| (format!("{alias}.{c}"), *t))
                    .collect();
                let scope = Scope { atoms, nesting: 1 };
                Source::Filtered {
                    table: name,
                    alias,
                    predicate: self.predicate(&scope, 2),
                }
            }
            15 => Source::Limited {
                table: name,
                descending: self.rng.percent(50),
                limit: 1 + self.rng.below(8),
            },
            16..=17 => Source::Window {
                table: name,
                partition: self.rng.percent(85).then(|| column(self.rng)),
                value: column(self.rng),
                function: self.rng.choose(&WINDOW_FUNCTIONS),
            },
            18..=19 => Source::Grouped {
                table: name,
                key: column(self.rng),
                value: column(self.rng),
            },
            20..=21 => {
                let right = self.rng.pick(&database.tables);
                let mut pairs: Vec<(String, String)> = vec![];
                for _ in 0..1 + self.rng.below(2) {
                    let (left, t) = self.rng.pick(&table.columns);
                    let partners: Vec<&String> = right
                        .columns
                        .iter()
                        .filter(|(_, r)| r.family() == t.family())
                        .map(|(n, _)| n)
                        .collect();
                    if !partners.is_empty() {
                        pairs.push((left.clone(), self.rng.pick(&partners).to_string()));
                    }
                }
                if pairs.is_empty() {
                    return Source::Table(name);
                }
                let operators = [
                    "UNION ALL",
                    "UNION",
                    "INTERSECT",
                    "EXCEPT",
                    "INTERSECT ALL",
                    "EXCEPT ALL",
                ];
                Source::SetOperation {
                    operator: self.rng.choose(&operators),
                    left: name,
                    right: right.name.clone(),
                    pairs,
                }
            }
            _ => {
                let mut columns = vec![column(self.rng)];
                let other = column(self.rng);
                if !columns.contains(&other) {
                    columns.push(other);
                }
                Source::Distinct {
                    table: name,
                    columns,
                }
            }
        }
    }

    /// Mostly an equality between a column of the new item and one before
    /// it, sometimes with more; otherwise any predicate over both.
    fn join_condition(&mut self, before: &[(String, Type)], new: &[(String, Type)]) -> Expr {
        let mut atoms = before.to_vec();
        atoms.extend(new.iter().cloned());
        let nesting = usize::from(self.rng.percent(20));
        let both = Scope { atoms, nesting };
        if self.rng.percent(70) && !new.is_empty() {
            let (column, t) = self.rng.pick(new).clone();
            let earlier = Scope {
                atoms: before.to_vec(),
                nesting: 0,
            };
            if let Some(other) = self.atom(&earlier, t.family()) {
                let equal = binary("=", Expr::Leaf(column), other);
                if self.rng.percent(30) {
                    return binary("AND", equal, self.predicate(&both, 1));
                }
                return equal;
            }
        }
        self.predicate(&both, 2)
    }

    fn fetch(&mut self, scope: &Scope) -> Vec<Expr> {
        (0..1 + self.rng.below(3))
            .map(|_| {
                if self.rng.percent(75) {
                    Expr::Leaf(self.rng.pick(&scope.atoms).0.clone())
                } else {
                    let family = self.family();
                    self.value(scope, family, 1)
                }
            })
            .collect()
    }

    /// Group keys and aggregates, and the scope of a HAVING over them.
    fn grouping(&mut self, scope: &Scope) -> (Vec<Expr>, Vec<Aggregate>, Scope) {
        let mut having = Scope {
            atoms: vec![],
            nesting: 1,
        };
        let mut keys = vec![];
        for _ in 0..self.rng.below(3) {
            if self.rng.percent(85) {
                let (name, t) = self.rng.pick(&scope.atoms).clone();
                keys.push(Expr::Leaf(name.clone()));
                having.atoms.push((name, t));
            } else {
                let family = self.family();
                keys.push(self.value(scope, family, 1));
            }
        }
        let mut aggregates = vec![];
        for _ in 0..1 + self.rng.below(3) {
            let (aggregate, t) = self.aggregate(scope);
            having.atoms.push((aggregate.render(), t));
            aggregates.push(aggregate);
        }
        for _ in 0..self.rng.below(3) {
            let (aggregate, t) = self.aggregate(scope);
            having.atoms.push((aggregate.render(), t));
        }
        (keys, aggregates, having)
    }

    fn aggregate(&mut self, scope: &Scope) -> (Aggregate, Type) {
        let (name, t) = self.rng.pick(&scope.atoms).clone();
        let (function, argument, t) = match self.rng.below(5) {
            0 => ("count", leaf("*"), Type::BigInt),
            1 => ("count", Expr::Leaf(name), Type::BigInt),
            2 => ("sum", self.value(scope, Family::Number, 1), Type::BigInt),
            3 => ("min", Expr::Leaf(name), t),
            _ => ("max", Expr::Leaf(name), t),
        };
        (Aggregate { function, argument }, t)
    }

    fn family(&mut self) -> Family {
        match self.rng.below(20) {
            0..=9 => Family::Number,
            10..=13 => Family::Text,
            14..=16 => Family::Date,
            _ => Family::Boolean,
        }
    }

    fn atom(&mut self, scope: &Scope, family: Family) -> Option<Expr> {
        let matching: Vec<&(String, Type)> = scope
            .atoms
            .iter()
            .filter(|(_, t)| t.family() == family)
            .collect();
        if matching.is_empty() {
            return None;
        }
        Some(Expr::Leaf(self.rng.pick(&matching).0.clone()))
    }

    fn literal(&mut self, family: Family) -> Expr {
        if self.rng.percent(8) {
            return leaf("NULL");
        }
        let t = family.some_type(self.rng);
        Expr::Leaf(t.literal(self.rng))
    }

    /// An atom of the family, or a literal.
    fn operand(&mut self, scope: &Scope, family: Family) -> Expr {
        if self.rng.percent(75) {
            if let Some(atom) = self.atom(scope, family) {
                return atom;
            }
        }
        self.literal(family)
    }

    fn value(&mut self, scope: &Scope, family: Family, depth: usize) -> Expr {
        if depth == 0 || self.rng.percent(45) {
            return self.operand(scope, family);
        }
        let d = depth - 1;
        match (self.rng.below(10), family) {
            (0..=2, Family::Number) => {
                let operator = self.rng.choose(&["+", "-", "*"]);
                binary(
                    operator,
                    self.value(scope, family, d),
                    self.value(scope, family, d),
                )
            }
            (0..=2, Family::Text) => {
                if self.rng.percent(50) {
                    binary(
                        "||",
                        self.value(scope, family, d),
                        self.value(scope, family, d),
                    )
                } else {
                    let name = self.rng.choose(&["upper", "lower"]);
                    Expr::Node(Kind::Function(name), vec![self.value(scope, family, d)])
                }
            }
            (0..=2, Family::Date) => {
                let operator = self.rng.choose(&["+", "-"]);
                let days = Type::Integer.literal(self.rng);
                // NULL + 1 would be an INTEGER, not a DATE.
                let date = match self.value(scope, family, d) {
                    Expr::Leaf(null) if null == "NULL" => Expr::Leaf(Type::Date.literal(self.rng)),
                    date => date,
                };
                binary(operator, date, Expr::Leaf(days))
            }
            (0..=2, Family::Boolean) => self.predicate(scope, d),
            (3, _) => Expr::Node(
                Kind::Case,
                vec![
                    self.predicate(scope, d),
                    self.value(scope, family, d),
                    self.value(scope, family, d),
                ],
            ),
            (4, _) => Expr::Node(
                Kind::Function("coalesce"),
                vec![self.value(scope, family, d), self.value(scope, family, d)],
            ),
            (5, _) => Expr::Node(
                Kind::Function("nullif"),
                vec![self.value(scope, family, d), self.value(scope, family, d)],
            ),
            (6, Family::Number) => match self.rng.below(3) {
                0 => Expr::Node(Kind::Function("abs"), vec![self.value(scope, family, d)]),
                1 => Expr::Node(Kind::Negate, vec![self.value(scope, family, d)]),
                _ => Expr::Node(
                    Kind::Function("length"),
                    vec![self.value(scope, Family::Text, d)],
                ),
            },
            (7, _) if scope.nesting > 0 => self.subquery(scope, Form::Scalar, family),
            _ => self.operand(scope, family),
        }
    }

    fn predicate(&mut self, scope: &Scope, depth: usize) -> Expr {
        if depth == 0 {
            return self.comparison(scope, 0);
        }
        let d = depth - 1;
        match self.rng.below(14) {
            0..=2 => binary("AND", self.predicate(scope, d), self.predicate(scope, d)),
            3..=4 => binary("OR", self.predicate(scope, d), self.predicate(scope, d)),
            5 => Expr::Node(Kind::Not, vec![self.predicate(scope, d)]),
            6..=7 if scope.nesting > 0 => self.subquery_predicate(scope),
            8 => Expr::Node(
                Kind::Case,
                vec![
                    self.predicate(scope, d),
                    self.predicate(scope, d),
                    self.predicate(scope, d),
                ],
            ),
            _ => self.comparison(scope, depth.min(2)),
        }
    }

    /// A predicate without AND, OR, NOT: a comparison, IS NULL, IN list,
    /// BETWEEN, LIKE or a boolean value.
    fn comparison(&mut self, scope: &Scope, depth: usize) -> Expr {
        let family = self.family();
        let left = self.value(scope, family, depth);
        match self.rng.below(10) {
            4 => Expr::Node(
                Kind::IsNull {
                    negated: self.rng.percent(50),
                },
                vec![left],
            ),
            5 => {
                let mut args = vec![left];
                for _ in 0..1 + self.rng.below(3) {
                    args.push(self.operand(scope, family));
                }
                let negated = self.rng.percent(40);
                Expr::Node(Kind::InList { negated }, args)
            }
            6 => {
                let low = self.operand(scope, family);
                let high = self.operand(scope, family);
                let negated = self.rng.percent(30);
                Expr::Node(Kind::Between { negated }, vec![left, low, high])
            }
            7 if family == Family::Text => {
                let operator = self.rng.choose(&["LIKE", "NOT LIKE"]);
                let pattern = self.rng.choose(&["'a%'", "'%b'", "'_'", "'%'"]);
                binary(operator, left, leaf(pattern))
            }
            8 if family == Family::Boolean => left,
            _ => {
                let operators = [
                    "=",
                    "<>",
                    "<",
                    "<=",
                    ">",
                    ">=",
                    "IS DISTINCT FROM",
                    "IS NOT DISTINCT FROM",
                ];
                let operator = self.rng.choose(&operators);
                binary(operator, left, self.value(scope, family, depth))
            }
        }
    }

    fn subquery_predicate(&mut self, scope: &Scope) -> Expr {
        let family = self.family();
        let form = match self.rng.below(6) {
            0 => Form::Exists { negated: false },
            1 => Form::Exists { negated: true },
            2 => Form::In { negated: false },
            3 => Form::In { negated: true },
            _ => Form::Quantified {
                operator: self.rng.choose(&COMPARISONS),
                all: self.rng.percent(50),
            },
        };
        self.subquery(scope, form, family)
    }

    /// A subquery over one table, usually correlated with the outer scope
    /// through `=`, `<` or `<>`, selecting a value of `family`.
    fn subquery(&mut self, scope: &Scope, form: Form, family: Family) -> Expr {
        let database = self.database;
        let candidates: Vec<&Table> = database
            .tables
            .iter()
            .filter(|t| t.columns.iter().any(|(_, c)| c.family() == family))
            .collect();
        let table = if candidates.is_empty() {
            self.rng.pick(&database.tables)
        } else {
            *self.rng.pick(&candidates)
        };
        self.aliases += 1;
        let alias = format!("s{}", self.aliases);
        let inner: Vec<(String, Type)> = table
            .columns
            .iter()
            .map(|(name, t)| (format!("{alias}.{name}"), *t))
            .collect();
        let nesting = scope.nesting - 1;
        let local = Scope {
            atoms: inner.clone(),
            nesting,
        };
        let mut both = local.clone();
        both.atoms.extend(scope.atoms.iter().cloned());

        let mut filter = leaf("TRUE");
        if self.rng.percent(70) {
            let (column, t) = self.rng.pick(&inner).clone();
            if let Some(outer) = self.atom(scope, t.family()) {
                let operator = self.rng.choose(&["=", "=", "<", "<>"]);
                filter = binary(operator, Expr::Leaf(column), outer);
            }
        }
        if self.rng.percent(40) {
            let within = if self.rng.percent(50) { &local } else { &both };
            let extra = self.predicate(within, 1);
            filter = if filter.is_true() {
                extra
            } else {
                binary("AND", filter, extra)
            };
        }

        let column = self.operand(&local, family);
        let mut group_by = None;
        let mut limit = false;
        let select = match form {
            Form::Exists { .. } => leaf(self.rng.choose(&["1", "*"])),
            Form::Scalar => match self.rng.below(5) {
                0..=2 => self.subquery_aggregate(family, column),
                3 => {
                    limit = true;
                    column
                }
                _ => column,
            },
            Form::In { .. } | Form::Quantified { .. } => match self.rng.below(6) {
                0 => {
                    group_by = Some(self.rng.pick(&inner).0.clone());
                    self.subquery_aggregate(family, column)
                }
                1 => self.value(&both, family, 1),
                2 => {
                    limit = true;
                    column
                }
                _ => column,
            },
        };
        let mut args = vec![select, filter];
        if matches!(form, Form::In { .. } | Form::Quantified { .. }) {
            args.push(self.value(scope, family, 1));
        }
        let shape = Subquery {
            form,
            table: table.name.clone(),
            alias,
            group_by,
            limit,
        };
        Expr::Node(Kind::Subquery(Box::new(shape)), args)
    }

    fn subquery_aggregate(&mut self, family: Family, column: Expr) -> Expr {
        let functions: &[&str] = if family == Family::Number {
            &[
                "min",
                "max",
                "sum",
                "avg",
                "count",
                "count(*)",
                "count(DISTINCT",
            ]
        } else {
            &["min", "max"]
        };
        match self.rng.choose(functions) {
            "count(*)" => leaf("count(*)"),
            "count(DISTINCT" => Expr::Leaf(format!("count(DISTINCT {})", column.render())),
            name => Expr::Node(Kind::Function(name), vec![column]),
        }
    }
}

// ---------------------------------------------------------------------------
// Running queries

/// The settings a query runs under; the first is the reference.
#[derive(Clone, Copy, Debug)]
struct Configuration {
    name: &'static str,
    target_partitions: usize,
    broadcast: bool,
    sort_merge: bool,
}

const CONFIGURATIONS: [Configuration; 5] = [
    Configuration {
        name: "2 partitions",
        target_partitions: 2,
        broadcast: true,
        sort_merge: false,
    },
    Configuration {
        name: "1 partition",
        target_partitions: 1,
        broadcast: true,
        sort_merge: false,
    },
    Configuration {
        name: "3 partitions",
        target_partitions: 3,
        broadcast: true,
        sort_merge: false,
    },
    Configuration {
        name: "3 partitions without broadcast joins",
        target_partitions: 3,
        broadcast: false,
        sort_merge: false,
    },
    Configuration {
        name: "3 partitions with sort-merge joins",
        target_partitions: 3,
        broadcast: false,
        sort_merge: true,
    },
];

impl Configuration {
    fn session(&self) -> Session {
        let defaults = SessionConfig::default();
        let config = SessionConfig {
            target_partitions: self.target_partitions,
            broadcast_threshold: if self.broadcast {
                defaults.broadcast_threshold
            } else {
                None
            },
            prefer_sort_merge_join: self.sort_merge,
            ..defaults
        };
        Session::with_config(config).expect("a session")
    }

    /// The SET statements that give a REPL this configuration.
    fn settings(&self) -> String {
        format!(
            "SET target_partitions = {}; SET broadcast_threshold = {}; SET prefer_sort_merge_join = {};",
            self.target_partitions,
            if self.broadcast { "'10MB'" } else { "-1" },
            self.sort_merge
        )
    }
}

/// One session per configuration, each holding the tables of the database
/// last loaded into it.
struct Engine {
    sessions: Vec<Session>,
    loaded: Vec<Option<String>>,
    /// Whether an internal error fails the run (`QUARRY_FUZZ_STRICT`)
    /// rather than skipping the query like other errors.
    internal_errors_fail: bool,
}

impl Engine {
    fn new(internal_errors_fail: bool) -> Self {
        Engine {
            sessions: CONFIGURATIONS.iter().map(Configuration::session).collect(),
            loaded: vec![None; CONFIGURATIONS.len()],
            internal_errors_fail,
        }
    }

    fn session(&mut self, index: usize, database: &Database) -> &mut Session {
        let script = database.statements().join("\n");
        let session = &mut self.sessions[index];
        if self.loaded[index].as_deref() != Some(script.as_str()) {
            for name in ["t0", "t1", "t2"] {
                session
                    .sql(&format!("DROP TABLE IF EXISTS {name}"))
                    .expect("DROP TABLE");
            }
            if let Err(e) = session.sql(&script) {
                panic!("the generated tables do not load: {e}\n{script}");
            }
            self.loaded[index] = Some(script);
        }
        session
    }
}

/// The sorted rows of a query, each as its cells' text, or its error.
type Outcome = Result<Vec<String>, String>;

fn run(session: &mut Session, sql: &str) -> Outcome {
    session
        .sql(sql)
        .map(|result| sorted_rows(&result))
        .map_err(|e| e.to_string())
}

fn sorted_rows(result: &QueryResult) -> Vec<String> {
    let mut rows = vec![];
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = batch
                .columns()
                .iter()
                .map(|column| match format_value(column.as_ref(), row) {
                    Ok(Some(text)) => text,
                    Ok(None) => "NULL".to_string(),
                    Err(e) => format!("<{e}>"),
                })
                .collect();
            rows.push(cells.join(" | "));
        }
    }
    rows.sort();
    rows
}

/// Whether two outcomes hold the same rows, numbers compared to 12
/// significant digits: sums of averages depend on the order of addition in
/// their last bits (and a sum of zeros may keep a sign).
fn same_rows(a: &[String], b: &[String]) -> bool {
    fn rounded(cell: &str) -> String {
        match cell.parse::<f64>() {
            Ok(0.0) => "0".to_string(),
            Ok(value) if value.is_finite() => format!("{value:.11e}"),
            _ => cell.to_string(),
        }
    }
    let normal = |rows: &[String]| {
        let mut rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.split(" | ").map(rounded).collect())
            .collect();
        rows.sort();
        rows
    };
    a.len() == b.len() && (a == b || normal(a) == normal(b))
}

/// An error that may depend on which rows reach which operator first: a
/// scalar subquery of several rows, or that error reported as the
/// cancellation it caused elsewhere.
fn is_unreliable(outcome: &Outcome) -> bool {
    matches!(outcome, Err(e) if e.contains(MULTIPLE_ROWS) || e.contains(CANCELLED))
}

/// The kind of an internal error (a broken invariant inside quarry, a bug
/// whatever the query), without the column numbers that change as it shrinks.
fn internal_error(outcome: &Outcome) -> Option<String> {
    let message = outcome.as_ref().err()?;
    let at = message.find(INTERNAL)?;
    let kind: String = message[at..]
        .chars()
        .take_while(|c| *c != ',')
        .take(80)
        .collect();
    Some(kind)
}

// ---------------------------------------------------------------------------
// Checks

#[derive(Clone, Debug)]
struct Case {
    database: Database,
    query: Query,
}

/// A query as the report shows it: under which settings, and its outcome.
#[derive(Clone, Debug)]
struct Shown {
    configuration: usize,
    sql: String,
    outcome: Outcome,
}

impl Shown {
    fn new(configuration: usize, sql: &str, outcome: &Outcome) -> Self {
        Shown {
            configuration,
            sql: sql.to_string(),
            outcome: outcome.clone(),
        }
    }
}

#[derive(Clone, Debug)]
struct Failure {
    /// What went wrong; a smaller case must go wrong the same way.
    kind: String,
    /// The configuration that disagrees with the reference, if that is the failure.
    configuration: Option<usize>,
    queries: Vec<Shown>,
}

enum Verdict {
    /// How many comparisons held.
    Pass(usize),
    Skip(String),
    Fail(Failure),
}

fn fail(kind: &str, configuration: Option<usize>, queries: Vec<Shown>) -> Verdict {
    Verdict::Fail(Failure {
        kind: kind.to_string(),
        configuration,
        queries,
    })
}

/// Runs the partition check in the reference configuration, then compares
/// both of its queries with the configurations `alternatives`.
fn evaluate(engine: &mut Engine, case: &Case, alternatives: &[usize]) -> Verdict {
    let database = &case.database;
    let base = case.query.base(database);
    let combined = case.query.combined(database);
    let strict = engine.internal_errors_fail;
    let reference = engine.session(0, database);
    let expected = run(reference, &base);
    let actual = run(reference, &combined);
    if strict {
        for (sql, outcome) in [(&base, &expected), (&combined, &actual)] {
            if let Some(kind) = internal_error(outcome) {
                return fail(&kind, None, vec![Shown::new(0, sql, outcome)]);
            }
        }
    }
    if let Some(verdict) =
        check_partitions(reference, case, (&base, &expected), (&combined, &actual))
    {
        return verdict;
    }
    let mut checks = 1;
    for &index in alternatives {
        let session = engine.session(index, database);
        for (sql, reference) in [(&base, &expected), (&combined, &actual)] {
            let outcome = run(session, sql);
            match (reference, &outcome) {
                (Ok(a), Ok(b)) if same_rows(a, b) => {}
                (Err(_), Err(_)) => {}
                _ if is_unreliable(&outcome) => return Verdict::Skip(MULTIPLE_ROWS.into()),
                _ => {
                    let kind =
                        format!("{} disagrees with 2 partitions", CONFIGURATIONS[index].name);
                    let queries = vec![
                        Shown::new(0, sql, reference),
                        Shown::new(index, sql, &outcome),
                    ];
                    return fail(&kind, Some(index), queries);
                }
            }
            checks += 1;
        }
    }
    Verdict::Pass(checks)
}

/// The TLP check proper: `None` when the query equals its partitions.
fn check_partitions(
    session: &mut Session,
    case: &Case,
    (base, expected): (&str, &Outcome),
    (combined, actual): (&str, &Outcome),
) -> Option<Verdict> {
    let both = vec![
        Shown::new(0, base, expected),
        Shown::new(0, combined, actual),
    ];
    match (expected, actual) {
        (Ok(a), Ok(b)) if same_rows(a, b) => None,
        (Ok(_), Ok(_)) => Some(fail(
            "the partitions do not add up to the query",
            None,
            both,
        )),
        _ if is_unreliable(expected) || is_unreliable(actual) => {
            Some(Verdict::Skip(MULTIPLE_ROWS.into()))
        }
        (Err(e), Err(_)) => Some(Verdict::Skip(e.clone())),
        (Err(_), Ok(_)) => Some(fail("the query fails but its partitions run", None, both)),
        (Ok(_), Err(e)) => {
            // Quarry may reject the predicate itself: then `WHERE p` fails,
            // and maybe not `(p) IS NULL`, which takes a value of any type.
            let branches = case.query.partitions(&case.database);
            let outcomes: Vec<Outcome> = branches.iter().map(|b| run(session, b)).collect();
            if outcomes[0].is_err() {
                return Some(Verdict::Skip(e.clone()));
            }
            if outcomes.iter().any(is_unreliable) {
                return Some(Verdict::Skip(MULTIPLE_ROWS.into()));
            }
            let kind = if outcomes.iter().all(Result::is_ok) {
                "each partition runs but their union fails"
            } else {
                "some partitions fail and others run"
            };
            let mut queries = both;
            queries.extend(
                branches
                    .iter()
                    .zip(&outcomes)
                    .map(|(b, o)| Shown::new(0, b, o)),
            );
            Some(fail(kind, None, queries))
        }
    }
}

// ---------------------------------------------------------------------------
// Minimiser

/// Shrinks `case` while it keeps failing like `failure`, trying at most
/// MINIMISE_ATTEMPTS smaller cases; returns the smallest found. Candidates
/// are tried in order, big steps first; after a success the scan goes on
/// from the same position in the new candidates, and passes repeat until
/// one finds nothing.
fn minimise(
    mut case: Case,
    mut failure: Failure,
    mut fails: impl FnMut(&Case) -> Option<Failure>,
) -> (Case, Failure) {
    let mut attempts = 0;
    loop {
        let mut progress = false;
        let mut position = 0;
        loop {
            let candidates = simplifications(&case);
            let Some(candidate) = candidates.into_iter().nth(position) else {
                break;
            };
            if attempts == MINIMISE_ATTEMPTS {
                return (case, failure);
            }
            attempts += 1;
            match fails(&candidate) {
                Some(f) if f.kind == failure.kind => {
                    case = candidate;
                    failure = f;
                    progress = true;
                }
                _ => position += 1,
            }
        }
        if !progress {
            return (case, failure);
        }
    }
}

/// Cases one step smaller, biggest steps first.
fn simplifications(case: &Case) -> Vec<Case> {
    let database = &case.database;
    let query = &case.query;
    let with_database = |d: Database| Case {
        database: d,
        query: query.clone(),
    };
    let with_query = |q: Query| Case {
        database: database.clone(),
        query: q,
    };
    // Halves of tables first: fewer rows make every later attempt cheaper.
    let mut out: Vec<Case> = vec![];
    for (t, table) in database.tables.iter().enumerate() {
        let half = table.rows.len() / 2;
        if half > 0 {
            for range in [0..half, half..table.rows.len()] {
                let mut smaller = database.clone();
                smaller.tables[t].rows.drain(range);
                out.push(with_database(smaller));
            }
        }
    }
    let mut queries = vec![];
    if query.from.len() > 1 {
        for i in 0..query.from.len() {
            let mut smaller = query.clone();
            smaller.from.remove(i);
            queries.push(smaller);
        }
    }
    for predicate in query.predicate.simplifications() {
        queries.push(Query {
            predicate,
            ..query.clone()
        });
    }
    queries.extend(check_simplifications(query));
    queries.extend(from_simplifications(query));
    out.extend(queries.into_iter().map(with_query));
    for (t, table) in database.tables.iter().enumerate() {
        for r in 0..table.rows.len() {
            let mut smaller = database.clone();
            smaller.tables[t].rows.remove(r);
            out.push(with_database(smaller));
        }
    }
    for (t, table) in database.tables.iter().enumerate() {
        if table.columns.len() > 1 {
            for c in 0..table.columns.len() {
                let mut smaller = database.clone();
                smaller.tables[t].columns.remove(c);
                for row in &mut smaller.tables[t].rows {
                    row.remove(c);
                }
                out.push(with_database(smaller));
            }
        }
    }
    out
}

/// Derived tables replaced by their table, outer joins made inner, join
/// conditions simplified.
fn from_simplifications(query: &Query) -> Vec<Query> {
    let mut out = vec![];
    for (i, item) in query.from.iter().enumerate() {
        let mut variants = vec![];
        if !matches!(item.source, Source::Table(_)) {
            let table = Source::Table(item.source.table().to_string());
            variants.push((table, item.join, item.on.clone()));
        }
        if i > 0 && !matches!(item.join, Join::Inner | Join::Comma) {
            variants.push((item.source.clone(), Join::Inner, item.on.clone()));
        }
        if let Source::Filtered {
            table,
            alias,
            predicate,
        } = &item.source
        {
            for predicate in predicate.simplifications() {
                let source = Source::Filtered {
                    table: table.clone(),
                    alias: alias.clone(),
                    predicate,
                };
                variants.push((source, item.join, item.on.clone()));
            }
        }
        if !item.on.is_true() {
            variants.push((item.source.clone(), item.join, leaf("TRUE")));
        }
        for on in item.on.simplifications() {
            variants.push((item.source.clone(), item.join, on));
        }
        for (source, join, on) in variants {
            let mut smaller = query.clone();
            smaller.from[i] = FromItem {
                source,
                join,
                on,
                alias: item.alias.clone(),
            };
            out.push(smaller);
        }
    }
    out
}

fn check_simplifications(query: &Query) -> Vec<Query> {
    let with_check = |check: Check| Query {
        check,
        ..query.clone()
    };
    let mut out = vec![];
    match &query.check {
        Check::Where { fetch } | Check::Distinct { fetch } => {
            let distinct = matches!(query.check, Check::Distinct { .. });
            let make = |fetch: Vec<Expr>| {
                if distinct {
                    Check::Distinct { fetch }
                } else {
                    Check::Where { fetch }
                }
            };
            for variant in list_simplifications(fetch, 1) {
                out.push(with_check(make(variant)));
            }
        }
        Check::Grouped {
            keys,
            aggregates,
            having,
        } => {
            if !having {
                let mut fetch = keys.clone();
                fetch.extend(aggregates.iter().map(|a| a.argument.clone()));
                fetch.retain(|e| !matches!(e, Expr::Leaf(t) if t == "*"));
                if !fetch.is_empty() {
                    out.push(with_check(Check::Where { fetch }));
                }
            }
            for keys in list_simplifications(keys, 0) {
                out.push(with_check(Check::Grouped {
                    keys,
                    aggregates: aggregates.clone(),
                    having: *having,
                }));
            }
            let arguments: Vec<Expr> = aggregates.iter().map(|a| a.argument.clone()).collect();
            for arguments in list_simplifications(&arguments, 1) {
                // Only removals change the length; keep functions aligned.
                let functions: Vec<&'static str> = if arguments.len() == aggregates.len() {
                    aggregates.iter().map(|a| a.function).collect()
                } else {
                    continue;
                };
                let aggregates = functions
                    .into_iter()
                    .zip(arguments)
                    .map(|(function, argument)| Aggregate { function, argument })
                    .collect();
                out.push(with_check(Check::Grouped {
                    keys: keys.clone(),
                    aggregates,
                    having: *having,
                }));
            }
            for i in 0..aggregates.len() {
                if aggregates.len() > 1 {
                    let mut fewer = aggregates.clone();
                    fewer.remove(i);
                    out.push(with_check(Check::Grouped {
                        keys: keys.clone(),
                        aggregates: fewer,
                        having: *having,
                    }));
                }
            }
        }
    }
    out
}

/// The list without one item (keeping at least `minimum`), or with one item
/// simplified.
fn list_simplifications(items: &[Expr], minimum: usize) -> Vec<Vec<Expr>> {
    let mut out = vec![];
    if items.len() > minimum {
        for i in 0..items.len() {
            let mut fewer = items.to_vec();
            fewer.remove(i);
            out.push(fewer);
        }
    }
    for (i, item) in items.iter().enumerate() {
        for simpler in item.simplifications() {
            let mut variant = items.to_vec();
            variant[i] = simpler;
            out.push(variant);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The run

/// The SQL of a failure, ready to paste into the REPL.
fn report(case: &Case, failure: &Failure, seed: u64, number: usize) -> String {
    let mut out = format!(
        "fuzz failure: {} (seed {seed}, query {number})\n-- paste into target/debug/quarry:\n",
        failure.kind
    );
    for statement in case.database.statements() {
        writeln!(out, "{statement}").unwrap();
    }
    let mut settings = usize::MAX;
    for shown in &failure.queries {
        if shown.configuration != settings {
            settings = shown.configuration;
            writeln!(out, "{}", CONFIGURATIONS[settings].settings()).unwrap();
        }
        writeln!(out, "{};", shown.sql).unwrap();
        match &shown.outcome {
            Ok(rows) => {
                let shown_rows: Vec<&str> = rows.iter().take(20).map(String::as_str).collect();
                let more = if rows.len() > 20 { "; ..." } else { "" };
                writeln!(
                    out,
                    "-- {} rows: {}{more}",
                    rows.len(),
                    shown_rows.join("; ")
                )
                .unwrap()
            }
            Err(e) => writeln!(out, "-- error: {e}").unwrap(),
        }
    }
    out
}

/// How long to run, from which seed, and whether internal errors fail the
/// run (see the module doc).
struct RunOptions {
    seed: u64,
    time: Option<Duration>,
    strict: bool,
}

impl RunOptions {
    fn from_env() -> Self {
        let variable = |name: &str| std::env::var(name).ok();
        let seconds = variable("QUARRY_FUZZ_SECONDS").map(|s| {
            s.parse::<u64>()
                .expect("QUARRY_FUZZ_SECONDS is a number of seconds")
        });
        let seed = match variable("QUARRY_FUZZ_SEED") {
            Some(s) => s.parse().expect("QUARRY_FUZZ_SEED is an unsigned integer"),
            None if seconds.is_some() => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(DEFAULT_SEED),
            None => DEFAULT_SEED,
        };
        RunOptions {
            seed,
            time: seconds.map(Duration::from_secs),
            strict: variable("QUARRY_FUZZ_STRICT").is_some_and(|v| v != "0"),
        }
    }

    fn more(&self, queries: usize, start: Instant) -> bool {
        match self.time {
            Some(time) => start.elapsed() < time,
            None => queries < DEFAULT_QUERIES,
        }
    }
}

#[derive(Default)]
struct Stats {
    queries: usize,
    skipped: usize,
    internal_errors: usize,
    checks: usize,
    skip_reasons: BTreeMap<String, usize>,
}

impl Stats {
    fn skip(&mut self, reason: &str) {
        self.skipped += 1;
        if reason.contains(INTERNAL) {
            self.internal_errors += 1;
        }
        let reason: String = reason.chars().take(100).collect();
        *self.skip_reasons.entry(reason).or_default() += 1;
    }

    fn summary(&self, seed: u64, elapsed: Duration) -> String {
        let mut out = format!(
            "quarry fuzz, seed {seed}: {} queries in {:.1} s, {} skipped \
             ({} for internal errors), {} checks passed",
            self.queries,
            elapsed.as_secs_f64(),
            self.skipped,
            self.internal_errors,
            self.checks
        );
        let mut reasons: Vec<(&String, &usize)> = self.skip_reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1));
        for (reason, count) in reasons.iter().take(10) {
            write!(out, "\n  skipped {count}x: {reason}").unwrap();
        }
        out
    }
}

/// Minimises a failure with the configurations it involves.
fn minimise_with(engine: &mut Engine, case: Case, failure: Failure) -> (Case, Failure) {
    let alternatives: Vec<usize> = failure.configuration.into_iter().collect();
    minimise(case, failure, |candidate| {
        match evaluate(engine, candidate, &alternatives) {
            Verdict::Fail(f) => Some(f),
            _ => None,
        }
    })
}

#[test]
fn queries_equal_their_ternary_partitions_in_every_configuration() {
    let options = RunOptions::from_env();
    eprintln!("quarry fuzz: seed {}", options.seed);
    let mut rng = Rng(options.seed);
    let mut engine = Engine::new(options.strict);
    let mut stats = Stats::default();
    let start = Instant::now();
    while options.more(stats.queries, start) {
        let database = generate_database(&mut rng);
        for _ in 0..QUERIES_PER_DATABASE {
            let query = Generator {
                rng: &mut rng,
                database: &database,
                aliases: 0,
            }
            .query();
            let case = Case {
                database: database.clone(),
                query,
            };
            // One other configuration per query, each in turn, keeps runs short.
            let alternative = 1 + stats.queries % (CONFIGURATIONS.len() - 1);
            stats.queries += 1;
            match evaluate(&mut engine, &case, &[alternative]) {
                Verdict::Pass(checks) => stats.checks += checks,
                Verdict::Skip(reason) => stats.skip(&reason),
                Verdict::Fail(failure) => {
                    let (case, failure) = minimise_with(&mut engine, case, failure);
                    panic!("{}", report(&case, &failure, options.seed, stats.queries));
                }
            }
        }
    }
    let summary = stats.summary(options.seed, start.elapsed());
    eprintln!("{summary}");
    assert!(
        stats.skipped * 4 < stats.queries,
        "a quarter of the queries were skipped: the generator writes SQL quarry rejects\n{summary}"
    );
}

/// The whole path of a failure: a recombination that is wrong on purpose
/// (the sum of the partitions' averages is not the average) is caught,
/// shrunk, and reported as SQL to paste.
#[test]
fn a_wrong_recombination_is_caught_shrunk_and_reported() {
    let database = Database {
        tables: vec![Table {
            name: "t0".into(),
            columns: vec![("c0".into(), Type::Integer), ("c1".into(), Type::Varchar)],
            rows: [["1", "'a'"], ["2", "'b'"], ["2", "NULL"], ["3", "'a'"]]
                .iter()
                .map(|row| row.iter().map(|v| v.to_string()).collect())
                .collect(),
        }],
    };
    let query = Query {
        from: vec![FromItem {
            source: Source::Table("t0".into()),
            alias: "f0".into(),
            join: Join::Inner,
            on: leaf("TRUE"),
        }],
        check: Check::Grouped {
            keys: vec![],
            aggregates: vec![
                Aggregate {
                    function: "count",
                    argument: leaf("*"),
                },
                Aggregate {
                    function: "avg",
                    argument: leaf("f0.c0"),
                },
            ],
            having: false,
        },
        predicate: binary(
            "AND",
            binary("=", leaf("f0.c0"), leaf("1")),
            Expr::Node(Kind::IsNull { negated: true }, vec![leaf("f0.c1")]),
        ),
    };
    let case = Case { database, query };
    let mut engine = Engine::new(true);
    let Verdict::Fail(failure) = evaluate(&mut engine, &case, &[1]) else {
        panic!("the sum of averages passed for the average");
    };
    let (small, failure) = minimise_with(&mut engine, case, failure);
    let text = report(&small, &failure, 0, 1);
    assert!(text.contains("the partitions do not add up"), "{text}");
    assert!(text.contains("avg(f0.c0)"), "{text}");
    assert!(!text.contains("count(*)"), "{text}");
    assert_eq!(small.database.tables[0].rows.len(), 2, "{text}");
    assert_eq!(small.database.tables[0].columns.len(), 1, "{text}");
}

/// The minimiser keeps what the failure needs and drops the rest: here a
/// "failure" that needs a row in t0 and `f0.c0` in the predicate.
#[test]
fn minimiser_keeps_only_what_the_failure_needs() {
    fn needs(case: &Case) -> bool {
        case.query.predicate.render().contains("f0.c0") && !case.database.tables[0].rows.is_empty()
    }
    let mut rng = Rng(7);
    let case = loop {
        let database = generate_database(&mut rng);
        let query = Generator {
            rng: &mut rng,
            database: &database,
            aliases: 0,
        }
        .query();
        let case = Case { database, query };
        if needs(&case) && case.query.predicate.render().len() > 40 {
            break case;
        }
    };
    let failure = Failure {
        kind: "synthetic".into(),
        configuration: None,
        queries: vec![],
    };
    let (small, _) = minimise(case, failure.clone(), |candidate| {
        needs(candidate).then(|| failure.clone())
    });
    assert_eq!(small.query.predicate.render(), "f0.c0");
    assert_eq!(small.database.tables[0].rows.len(), 1);
    assert!(small.database.tables[1..].iter().all(|t| t.rows.is_empty()));
    assert_eq!(small.query.from.len(), 1);
}
