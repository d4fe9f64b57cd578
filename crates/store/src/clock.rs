//! The server's clock: the one place that reads the system time.
//!
//! Every instant the store writes (`created_at`, audit records, sessions) and every date the
//! rules read ("today" for deadlines, warnings, clue time limits, document dates) comes from the
//! [`Clock`] that the [`crate::Db`] carries. A production clock follows the system; a test or
//! drill clock can be pinned to a fixed start and moved forward, and everything moves with it.
//! A clippy `disallowed-methods` rule keeps direct system-time reads out of the rest of the code.

use std::sync::atomic::{AtomicI64, Ordering};

use time::{Date, OffsetDateTime, UtcOffset};

/// China Standard Time (UTC+8): the zone of every local date (deadlines, document dates).
pub fn china_offset() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// The server's clock. Instants tick with the system; a controllable clock adds an offset that
/// pinning and [`Clock::advance`] set.
#[derive(Debug, Default)]
pub struct Clock {
    /// Microseconds added to the system time.
    offset_us: AtomicI64,
    controllable: bool,
}

#[allow(clippy::disallowed_methods)] // the one sanctioned read of the system time
fn system_now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn micros(d: time::Duration) -> i64 {
    i64::try_from(d.whole_microseconds()).unwrap_or(i64::MAX)
}

impl Clock {
    /// The system time; refuses to move.
    pub fn system() -> Self {
        Clock::default()
    }

    /// Follows the system time until moved by [`Clock::advance`] (configuration `clock_control`).
    pub fn controllable() -> Self {
        Clock {
            offset_us: AtomicI64::new(0),
            controllable: true,
        }
    }

    /// A controllable clock that reads `start` now and ticks from there.
    pub fn pinned(start: OffsetDateTime) -> Self {
        Clock {
            offset_us: AtomicI64::new(micros(start - system_now())),
            controllable: true,
        }
    }

    /// A controllable clock on `today` at 10:00 China time, so that a test run of minutes or
    /// hours stays on that date.
    pub fn pinned_on(today: Date) -> Self {
        let start = today
            .with_hms(10, 0, 0)
            .map(|t| t.assume_offset(china_offset()))
            .unwrap_or_else(|_| system_now());
        Clock::pinned(start)
    }

    pub fn is_controllable(&self) -> bool {
        self.controllable
    }

    /// The current instant in UTC, truncated to microseconds (the precision both backends store).
    pub fn now(&self) -> OffsetDateTime {
        let t = system_now() + time::Duration::microseconds(self.offset_us.load(Ordering::Relaxed));
        t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
            .unwrap_or(t)
    }

    /// Today's date in China (UTC+8).
    pub fn today(&self) -> Date {
        self.now().to_offset(china_offset()).date()
    }

    /// Moves the clock forward by `days`; false (and no move) when it is not controllable.
    pub fn advance(&self, days: i64) -> bool {
        if self.controllable {
            self.offset_us
                .fetch_add(days.saturating_mul(86_400_000_000), Ordering::Relaxed);
        }
        self.controllable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn pinned_clock_reads_its_date_and_moves() {
        let c = Clock::pinned_on(date!(2027 - 12 - 31));
        assert_eq!(c.today(), date!(2027 - 12 - 31));
        assert!(c.advance(1));
        assert_eq!(c.today(), date!(2028 - 01 - 01));
        assert!(c.now() < c.now() + time::Duration::microseconds(1));
    }

    #[test]
    fn system_clock_refuses_to_move() {
        let c = Clock::system();
        let before = c.today();
        assert!(!c.advance(400));
        assert!(c.today() - before < time::Duration::days(2));
    }
}
