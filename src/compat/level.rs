//! Severities, modes and guarantee strengths: the small vocabulary every finding is made of.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// oasdiff's three levels: ERR breaks a reader of the old contract, WARN might, INFO does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    #[serde(rename = "INFO")]
    Info,
    #[serde(rename = "WARN")]
    Warn,
    #[serde(rename = "ERR")]
    Err,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Err => "ERR",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Level {
    type Err = ();
    fn from_str(s: &str) -> Result<Level, ()> {
        match s.trim().to_ascii_uppercase().as_str() {
            "INFO" => Ok(Level::Info),
            "WARN" | "WARNING" => Ok(Level::Warn),
            "ERR" | "ERROR" => Ok(Level::Err),
            _ => Err(()),
        }
    }
}

/// Confluent's compatibility modes, with Confluent's exact meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    None,
    Backward,
    #[default]
    Forward,
    Full,
    BackwardTransitive,
    ForwardTransitive,
    FullTransitive,
}

pub const MODE_NAMES: &[&str] = &[
    "NONE",
    "BACKWARD",
    "FORWARD",
    "FULL",
    "BACKWARD_TRANSITIVE",
    "FORWARD_TRANSITIVE",
    "FULL_TRANSITIVE",
];

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::None => "NONE",
            Mode::Backward => "BACKWARD",
            Mode::Forward => "FORWARD",
            Mode::Full => "FULL",
            Mode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Mode::ForwardTransitive => "FORWARD_TRANSITIVE",
            Mode::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Mode::BackwardTransitive | Mode::ForwardTransitive | Mode::FullTransitive
        )
    }

    /// The severity a finding gets under this mode, from its two directional defaults.
    pub fn pick(self, fwd: Level, bwd: Level) -> Level {
        match self {
            Mode::None => Level::Info,
            Mode::Forward | Mode::ForwardTransitive => fwd,
            Mode::Backward | Mode::BackwardTransitive => bwd,
            Mode::Full | Mode::FullTransitive => fwd.max(bwd),
        }
    }

    /// One sentence a user sees next to the verdict, so nobody has to remember Confluent's terms.
    pub fn explain(self) -> &'static str {
        match self {
            Mode::None => "NONE: changes are reported, never blocking",
            Mode::Forward => {
                "FORWARD: readers built against the old contract must keep working on the new data"
            }
            Mode::Backward => {
                "BACKWARD: every row valid under the old contract must stay valid under the new one"
            }
            Mode::Full => {
                "FULL: both FORWARD (old readers keep working) and BACKWARD (old rows stay valid)"
            }
            Mode::ForwardTransitive => "FORWARD_TRANSITIVE: FORWARD against every retained version",
            Mode::BackwardTransitive => {
                "BACKWARD_TRANSITIVE: BACKWARD against every retained version"
            }
            Mode::FullTransitive => "FULL_TRANSITIVE: FULL against every retained version",
        }
    }
}

impl FromStr for Mode {
    type Err = ();
    fn from_str(s: &str) -> Result<Mode, ()> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "NONE" => Mode::None,
            "BACKWARD" => Mode::Backward,
            "FORWARD" => Mode::Forward,
            "FULL" => Mode::Full,
            "BACKWARD_TRANSITIVE" => Mode::BackwardTransitive,
            "FORWARD_TRANSITIVE" => Mode::ForwardTransitive,
            "FULL_TRANSITIVE" => Mode::FullTransitive,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How strongly a promise is kept (RULES.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    #[default]
    None,
    /// Metadata only: an unenforced constraint, or a warn-severity test.
    Declared,
    /// A data test with severity error.
    Tested,
    /// The platform rejects violating rows.
    Enforced,
}

impl Strength {
    /// `sev(S)`: the level of a rule marked ERR* in the rule table.
    pub fn sev(self) -> Level {
        match self {
            Strength::Enforced | Strength::Tested => Level::Err,
            Strength::Declared => Level::Warn,
            Strength::None => Level::Info,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Strength::None => "none",
            Strength::Declared => "declared",
            Strength::Tested => "tested",
            Strength::Enforced => "enforced",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Compatible,
    Warning,
    Breaking,
}

impl Verdict {
    pub fn from_level(level: Option<Level>) -> Verdict {
        match level {
            Some(Level::Err) => Verdict::Breaking,
            Some(Level::Warn) => Verdict::Warning,
            _ => Verdict::Compatible,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Compatible => "compatible",
            Verdict::Warning => "warning",
            Verdict::Breaking => "breaking",
        }
    }
}
