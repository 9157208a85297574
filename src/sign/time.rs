//! The two instants signing deals in: RFC 3339 UTC timestamps in payloads, and the
//! `YYYYMMDD[HHMM[SS]]Z` windows of allowed_signers. Both become seconds since the epoch, so no
//! time-zone database is needed: anything that is not UTC is refused by the callers.

use crate::contract::Date;

/// Seconds since 1970-01-01T00:00:00Z of `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; the fraction is
/// checked and dropped. `None` for anything else, including other offsets than `Z`.
pub fn parse_rfc3339_utc(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    let fraction = &b[19..b.len() - 1];
    if let Some((&dot, digits)) = fraction.split_first() {
        if dot != b'.' || digits.is_empty() || digits.len() > 9 {
            return None;
        }
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    let date = parse_date(s.get(..10)?)?;
    let hour = number(&b[11..13])?;
    let minute = number(&b[14..16])?;
    let second = number(&b[17..19])?;
    clock_seconds(date, hour, minute, second)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch.
pub fn format_rfc3339_utc(unix: i64) -> String {
    let date = Date::from_days_since_epoch(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A strict `YYYY-MM-DD` (the contract date parser also accepts a trailing time, which a payload
/// must not carry).
pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 || !s.is_ascii() {
        return None;
    }
    s.parse().ok()
}

/// An allowed_signers time, `YYYYMMDD[HHMM[SS]][Z]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignersTime {
    /// With `Z`: seconds since the epoch.
    Utc(i64),
    /// Without `Z`, local time, which cannot be placed without a time zone.
    Local,
}

/// `None` when `s` is not of the form `YYYYMMDD[HHMM[SS]][Z]`.
pub fn parse_signers_time(s: &str) -> Option<SignersTime> {
    let (digits, utc) = match s.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (s, false),
    };
    if !matches!(digits.len(), 8 | 12 | 14) || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let d = digits.as_bytes();
    let year = i32::try_from(number(&d[..4])?).ok()?;
    let month = u8::try_from(number(&d[4..6])?).ok()?;
    let day = u8::try_from(number(&d[6..8])?).ok()?;
    let date = Date::new(year, month, day)?;
    let field = |range: std::ops::Range<usize>| d.get(range).map_or(Some(0), number);
    let unix = clock_seconds(date, field(8..10)?, field(10..12)?, field(12..14)?)?;
    Some(if utc {
        SignersTime::Utc(unix)
    } else {
        SignersTime::Local
    })
}

fn clock_seconds(date: Date, hour: i64, minute: i64, second: i64) -> Option<i64> {
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(date.days_since_epoch() * 86_400 + hour * 3600 + minute * 60 + second)
}

fn number(digits: &[u8]) -> Option<i64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_and_is_strict() {
        let t = parse_rfc3339_utc("2026-09-01T12:00:00Z").unwrap();
        assert_eq!(format_rfc3339_utc(t), "2026-09-01T12:00:00Z");
        assert_eq!(parse_rfc3339_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_utc("2026-09-01T12:00:00.123Z"), Some(t));
        for bad in [
            "2026-09-01T12:00:00+02:00",
            "2026-09-01 12:00:00Z",
            "2026-09-01T24:00:00Z",
            "2026-02-30T12:00:00Z",
            "2026-09-01T12:00:00.Z",
            "2026-09-01T12:00:00",
            "2026-09-01T1:00:00Z",
            "２０２６-09-01T12:00:00Z",
            "",
        ] {
            assert_eq!(parse_rfc3339_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn signers_times() {
        use SignersTime::*;
        assert_eq!(parse_signers_time("19700101Z"), Some(Utc(0)));
        assert_eq!(parse_signers_time("197001010001Z"), Some(Utc(60)));
        assert_eq!(parse_signers_time("19700101000001Z"), Some(Utc(1)));
        assert_eq!(parse_signers_time("20260101"), Some(Local));
        for bad in [
            "2026010",
            "20261301Z",
            "2026-01-01",
            "20260101250000Z",
            "2026010112Z",
        ] {
            assert_eq!(parse_signers_time(bad), None, "{bad}");
        }
    }
}
