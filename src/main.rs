use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tessera::{Cli, ExitStatus};

// Reading a large manifest makes about a million small allocations per side; mimalloc serves
// them with less time in malloc/free and fewer page faults than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap's own usage errors exit 2 like every other "could not do its job".
            return if e.use_stderr() {
                ExitStatus::Error.into()
            } else {
                ExitStatus::Success.into()
            };
        }
    };
    let color = cli.global.color.enabled(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").is_some(),
    );
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .build(),
        )
    }));
    // A closed stdout is handled where data is written (the command keeps its status); an
    // error that reaches here, a broken pipe included, means the command could not do its job.
    match tessera::run(cli) {
        Ok(status) => status.into(),
        Err(report) => {
            tessera::output::message(&format!("{report:?}"));
            ExitStatus::Error.into()
        }
    }
}
