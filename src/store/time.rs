//! Instants in the store: whole seconds since the Unix epoch, UTC, written as RFC 3339
//! (`2026-06-01T12:00:00Z`) wherever people or other programs read them. Callers pass "now" in, so
//! tests and `TESSERA_TODAY` runs are reproducible and the store never reads the clock itself.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::contract::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a UTC timestamp of the form YYYY-MM-DDTHH:MM:SSZ")]
pub struct TimestampError(pub String);

impl Timestamp {
    pub fn from_unix(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    pub fn unix(self) -> i64 {
        self.0
    }

    /// The system clock, for callers at the edge (commands); the store itself never calls it.
    pub fn now() -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    /// Midnight UTC of a day: what "now" is when `TESSERA_TODAY` fixes the date.
    pub fn start_of(day: Date) -> Timestamp {
        Timestamp(day.days_since_epoch() * 86_400)
    }

    pub fn date(self) -> Date {
        Date::from_days_since_epoch(self.0.div_euclid(86_400))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.rem_euclid(86_400);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            secs / 3_600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Timestamp, TimestampError> {
        let err = || TimestampError(s.to_string());
        let (day, time) = s.split_once('T').ok_or_else(err)?;
        if day.len() != 10 {
            return Err(err());
        }
        let day: Date = day.parse().map_err(|_| err())?;
        let time = time.strip_suffix('Z').ok_or_else(err)?;
        let mut parts = time.split(':');
        let (Some(h), Some(m), Some(sec), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        let field = |p: &str, max: i64| -> Result<i64, TimestampError> {
            if p.len() != 2 {
                return Err(err());
            }
            p.parse::<i64>()
                .ok()
                .filter(|v| (0..=max).contains(v))
                .ok_or_else(err)
        };
        let secs = field(h, 23)? * 3_600 + field(m, 59)? * 60 + field(sec, 59)?;
        Ok(Timestamp(Timestamp::start_of(day).0 + secs))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// serde for `Option<Date>`: `contract::Date` serialises but, being pure contract data, has no
/// `Deserialize`, which the store's wire types need.
pub(crate) mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::contract::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_rfc3339() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2026-06-01T12:34:56Z",
            "2000-02-29T23:59:59Z",
            "1969-12-31T23:59:59Z",
        ] {
            let t: Timestamp = s.parse().unwrap();
            assert_eq!(t.to_string(), s);
        }
        assert_eq!(
            "1970-01-02T00:00:01Z".parse::<Timestamp>().unwrap().0,
            86_401
        );
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "2026-06-01",
            "2026-06-01T12:00:00",
            "2026-06-01T24:00:00Z",
            "2026-06-01T1:00:00Z",
            "2026-06-01T12:00:00+02:00",
            "2026-06-01T12:00Z",
        ] {
            assert!(s.parse::<Timestamp>().is_err(), "{s}");
        }
    }
}
