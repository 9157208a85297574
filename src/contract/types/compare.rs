//! Classification of one scalar type change (RULES.md §2.4 steps 2-7).

use std::cmp::Ordering;

use super::{
    CanonType as T, TypeChange, TzKind, UNBOUNDED_DECIMAL_INT_DIGITS, UNBOUNDED_DECIMAL_SCALE,
    normalize_raw,
};

/// Compares two canonical types that are not both Struct, both Array or both Map (the caller
/// recurses into those, to report nested paths). Given such a pair anyway, a difference is
/// reported as `Changed`.
pub fn compare(before_raw: &str, before: &T, after_raw: &str, after: &T) -> TypeChange {
    let same_text = normalize_raw(before_raw) == normalize_raw(after_raw);
    if before == after {
        return if same_text {
            TypeChange::Equal
        } else {
            TypeChange::Alias
        };
    }
    if before.contains_unknown() || after.contains_unknown() {
        // Fail closed: unreadable types are only ever equal to the same text.
        return if same_text {
            TypeChange::Equal
        } else {
            TypeChange::Changed {
                low_confidence: true,
            }
        };
    }
    if let Some(change) = within_family(before, after) {
        return change;
    }
    cross_family(before, after)
}

/// Dimension changes, split into those that grew and those that shrank. `None` is unbounded.
#[derive(Default)]
struct Dims {
    widened: Vec<String>,
    narrowed: Vec<String>,
}

impl Dims {
    fn check(mut self, label: &str, before: Option<u64>, after: Option<u64>, unit: &str) -> Dims {
        let order = match (before, after) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let show = |v: Option<u64>| v.map_or("unbounded".to_string(), |n| n.to_string());
        let phrase = format!("{label} {}→{}{unit}", show(before), show(after));
        match order {
            Ordering::Less => self.widened.push(phrase),
            Ordering::Greater => self.narrowed.push(phrase),
            Ordering::Equal => {}
        }
        self
    }

    fn into_change(self) -> TypeChange {
        match (self.widened.is_empty(), self.narrowed.is_empty()) {
            (false, true) => TypeChange::Widened { dims: self.widened },
            (true, false) => TypeChange::Narrowed {
                dims: self.narrowed,
            },
            (false, false) => TypeChange::WidenedAndNarrowed {
                widened: self.widened,
                narrowed: self.narrowed,
            },
            // Same dimensions yet unequal types cannot arise from canonicalize; stay strict.
            (true, true) => TypeChange::Changed {
                low_confidence: false,
            },
        }
    }
}

fn within_family(before: &T, after: &T) -> Option<TypeChange> {
    let dims = Dims::default();
    let dims = match (before, after) {
        (T::Int { bits: a }, T::Int { bits: b }) | (T::Float { bits: a }, T::Float { bits: b }) => {
            dims.check("width", Some(u64::from(*a)), Some(u64::from(*b)), " bits")
        }
        (
            T::Decimal {
                precision: pa,
                scale: sa,
            },
            T::Decimal {
                precision: pb,
                scale: sb,
            },
        ) => dims
            .check(
                "integer digits",
                int_digits(*pa, *sa),
                int_digits(*pb, *sb),
                "",
            )
            .check("scale", decimal_scale(*sa), decimal_scale(*sb), ""),
        (T::String { max_len: a }, T::String { max_len: b })
        | (T::Binary { max_len: a }, T::Binary { max_len: b }) => {
            dims.check("max length", *a, *b, "")
        }
        (
            T::Timestamp {
                tz: ta,
                precision: a,
            },
            T::Timestamp {
                tz: tb,
                precision: b,
            },
        ) if ta == tb => dims.check("precision", Some(u64::from(*a)), Some(u64::from(*b)), ""),
        (T::Time { precision: a }, T::Time { precision: b }) => {
            dims.check("precision", Some(u64::from(*a)), Some(u64::from(*b)), "")
        }
        _ => return None,
    };
    Some(dims.into_change())
}

/// Integer digits of a decimal; Postgres's unconstrained `numeric` reads as unbounded.
fn int_digits(precision: u32, scale: u32) -> Option<u64> {
    let digits = precision.saturating_sub(scale);
    (digits < UNBOUNDED_DECIMAL_INT_DIGITS).then_some(u64::from(digits))
}

fn decimal_scale(scale: u32) -> Option<u64> {
    (scale < UNBOUNDED_DECIMAL_SCALE).then_some(u64::from(scale))
}

/// Decimal digits needed to hold every value of a signed integer of `bits` bits.
fn digits_for_int(bits: u16) -> u32 {
    match bits {
        0..=8 => 3,
        9..=16 => 5,
        17..=32 => 10,
        33..=64 => 19,
        _ => 39,
    }
}

fn cross_family(before: &T, after: &T) -> TypeChange {
    // float32 carries about 6 exact decimal digits, float64 about 15: beyond that, the move
    // keeps the magnitude but not every value.
    let to_float = |exact: bool| {
        if exact {
            TypeChange::Promoted
        } else {
            TypeChange::WidenedLossy
        }
    };
    match (before, after) {
        (T::Int { bits }, T::Decimal { precision, scale }) => {
            if precision.saturating_sub(*scale) >= digits_for_int(*bits) {
                TypeChange::Promoted
            } else {
                TypeChange::Changed {
                    low_confidence: false,
                }
            }
        }
        (T::Int { bits }, T::Float { bits: 64 }) => to_float(*bits <= 32),
        (T::Int { bits }, T::Float { bits: 32 }) => to_float(*bits <= 16),
        (T::Decimal { precision, .. }, T::Float { bits: 64 }) => to_float(*precision <= 15),
        (T::Decimal { precision, .. }, T::Float { bits: 32 }) => to_float(*precision <= 6),
        (
            T::Date,
            T::Timestamp {
                tz: TzKind::Ntz, ..
            },
        ) => TypeChange::Promoted,
        _ => TypeChange::Changed {
            low_confidence: false,
        },
    }
}
