//! The interactive shell and the script runner behind `-c`, `-f`, piped
//! standard input and `.read`. Statements end with `;` and may span lines;
//! lines starting with `.` are shell commands (`.help` lists them).

mod completion;
pub mod format;
mod script;

pub use format::OutputFormat;
pub use script::{run_script, split_statements, ScriptOutput};

use crate::session::Session;
use completion::ReplHelper;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::Editor;
use std::path::PathBuf;
use std::time::Instant;

/// Rows shown in table mode before the middle of a result is elided.
pub const MAX_TABLE_ROWS: usize = 40;

const HELP: &str = "\
.help              show this help
.tables            list the tables and views
.schema [TABLE]    show the columns of one table, or of all
.timer on|off      print how long each statement took
.mode FORMAT       output as table, csv, json or markdown
.read FILE         run the statements in FILE
.param set NAME VALUE  bind $NAME to VALUE (the rest of the line, as text)
.param list        show the bound parameters
.param clear       forget every bound parameter
.quit              leave (also .exit or Ctrl-D)
Statements end with ';' and may span several lines.";

/// Shell state beside the session.
pub struct Shell {
    pub format: OutputFormat,
    pub timer: bool,
}

/// Runs the interactive shell until `.quit` or end of input.
pub fn run_repl(session: &mut Session, format: OutputFormat) -> crate::Result<()> {
    let mut editor: Editor<ReplHelper, DefaultHistory> = Editor::new()
        .map_err(|e| crate::QuarryError::Internal(format!("cannot start the line editor: {e}")))?;
    editor.set_helper(Some(ReplHelper::new(session)));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut shell = Shell {
        format,
        timer: false,
    };
    println!(
        "quarry {} — enter .help for usage hints.",
        env!("CARGO_PKG_VERSION")
    );
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            "quarry> "
        } else {
            "   ...> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if buffer.is_empty() && line.trim_start().starts_with('.') {
                    let _ = editor.add_history_entry(line.as_str());
                    if !run_command(session, &mut shell, line.trim()) {
                        break;
                    }
                    if let Some(helper) = editor.helper_mut() {
                        helper.refresh(session);
                    }
                    continue;
                }
                if !buffer.is_empty() {
                    buffer.push('\n');
                }
                buffer.push_str(&line);
                if buffer.trim_end().ends_with(';') {
                    let _ = editor.add_history_entry(buffer.as_str());
                    run_timed(session, &shell, &buffer);
                    buffer.clear();
                    if let Some(helper) = editor.helper_mut() {
                        helper.refresh(session);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("Error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}

fn run_timed(session: &mut Session, shell: &Shell, sql: &str) {
    let started = Instant::now();
    let mut output = ScriptOutput::stdio();
    run_script(session, sql, shell.format, &mut output);
    if shell.timer {
        println!("Run Time: {:.3} s", started.elapsed().as_secs_f64());
    }
}

/// Runs one dot command; returns false when the shell should exit.
pub fn run_command(session: &mut Session, shell: &mut Shell, line: &str) -> bool {
    if let Some(rest) = line.strip_prefix(".param") {
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            match param_command(session, rest.trim_start()) {
                Ok(text) => print!("{text}"),
                Err(e) => eprintln!("Error: {e}"),
            }
            return true;
        }
    }
    let mut words = line.split_whitespace();
    let command = words.next().unwrap_or("");
    let argument = words.next();
    match (command, argument) {
        (".quit" | ".exit", _) => return false,
        (".help", _) => println!("{HELP}"),
        (".tables", _) => {
            let names: Vec<&String> = session.catalog().names().collect();
            println!(
                "{}",
                names
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join("  ")
            );
        }
        (".schema", table) => print_schema(session, table),
        (".timer", Some("on")) => shell.timer = true,
        (".timer", Some("off")) => shell.timer = false,
        (".mode", Some(name)) => match name.parse() {
            Ok(format) => shell.format = format,
            Err(e) => eprintln!("Error: {e}"),
        },
        (".read", Some(path)) => match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut output = ScriptOutput::stdio();
                run_script(session, &text, shell.format, &mut output);
            }
            Err(e) => eprintln!("Error: cannot read {path}: {e}"),
        },
        _ => eprintln!("Error: unknown command or missing argument: {line} (enter .help)"),
    }
    true
}

/// `.param set NAME VALUE`, `.param list`, `.param clear`: the values of
/// `$NAME` in the statements that follow. VALUE is the rest of the line,
/// bound as VARCHAR text (cast to the parameter's type when used); it is
/// never spliced into SQL. Returns what to print.
pub fn param_command(session: &mut Session, arguments: &str) -> crate::Result<String> {
    let (subcommand, rest) = arguments
        .split_once(char::is_whitespace)
        .unwrap_or((arguments, ""));
    match subcommand {
        "set" => {
            let rest = rest.trim_start();
            let (name, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if name.is_empty() {
                return Err(crate::QuarryError::Plan(
                    "usage: .param set NAME VALUE".into(),
                ));
            }
            session.set_parameter(name, value.trim())?;
            Ok(String::new())
        }
        "list" => Ok(session
            .parameter_values()
            .map(|(name, value)| {
                let literal = crate::logical::Expr::Literal(value.clone());
                format!("${name} = {literal}\n")
            })
            .collect()),
        "clear" => {
            session.clear_parameters();
            Ok(String::new())
        }
        _ => Err(crate::QuarryError::Plan(
            "usage: .param set NAME VALUE | .param list | .param clear".into(),
        )),
    }
}

fn print_schema(session: &mut Session, table: Option<&str>) {
    let names: Vec<String> = match table {
        Some(t) => vec![t.to_string()],
        None => session.catalog().names().cloned().collect(),
    };
    for name in names {
        match session.sql(&format!("DESCRIBE \"{}\"", name.replace('"', "\"\""))) {
            Ok(result) => {
                let mut columns = vec![];
                for batch in &result.batches {
                    for row in 0..batch.num_rows() {
                        let column = format::format_value(batch.column(0).as_ref(), row)
                            .ok()
                            .flatten();
                        let data_type = format::format_value(batch.column(1).as_ref(), row)
                            .ok()
                            .flatten();
                        columns.push(format!(
                            "{} {}",
                            column.unwrap_or_default(),
                            data_type.unwrap_or_default()
                        ));
                    }
                }
                println!("CREATE TABLE {name}({});", columns.join(", "));
            }
            Err(e) => eprintln!("Error: {e}"),
        }
    }
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".quarry_history"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;

    #[test]
    fn param_set_binds_its_text_in_later_statements() {
        let mut session = Session::new().unwrap();
        param_command(&mut session, "set who  O'Brien'; DROP TABLE x; --").unwrap();
        let listed = param_command(&mut session, "list").unwrap();
        assert_eq!(listed, "$who = 'O''Brien''; DROP TABLE x; --'\n");
        let result = session.sql("SELECT $who AS v").unwrap();
        let column = result.batches[0]
            .column(0)
            .as_string::<i32>()
            .value(0)
            .to_string();
        assert_eq!(column, "O'Brien'; DROP TABLE x; --");
        param_command(&mut session, "clear").unwrap();
        let error = session.sql("SELECT $who").unwrap_err().to_string();
        assert!(
            error.contains("no value was given for parameter $who"),
            "{error}"
        );
        assert!(param_command(&mut session, "unset who").is_err());
    }
}
