//! Where data goes (stdout) and how tables look, decided once per run.

use std::io::Write;

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

/// Writes data to stdout; a closed pipe surfaces as `Error::Output(BrokenPipe)`, which `main`
/// treats as a clean exit.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Output)?;
    if !text.ends_with('\n') && !text.is_empty() {
        out.write_all(b"\n").map_err(Error::Output)?;
    }
    out.flush().map_err(Error::Output)
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
