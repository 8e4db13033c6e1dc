//! Clocks and timers.

pub const CLOCK_REALTIME: i32 = 0;
pub const CLOCK_MONOTONIC: i32 = 1;
pub const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
pub const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
pub const CLOCK_MONOTONIC_RAW: i32 = 4;
pub const CLOCK_REALTIME_COARSE: i32 = 5;
pub const CLOCK_MONOTONIC_COARSE: i32 = 6;
pub const CLOCK_BOOTTIME: i32 = 7;
pub const CLOCK_REALTIME_ALARM: i32 = 8;
pub const CLOCK_BOOTTIME_ALARM: i32 = 9;
pub const CLOCK_TAI: i32 = 11;

/// `clock_nanosleep`/`timer_settime`: the time is absolute.
pub const TIMER_ABSTIME: i32 = 1;

pub const ITIMER_REAL: i32 = 0;
pub const ITIMER_VIRTUAL: i32 = 1;
pub const ITIMER_PROF: i32 = 2;

/// `USER_HZ`: the unit of `times()`, `/proc` tick counts and `AT_CLKTCK`.
pub const CLK_TCK: u64 = 100;

/// The name of a clock id, e.g. `"CLOCK_MONOTONIC"`.
pub fn clock_name(id: i32) -> Option<&'static str> {
    Some(match id {
        CLOCK_REALTIME => "CLOCK_REALTIME",
        CLOCK_MONOTONIC => "CLOCK_MONOTONIC",
        CLOCK_PROCESS_CPUTIME_ID => "CLOCK_PROCESS_CPUTIME_ID",
        CLOCK_THREAD_CPUTIME_ID => "CLOCK_THREAD_CPUTIME_ID",
        CLOCK_MONOTONIC_RAW => "CLOCK_MONOTONIC_RAW",
        CLOCK_REALTIME_COARSE => "CLOCK_REALTIME_COARSE",
        CLOCK_MONOTONIC_COARSE => "CLOCK_MONOTONIC_COARSE",
        CLOCK_BOOTTIME => "CLOCK_BOOTTIME",
        CLOCK_REALTIME_ALARM => "CLOCK_REALTIME_ALARM",
        CLOCK_BOOTTIME_ALARM => "CLOCK_BOOTTIME_ALARM",
        CLOCK_TAI => "CLOCK_TAI",
        _ => return None,
    })
}
