//! One exit-status convention for every command (DESIGN.md): 0 nothing blocks, 1 findings
//! block, 2 Tessera could not do its job, 130 interrupted.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing blocks.
    Success,
    /// Findings block: a breaking change without the acks it needs, a blocked proposal, a bad signature.
    Findings,
    /// The tool could not do its job: usage, config, input, git or store errors.
    Error,
    /// Interrupted (Ctrl-C).
    Interrupted,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(s.code())
    }
}

/// The table printed in `--help` and the README.
pub const EXIT_CODES_HELP: &str = "\
Exit status:
  0    nothing blocks
  1    findings block (breaking without the acks it needs, a blocked proposal, a bad signature)
  2    tessera could not do its job (usage, config, input, git, store)
  130  interrupted";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_locked() {
        assert_eq!(ExitStatus::Success.code(), 0);
        assert_eq!(ExitStatus::Findings.code(), 1);
        assert_eq!(ExitStatus::Error.code(), 2);
        assert_eq!(ExitStatus::Interrupted.code(), 130);
    }
}
