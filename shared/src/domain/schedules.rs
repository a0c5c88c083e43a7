//! Business-hours schedules (API.md part 2, "SLA policies, business hours, satisfaction"): an
//! IANA time zone, weekly intervals in Zendesk's minutes-from-Sunday-00:00 convention, and
//! holidays. Two computations SLAs need: the instant N business minutes after a start, and the
//! business minutes between two instants. Both count real elapsed minutes inside the local
//! opening hours, so a day whose clocks jump (DST) is as long as it really is.
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Minutes in a week: intervals lie within `[0, 10080]`.
pub const WEEK_MINUTES: u32 = 7 * 24 * 60;
/// How far the arithmetic looks ahead before calling a schedule empty (two years of days).
const HORIZON_DAYS: usize = 731;

/// Open from `start_time` to `end_time`, minutes after Sunday 00:00 local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Interval {
    #[schema(maximum = 10080)]
    pub start_time: u32,
    #[schema(maximum = 10080)]
    pub end_time: u32,
}

/// Closed all day from `start_date` to `end_date` (inclusive, local dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Holiday {
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    #[schema(value_type = String, format = Date)]
    pub end_date: Date,
}

/// A schedule ready to compute with: its zone resolved, its intervals as per-weekday opening
/// spans (minutes of the local day, split at midnight).
#[derive(Debug, Clone)]
pub struct Hours {
    tz: TimeZone,
    /// Index 0 = Sunday.
    days: [Vec<(u32, u32)>; 7],
    holidays: Vec<(Date, Date)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ScheduleError {
    ScheduleError { field, message: message.into() }
}

/// Checks a zone name against the tz database.
pub fn parse_time_zone(name: &str) -> Result<TimeZone, ScheduleError> {
    if name.trim().is_empty() || name.len() > 64 {
        return Err(invalid("time_zone", "The time zone must be an IANA name such as Europe/Berlin."));
    }
    TimeZone::get(name)
        .map_err(|_| invalid("time_zone", format!("The time zone {name:?} is not in the tz database.")))
}

impl Hours {
    pub fn new(
        time_zone: &str,
        intervals: &[Interval],
        holidays: &[Holiday],
    ) -> Result<Hours, ScheduleError> {
        let tz = parse_time_zone(time_zone)?;
        let mut sorted = intervals.to_vec();
        sorted.sort_by_key(|i| i.start_time);
        for (n, i) in sorted.iter().enumerate() {
            if i.start_time >= i.end_time || i.end_time > WEEK_MINUTES {
                return Err(invalid(
                    "intervals",
                    "Each interval needs 0 <= start_time < end_time <= 10080 (minutes from Sunday 00:00).",
                ));
            }
            if n > 0 && sorted[n - 1].end_time > i.start_time {
                return Err(invalid("intervals", "Intervals must not overlap."));
            }
        }
        let mut days: [Vec<(u32, u32)>; 7] = Default::default();
        for i in &sorted {
            let mut at = i.start_time;
            while at < i.end_time {
                let day = at / 1440;
                let day_end = (day + 1) * 1440;
                let end = i.end_time.min(day_end);
                days[day as usize].push((at - day * 1440, end - day * 1440));
                at = end;
            }
        }
        for h in holidays {
            if h.end_date < h.start_date {
                return Err(invalid("holidays", "A holiday's end_date may not be before its start_date."));
            }
            if h.name.trim().is_empty() || h.name.chars().count() > 255 {
                return Err(invalid("holidays", "Each holiday needs a name of 1 to 255 characters."));
            }
        }
        let holidays = holidays.iter().map(|h| (h.start_date, h.end_date)).collect();
        Ok(Hours { tz, days, holidays })
    }

    fn is_holiday(&self, d: Date) -> bool {
        self.holidays.iter().any(|(s, e)| *s <= d && d <= *e)
    }

    /// The opening spans of local date `d` as instants (unix milliseconds), in order.
    fn spans(&self, d: Date) -> Vec<(i64, i64)> {
        if self.is_holiday(d) {
            return Vec::new();
        }
        let weekday = d.weekday().to_sunday_zero_offset() as usize;
        self.days[weekday]
            .iter()
            .filter_map(|&(s, e)| Some((self.local_ms(d, s)?, self.local_ms(d, e)?)))
            .filter(|(a, b)| a < b)
            .collect()
    }

    /// Local date `d` at `minute` of the day (1440 = the next midnight) as unix milliseconds;
    /// a time inside a DST gap maps forward, as clocks do.
    fn local_ms(&self, d: Date, minute: u32) -> Option<i64> {
        let (date, minute) = if minute >= 1440 { (d.tomorrow().ok()?, minute - 1440) } else { (d, minute) };
        let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        Some(dt.to_zoned_datetime(self.tz.clone()).ok()?.timestamp().as_millisecond())
    }

    fn local_date(&self, ms: i64) -> Option<Date> {
        Some(jiff::Timestamp::from_millisecond(ms).ok()?.to_zoned_datetime(self.tz.clone()).date())
    }

    /// The instant `minutes` business minutes after `start` (`start` itself for 0 when open,
    /// else the next opening). `None` when the schedule has no opening within two years.
    pub fn add_minutes(&self, start: OffsetDateTime, minutes: u64) -> Option<OffsetDateTime> {
        self.add_millis(start, minutes as i64 * 60_000)
    }

    /// As [`Hours::add_minutes`], to the millisecond (SLA clocks keep what they consumed in
    /// milliseconds, so pausing and resuming loses nothing to rounding).
    pub fn add_millis(&self, start: OffsetDateTime, millis: i64) -> Option<OffsetDateTime> {
        let start_ms = to_ms(start);
        let mut left = millis.max(0);
        // The previous local day too: an opening span can start before `start`'s local date
        // begins only through a DST fold, but looking one day back costs nothing.
        let mut d = self.local_date(start_ms)?.yesterday().ok()?;
        for _ in 0..HORIZON_DAYS {
            for (a, b) in self.spans(d) {
                if b <= start_ms {
                    continue;
                }
                let from = a.max(start_ms);
                if left <= b - from {
                    return from_ms(from + left);
                }
                left -= b - from;
            }
            d = d.tomorrow().ok()?;
        }
        None
    }

    /// Business minutes (whole, rounded down) between `from` and `to` (0 when `to <= from`).
    pub fn minutes_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> u64 {
        (self.millis_between(from, to) / 60_000) as u64
    }

    /// Business milliseconds between `from` and `to` (0 when `to <= from`).
    pub fn millis_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> i64 {
        let (from_ms, to_ms) = (to_ms(from), to_ms(to));
        if to_ms <= from_ms {
            return 0;
        }
        let (Some(first), Some(last)) = (self.local_date(from_ms), self.local_date(to_ms)) else { return 0 };
        let Ok(mut d) = first.yesterday() else { return 0 };
        let mut total = 0i64;
        while d <= last {
            for (a, b) in self.spans(d) {
                let (lo, hi) = (a.max(from_ms), b.min(to_ms));
                if lo < hi {
                    total += hi - lo;
                }
            }
            let Ok(next) = d.tomorrow() else { break };
            d = next;
        }
        total
    }
}

fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn from_ms(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// Monday to Friday, 09:00 to 17:00.
    fn office(tz: &str, holidays: &[Holiday]) -> Hours {
        let intervals: Vec<Interval> = (1..=5)
            .map(|d| Interval { start_time: d * 1440 + 9 * 60, end_time: d * 1440 + 17 * 60 })
            .collect();
        Hours::new(tz, &intervals, holidays).unwrap()
    }

    fn day(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn adding_within_a_day_across_nights_and_the_weekend() {
        let h = office("UTC", &[]);
        // Wednesday 2026-06-10 10:00 + 60 min = 11:00.
        assert_eq!(h.add_minutes(datetime!(2026-06-10 10:00 UTC), 60), Some(datetime!(2026-06-10 11:00 UTC)));
        // 16:30 + 60 = next day 09:30 (midnight and the night skipped).
        assert_eq!(h.add_minutes(datetime!(2026-06-10 16:30 UTC), 60), Some(datetime!(2026-06-11 09:30 UTC)));
        // Friday 16:00 + 120 = Monday 10:00 (week-end wrap).
        assert_eq!(
            h.add_minutes(datetime!(2026-06-12 16:00 UTC), 120),
            Some(datetime!(2026-06-15 10:00 UTC))
        );
        // Saturday night + 0 = Monday's opening.
        assert_eq!(h.add_minutes(datetime!(2026-06-13 23:00 UTC), 0), Some(datetime!(2026-06-15 09:00 UTC)));
        assert_eq!(h.minutes_between(datetime!(2026-06-12 16:00 UTC), datetime!(2026-06-15 10:00 UTC)), 120);
        assert_eq!(h.minutes_between(datetime!(2026-06-13 00:00 UTC), datetime!(2026-06-14 23:59 UTC)), 0);
        assert_eq!(h.minutes_between(datetime!(2026-06-15 10:00 UTC), datetime!(2026-06-12 16:00 UTC)), 0);
    }

    #[test]
    fn a_week_wrapping_interval_and_midnight() {
        // Saturday 22:00 to Sunday 02:00 is two intervals (the week ends at 10080).
        let intervals = [
            Interval { start_time: 0, end_time: 120 },
            Interval { start_time: 6 * 1440 + 22 * 60, end_time: WEEK_MINUTES },
        ];
        let h = Hours::new("UTC", &intervals, &[]).unwrap();
        // Saturday 2026-06-13 23:00 + 120 = Sunday 01:00.
        assert_eq!(
            h.add_minutes(datetime!(2026-06-13 23:00 UTC), 120),
            Some(datetime!(2026-06-14 01:00 UTC))
        );
        assert_eq!(h.minutes_between(datetime!(2026-06-13 12:00 UTC), datetime!(2026-06-14 12:00 UTC)), 240);
    }

    #[test]
    fn holidays_close_whole_local_days() {
        let h = office(
            "UTC",
            &[Holiday { name: "Founders".into(), start_date: day(2026, 6, 11), end_date: day(2026, 6, 12) }],
        );
        // Wednesday 16:00 + 120 min: Thursday and Friday are off → Monday 10:00.
        assert_eq!(
            h.add_minutes(datetime!(2026-06-10 16:00 UTC), 120),
            Some(datetime!(2026-06-15 10:00 UTC))
        );
        assert_eq!(
            h.minutes_between(datetime!(2026-06-10 00:00 UTC), datetime!(2026-06-16 00:00 UTC)),
            2 * 480
        );
    }

    #[test]
    fn daylight_saving_changes_move_the_hours_not_the_length() {
        // Berlin: 2026-03-29 clocks go 02:00 → 03:00; 2026-10-25 03:00 → 02:00.
        let h = office("Europe/Berlin", &[]);
        // Friday 2026-03-27 16:00 CET (15:00 UTC) + 120 = Monday 10:00 CEST (08:00 UTC).
        assert_eq!(
            h.add_minutes(datetime!(2026-03-27 15:00 UTC), 120),
            Some(datetime!(2026-03-30 08:00 UTC))
        );
        // The week around the change still has 5 × 480 business minutes.
        assert_eq!(h.minutes_between(datetime!(2026-03-22 00:00 UTC), datetime!(2026-03-29 00:00 UTC)), 2400);
        assert_eq!(h.minutes_between(datetime!(2026-03-28 00:00 UTC), datetime!(2026-04-04 00:00 UTC)), 2400);
        // Autumn: Monday 2026-10-26 09:00 CET is 08:00 UTC.
        assert_eq!(h.add_minutes(datetime!(2026-10-23 14:30 UTC), 60), Some(datetime!(2026-10-26 08:30 UTC)));
        // A 24-hour schedule across the spring gap: Sunday 29 March has 23 real hours.
        let always =
            Hours::new("Europe/Berlin", &[Interval { start_time: 0, end_time: WEEK_MINUTES }], &[]).unwrap();
        assert_eq!(
            always.minutes_between(datetime!(2026-03-28 23:00 UTC), datetime!(2026-03-29 22:00 UTC)),
            23 * 60
        );
        assert_eq!(
            always.add_minutes(datetime!(2026-03-29 00:30 UTC), 60),
            Some(datetime!(2026-03-29 01:30 UTC))
        );
    }

    #[test]
    fn bad_schedules_are_refused() {
        let e = |tz: &str, i: &[Interval]| Hours::new(tz, i, &[]).unwrap_err().field;
        assert_eq!(e("Mars/Olympus", &[]), "time_zone");
        assert_eq!(e("UTC", &[Interval { start_time: 600, end_time: 600 }]), "intervals");
        assert_eq!(e("UTC", &[Interval { start_time: 0, end_time: 10081 }]), "intervals");
        assert_eq!(
            e(
                "UTC",
                &[Interval { start_time: 0, end_time: 600 }, Interval { start_time: 500, end_time: 700 }]
            ),
            "intervals"
        );
        let h = Hours::new("UTC", &[], &[]).unwrap();
        assert_eq!(h.add_minutes(datetime!(2026-06-10 10:00 UTC), 1), None, "never open");
    }
}
