//! The top-level error: every module's diagnostic, rendered once by `main`.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("could not write output: {0}")]
    #[diagnostic(
        code(tessera::io::output),
        help("check that the output stream or file is writable")
    )]
    Output(#[source] std::io::Error),

    #[error("{message}")]
    #[diagnostic(code(tessera::usage), help("{help}"))]
    Usage { message: String, help: String },

    #[error("`TESSERA_TODAY` is `{0}`, not a date")]
    #[diagnostic(
        code(tessera::env::today),
        help(
            "use the form YYYY-MM-DD, e.g. TESSERA_TODAY=2026-06-01, or unset it to use the clock"
        )
    )]
    BadToday(String),
}

pub type Result<T, E = miette::Report> = std::result::Result<T, E>;
