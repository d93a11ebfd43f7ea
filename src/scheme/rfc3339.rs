//! RFC 3339 date-times (PayPal's `PAYPAL-TRANSMISSION-TIME`), read strictly into milliseconds
//! since the unix epoch, and written back for the test signer. No calendar crate: the civil
//! date arithmetic is the proleptic Gregorian calendar's, a few lines.

/// Longest date-time accepted, in bytes: `YYYY-MM-DDTHH:MM:SS`, a fraction of up to 9 digits
/// and a `+HH:MM` offset.
pub(crate) const MAX_LEN: usize = 19 + 10 + 6;

/// `text` as milliseconds since the unix epoch, or `None` unless it is exactly an RFC 3339
/// `date-time`: `YYYY-MM-DD`, `T` (or `t`), `HH:MM:SS`, an optional fraction of 1 to 9
/// digits (milliseconds are kept, finer digits dropped), then `Z` (or `z`) or a `+HH:MM` /
/// `-HH:MM` offset. The date must exist (no 31 April, 29 February only in leap years); a leap
/// second (`:60`) is read as the first second of the next minute. Times before 1970 are
/// refused, as negative unix timestamps are.
pub(crate) fn parse_millis(text: &[u8]) -> Option<u64> {
    if text.len() < 20 || text.len() > MAX_LEN {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits.iter().try_fold(0i64, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
        })
    };
    let at = |i: usize, allowed: &[u8]| text.get(i).is_some_and(|b| allowed.contains(b));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0i64;
    if let [b'.', fraction @ ..] = rest {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        for (i, b) in fraction[..digits.min(3)].iter().enumerate() {
            millis += i64::from(b - b'0') * [100, 10, 1][i];
        }
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (h, m) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'+' {
                h * 60 + m
            } else {
                -(h * 60 + m)
            }
        }
        _ => return None,
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
        - offset_minutes * 60;
    u64::try_from(seconds * 1000 + millis).ok()
}

/// `millis` since the unix epoch as an RFC 3339 date-time in UTC: `2026-12-03T08:30:00Z`, with
/// `.mmm` before the `Z` when the milliseconds are not zero.
pub(crate) fn format_millis(millis: u64) -> String {
    let seconds = i64::try_from(millis / 1000).unwrap_or(i64::MAX / 2);
    let (days, in_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        in_day / 3_600,
        in_day % 3_600 / 60,
        in_day % 60
    );
    if !millis.is_multiple_of(1000) {
        out.push_str(&format!(".{:03}", millis % 1000));
    }
    out.push('Z');
    out
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (negative before it). The year is shifted to start
/// in March, so the leap day is the last day of its year; a 400-year era has 146 097 days.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<u64> {
        parse_millis(text.as_bytes())
    }

    #[test]
    fn reads_rfc_3339_date_times_into_unix_milliseconds() {
        // Values checked with Python's `datetime.fromisoformat(..).timestamp()`.
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2016-09-21T22:00:46Z", 1_474_495_246_000),
            ("2016-02-18T20:01:35Z", 1_455_825_695_000),
            ("2024-02-29T12:00:00Z", 1_709_208_000_000),
            ("2000-03-01T00:00:00Z", 951_868_800_000),
            ("2099-12-31T23:59:59Z", 4_102_444_799_000),
            ("2016-09-21t22:00:46z", 1_474_495_246_000),
            ("2016-09-21T22:00:46.5Z", 1_474_495_246_500),
            ("2016-09-21T22:00:46.123456789Z", 1_474_495_246_123),
            ("2016-09-22T00:00:46+02:00", 1_474_495_246_000),
            ("2016-09-21T16:30:46-05:30", 1_474_495_246_000),
            ("2016-12-31T23:59:60Z", 1_483_228_800_000),
        ];
        for (text, millis) in cases {
            assert_eq!(parse(text), Some(millis), "{text}");
        }
    }

    #[test]
    fn refuses_anything_else() {
        for bad in [
            "",
            "1474495246",
            "2016-09-21",
            "2016-09-21T22:00:46",
            "2016-09-21 22:00:46Z",
            "2016-09-21T22:00Z",
            "2016-9-21T22:00:46Z",
            "2016-09-21T22:00:46.Z",
            "2016-09-21T22:00:46.1234567890Z",
            "2016-09-21T22:00:46+0200",
            "2016-09-21T22:00:46+02",
            "2016-09-21T22:00:46+24:00",
            "2016-09-21T22:00:46Z ",
            " 2016-09-21T22:00:46Z",
            "2016-09-21T22:00:46ZZ",
            "2016-13-21T22:00:46Z",
            "2016-00-21T22:00:46Z",
            "2016-04-31T22:00:46Z",
            "2023-02-29T22:00:46Z",
            "1900-02-29T00:00:00Z",
            "2016-09-21T24:00:00Z",
            "2016-09-21T22:60:46Z",
            "2016-09-21T22:00:61Z",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:30:00+01:00",
            "+016-09-21T22:00:46Z",
            "2016-09-21T22:00:46\u{ff10}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn writes_what_it_reads() {
        for millis in [
            0,
            1_474_495_246_000,
            1_474_495_246_007,
            1_709_208_000_000,
            951_782_400_000,
            4_102_444_799_999,
        ] {
            let text = format_millis(millis);
            assert_eq!(parse(&text), Some(millis), "{text}");
        }
        assert_eq!(format_millis(1_474_495_246_000), "2016-09-21T22:00:46Z");
        assert_eq!(format_millis(1_474_495_246_050), "2016-09-21T22:00:46.050Z");
        // Every day of four centuries round-trips, leap days included.
        for day in 0..146_097i64 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day, "{y}-{m}-{d}");
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
    }
}
