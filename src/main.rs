//! The `quarry` command: arguments only; everything else is in the library.

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};
use quarry::config::SessionConfig;
use quarry::repl::{self, OutputFormat, ScriptOutput};
use quarry::Session;
use std::io::{IsTerminal, Read};

/// mimalloc: many small allocations from every worker thread (batches,
/// arrays, hash tables) without the contention of the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;
use std::process::ExitCode;

/// quarry: SQL over Parquet and CSV.
#[derive(Parser, Debug)]
#[command(
    name = "quarry",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    tool: Option<Tool>,
    /// Directory whose NAME.parquet, NAME.csv files and NAME/ directories become tables.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Worker threads and partitions per scan (default: number of cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Output format: table, csv, json or markdown.
    #[arg(long, default_value = "table", value_name = "FORMAT")]
    format: String,
    /// Run SQL (repeatable; runs in order with -f).
    #[arg(short = 'c', value_name = "SQL", action = ArgAction::Append)]
    sql: Vec<String>,
    /// Run the SQL in FILE (repeatable; runs in order with -c).
    #[arg(short = 'f', value_name = "FILE", action = ArgAction::Append)]
    file: Vec<PathBuf>,
    /// Bind $NAME to VALUE (as text) in the statements run (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", action = ArgAction::Append)]
    params: Vec<String>,
}

fn default_data_dir() -> Option<PathBuf> {
    let bundled = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    if bundled.is_dir() {
        return Some(bundled);
    }
    let local = PathBuf::from("data");
    local.is_dir().then_some(local)
}

fn main() -> ExitCode {
    // Panics are caught and reported as internal errors; print their location
    // only when asked to.
    if std::env::var_os("QUARRY_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Some(Tool::Slt { files, convention }) = &cli.tool {
        let mut stdout = std::io::stdout();
        let convention = match convention.as_deref().map(quarry::slt::Convention::parse) {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                eprintln!("Error: {e}");
                return ExitCode::from(2);
            }
        };
        return match quarry::slt::run_files_with(files, convention, &mut stdout) {
            Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
            Ok(_) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("Error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let format: OutputFormat = match cli.format.parse() {
        Ok(format) => format,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut config = SessionConfig::default();
    if let Some(threads) = cli.threads {
        if threads == 0 {
            eprintln!("Error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        config.target_partitions = threads;
    }
    let mut session = match Session::with_config(config) {
        Ok(session) => session,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let data = match &cli.data {
        Some(dir) if !dir.is_dir() => {
            eprintln!("Error: --data {} is not a directory", dir.display());
            return ExitCode::from(2);
        }
        Some(dir) => Some(dir.clone()),
        None => default_data_dir(),
    };
    if let Some(dir) = data {
        if let Err(e) = session.register_directory(&dir) {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    }

    for param in &cli.params {
        let Some((name, value)) = param.split_once('=') else {
            eprintln!("Error: --param takes NAME=VALUE, got {param}");
            return ExitCode::from(2);
        };
        if let Err(e) = session.set_parameter(name, value) {
            eprintln!("Error: --param {param}: {e}");
            return ExitCode::from(2);
        }
    }

    // -c and -f, interleaved in the order given.
    let mut scripts: Vec<(usize, Script)> = vec![];
    if let Some(indices) = matches.indices_of("sql") {
        scripts.extend(indices.zip(cli.sql.iter().cloned().map(Script::Sql)));
    }
    if let Some(indices) = matches.indices_of("file") {
        scripts.extend(indices.zip(cli.file.iter().cloned().map(Script::File)));
    }
    scripts.sort_by_key(|(index, _)| *index);

    let mut output = ScriptOutput::stdio();
    if !scripts.is_empty() {
        let mut ok = true;
        for (_, script) in scripts {
            let text = match script {
                Script::Sql(sql) => sql,
                Script::File(path) => match std::fs::read_to_string(&path) {
                    Ok(text) => text,
                    Err(e) => {
                        eprintln!("Error: cannot read {}: {e}", path.display());
                        ok = false;
                        continue;
                    }
                },
            };
            ok &= repl::run_script(&mut session, &text, format, &mut output);
        }
        return if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    if !std::io::stdin().is_terminal() {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("Error: cannot read standard input: {e}");
            return ExitCode::FAILURE;
        }
        let ok = repl::run_script(&mut session, &text, format, &mut output);
        return if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    match repl::run_repl(&mut session, format) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Subcommand, Debug)]
enum Tool {
    /// Run sqllogictest files, each in a fresh session; ends with `N passed, M failed`.
    Slt {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Result convention: sqlite or duckdb (default: each file's own).
        #[arg(long)]
        convention: Option<String>,
    },
}

enum Script {
    Sql(String),
    File(PathBuf),
}
