//! Where data goes (stdout) and how tables look, decided once per run.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use comfy_table::{ContentArrangement, Table, presets};

use crate::error::Error;

/// `--format` of the commands whose output is a listing: a table for people, JSON for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DataFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `NO_COLOR` and a non-terminal stderr turn colour off under `auto`.
    pub fn enabled(self, is_tty: bool, no_color_env: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && !no_color_env,
        }
    }
}

/// Writes data to stdout. A reader that went away (`tessera … | head -1`) is not an error: the
/// rest of the output is dropped and the command goes on to return the status it would have
/// had, so a blocked gate still exits 1 under `set -o pipefail`. Any control character or
/// escape sequence that reached this far is shown as a visible escape (colour excepted); see
/// [`crate::report::escape::stream`].
pub fn print(text: &str) -> Result<(), Error> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let text = crate::report::escape::stream(text);
    let mut out = std::io::stdout().lock();
    let mut write = || -> std::io::Result<()> {
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') && !text.is_empty() {
            out.write_all(b"\n")?;
        }
        out.flush()
    };
    match write() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        other => other.map_err(Error::Output),
    }
}

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// A message for people on stderr, and a newline, as `eprintln!` writes it. Writing it never fails the command and never panics
/// (`eprintln!` does when stderr is a closed pipe): a message nobody can read is dropped.
pub fn message(text: &str) {
    let text = crate::report::escape::stream(text);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

pub fn print_json(value: &serde_json::Value) -> Result<(), Error> {
    let mut value = value.clone();
    if let (Some(day), Some(obj)) = (crate::env::pinned_today(), value.as_object_mut()) {
        obj.insert("today_pinned".into(), serde_json::Value::String(day));
    }
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| Error::Output(std::io::Error::other(e)))?;
    print(&text)
}

/// A table for people: box drawing on a terminal, fixed-width ASCII-free UTF-8 otherwise.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        t.force_no_tty();
        t.set_width(120);
    }
    t.set_header(header.iter().copied());
    t
}

/// Keeps the cells of `columns` on one line: identifiers (rule ids, column names, teams, keys)
/// broken mid-word (`customer_lifet|ime_value`) can't be read or copied; the prose columns wrap
/// instead to fit the width.
pub fn keep_whole(t: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
}

/// What a long command is doing, on one line of stderr that each step overwrites and the end
/// clears: only on a terminal, so logs and pipes get nothing.
pub struct Progress {
    label: &'static str,
    on: bool,
}

impl Progress {
    pub fn new(label: &'static str) -> Progress {
        Progress {
            label,
            on: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }

    pub fn step(&self, what: &str) {
        if self.on {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{}: {what}…", self.label);
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.on {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
