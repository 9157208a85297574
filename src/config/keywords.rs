//! Keyword values: modes, severities and policy words. Case-insensitive on input, one canonical
//! spelling on output, and an error at the value listing the accepted words when unknown.

use std::fmt;
use std::str::FromStr;

use serde::de::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

use super::error::{display_value, invalid};
use super::suggest::keyword_help;

/// An enum of case-insensitive keywords with a canonical spelling.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, $plural:literal,
     { $($(#[$vmeta:meta])* $variant:ident = $canon:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Canonical spellings, in documentation order.
            pub const NAMES: &'static [&'static str] = &[$($canon),+];

            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $canon),+ }
            }

            /// Case-insensitive; `None` for anything else.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $(if s.eq_ignore_ascii_case($canon) $(|| s.eq_ignore_ascii_case($alias))* {
                    return Some(Self::$variant);
                })+
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(|| {
                    format!("unknown {} `{s}`; {}", $what, keyword_help(s, $plural, Self::NAMES))
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = Spanned::<String>::deserialize(d)?;
                Self::parse(&raw.value).ok_or_else(|| {
                    invalid(
                        raw.referenced,
                        format!("unknown {} {}", $what, display_value(&raw.value)),
                        concat!("not a ", $what),
                        keyword_help(&raw.value, $plural, Self::NAMES),
                    )
                })
            }
        }
    };
}

keyword_enum! {
    /// A compatibility mode, with Confluent Schema Registry's meanings.
    #[derive(Default)]
    Mode, "compatibility mode", "valid modes", {
        None = "NONE",
        Backward = "BACKWARD",
        #[default]
        Forward = "FORWARD",
        Full = "FULL",
        BackwardTransitive = "BACKWARD_TRANSITIVE",
        ForwardTransitive = "FORWARD_TRANSITIVE",
        FullTransitive = "FULL_TRANSITIVE",
    }
}

impl Mode {
    /// Readers of the old contract must keep working.
    pub fn checks_forward(self) -> bool {
        matches!(
            self,
            Mode::Forward | Mode::ForwardTransitive | Mode::Full | Mode::FullTransitive
        )
    }

    /// Data written under the old contract must stay readable under the new one.
    pub fn checks_backward(self) -> bool {
        matches!(
            self,
            Mode::Backward | Mode::BackwardTransitive | Mode::Full | Mode::FullTransitive
        )
    }

    /// Compared against several earlier versions (`compatibility.transitive_window`).
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Mode::BackwardTransitive | Mode::ForwardTransitive | Mode::FullTransitive
        )
    }
}

keyword_enum! {
    /// A rule's severity as configured; `off` silences the rule.
    Level, "severity", "valid severities", {
        Err = "err" | "error",
        Warn = "warn" | "warning",
        Info = "info",
        Off = "off",
    }
}

keyword_enum! {
    /// The lowest severity that makes a run fail.
    #[derive(Default)]
    FailOn, "fail_on level", "valid levels", {
        #[default]
        Err = "ERR" | "error",
        Warn = "WARN" | "warning",
    }
}

keyword_enum! {
    /// `policy.type_widening`: the forward severity of `column_type_widened`.
    #[derive(Default)]
    TypeWidening, "type_widening level", "valid levels", {
        Err = "err" | "error",
        #[default]
        Warn = "warn" | "warning",
        Info = "info",
    }
}

impl TypeWidening {
    pub fn level(self) -> Level {
        match self {
            TypeWidening::Err => Level::Err,
            TypeWidening::Warn => Level::Warn,
            TypeWidening::Info => Level::Info,
        }
    }
}

keyword_enum! {
    /// `policy.enum_extension`: `strict` makes extending accepted values an error.
    #[derive(Default)]
    EnumExtension, "enum_extension policy", "valid values", {
        #[default]
        Warn = "warn" | "warning",
        Strict = "strict",
    }
}

keyword_enum! {
    /// `policy.unversioned_breaking`: `warn` is the dbt-compatible preset.
    #[derive(Default)]
    UnversionedBreaking, "unversioned_breaking level", "valid levels", {
        #[default]
        Err = "err" | "error",
        Warn = "warn" | "warning",
    }
}

keyword_enum! {
    /// `policy.unenforced_constraints`: whether unenforced PK/FK/unique count as guarantees.
    #[derive(Default)]
    UnenforcedConstraints, "unenforced_constraints policy", "valid values", {
        #[default]
        Declared = "declared",
        None = "none",
    }
}

keyword_enum! {
    /// A dbt freshness period.
    Period, "freshness period", "valid periods", {
        Minute = "minute" | "minutes",
        Hour = "hour" | "hours",
        Day = "day" | "days",
    }
}

keyword_enum! {
    /// A dbt constraint `type`.
    ConstraintType, "constraint type", "valid constraint types", {
        NotNull = "not_null",
        Unique = "unique",
        PrimaryKey = "primary_key",
        ForeignKey = "foreign_key",
        Check = "check",
        Custom = "custom",
    }
}
