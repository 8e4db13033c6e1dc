//! `/proc/sys/net`: the network sysctls of the sandbox's own network
//! namespace, with Linux's defaults for a new namespace and its checks on
//! writes. `net.core.somaxconn`, `net.unix.max_dgram_qlen` and the socket
//! buffer sizes are used by the sentry's unix sockets; the inet ones are
//! kept and read back until the sandbox has an inet stack (documented).

use super::sys::{int, ints, tunable_vec, Check, INT};
use super::{table_dir, Entry};
use crate::fs::synth::SynthFs;
use crate::vfs::Inode;
use std::sync::{Arc, Mutex};
use syscalls::consts::{S_IFDIR, S_IFREG};
use syscalls::Errno;

const W: u32 = S_IFREG | 0o644;
const D: u32 = S_IFDIR | 0o555;

/// Defaults of the values the sentry acts on.
pub const SOMAXCONN: i128 = 4096;
pub const MAX_DGRAM_QLEN: i128 = 10;
/// SK_WMEM_MAX / SK_RMEM_MAX: the default of all four buffer sysctls.
pub const SK_MEM: i128 = 212_992;
/// SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF.
const MIN_SNDBUF: i128 = 4608;
const MIN_RCVBUF: i128 = 2304;

const PORT_RANGE: &[i128] = &[32768, 60999];
const UNPRIV_PORT: i128 = 1024;
/// GID_T_MAX: (gid_t)~0 - 1.
const GID_T_MAX: i128 = u32::MAX as i128 - 1;

fn none(v: Vec<i128>) -> Result<Vec<i128>, Errno> {
    Ok(v)
}

/// One integer with Linux's bounds and no cross-field check.
fn one(
    fs: &Arc<SynthFs>,
    key: &'static str,
    default: &'static [i128],
    bounds: (i128, i128),
) -> Arc<dyn Inode> {
    tunable_vec(fs, key, default, bounds, none as Check)
}

/// ipv4_privileged_ports: the local port range must stay above it.
fn unpriv_check(v: Vec<i128>) -> Result<Vec<i128>, Errno> {
    if ints("net.ipv4.ip_local_port_range", PORT_RANGE)[0] < v[0] {
        return Err(Errno::EINVAL);
    }
    Ok(v)
}

/// ipv4_local_port_range: low <= high, and low not below
/// ip_unprivileged_port_start.
fn port_range_check(v: Vec<i128>) -> Result<Vec<i128>, Errno> {
    if v[1] < v[0] || v[0] < int("net.ipv4.ip_unprivileged_port_start", UNPRIV_PORT) {
        return Err(Errno::EINVAL);
    }
    Ok(v)
}

/// ipv4_ping_group_range: an inverted range means "nobody" (1 0).
fn ping_check(v: Vec<i128>) -> Result<Vec<i128>, Errno> {
    if v[1] < v[0] {
        return Ok(vec![1, 0]);
    }
    Ok(v)
}

/// net.ipv4.ip_local_reserved_ports: sorted, merged inclusive ranges.
static RESERVED: Mutex<Vec<(u32, u32)>> = Mutex::new(Vec::new());

/// A port list as `proc_do_large_bitmap` takes it: `N` or `N-M` items
/// separated by commas, no spaces, one trailing newline allowed; empty
/// clears it. Returns the merged ranges.
fn parse_ports(buf: &[u8]) -> Result<Vec<(u32, u32)>, Errno> {
    let text = std::str::from_utf8(buf).map_err(|_| Errno::EINVAL)?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut v = Vec::new();
    if text.is_empty() {
        return Ok(v);
    }
    let num = |s: &str| -> Result<u32, Errno> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Errno::EINVAL);
        }
        s.parse::<u32>()
            .ok()
            .filter(|p| *p <= 65535)
            .ok_or(Errno::EINVAL)
    };
    for item in text.split(',') {
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(item)?, num(item)?),
        };
        if b < a {
            return Err(Errno::EINVAL);
        }
        v.push((a, b));
    }
    v.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (a, b) in v {
        match merged.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    Ok(merged)
}

fn show_ports(v: &[(u32, u32)]) -> Vec<u8> {
    let items: Vec<String> = v
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    format!("{}\n", items.join(",")).into_bytes()
}

fn reserved_ports(fs: &Arc<SynthFs>) -> Arc<dyn Inode> {
    let lock = || RESERVED.lock().unwrap_or_else(|e| e.into_inner());
    super::sys::sysctl(
        fs,
        0o644,
        Arc::new(move || Ok(show_ports(&lock()))),
        Some(Arc::new(move |buf: &[u8]| {
            *lock() = parse_ports(buf)?;
            Ok(buf.len())
        })),
    )
}

static CORE: &[Entry<()>] = &[
    ("rmem_default", W, |fs, _| {
        one(fs, "net.core.rmem_default", &[SK_MEM], (MIN_RCVBUF, INT.1))
    }),
    ("rmem_max", W, |fs, _| {
        one(fs, "net.core.rmem_max", &[SK_MEM], (MIN_RCVBUF, INT.1))
    }),
    ("somaxconn", W, |fs, _| {
        one(fs, "net.core.somaxconn", &[SOMAXCONN], (0, INT.1))
    }),
    ("wmem_default", W, |fs, _| {
        one(fs, "net.core.wmem_default", &[SK_MEM], (MIN_SNDBUF, INT.1))
    }),
    ("wmem_max", W, |fs, _| {
        one(fs, "net.core.wmem_max", &[SK_MEM], (MIN_SNDBUF, INT.1))
    }),
];

static IPV4: &[Entry<()>] = &[
    ("ip_forward", W, |fs, _| {
        one(fs, "net.ipv4.ip_forward", &[0], (0, 1))
    }),
    ("ip_local_port_range", W, |fs, _| {
        tunable_vec(
            fs,
            "net.ipv4.ip_local_port_range",
            PORT_RANGE,
            (1, 65535),
            port_range_check,
        )
    }),
    ("ip_local_reserved_ports", W, |fs, _| reserved_ports(fs)),
    ("ip_unprivileged_port_start", W, |fs, _| {
        tunable_vec(
            fs,
            "net.ipv4.ip_unprivileged_port_start",
            &[UNPRIV_PORT],
            (0, 65535),
            unpriv_check,
        )
    }),
    ("ping_group_range", W, |fs, _| {
        tunable_vec(
            fs,
            "net.ipv4.ping_group_range",
            &[1, 0],
            (0, GID_T_MAX),
            ping_check,
        )
    }),
    ("tcp_fin_timeout", W, |fs, _| {
        one(fs, "net.ipv4.tcp_fin_timeout", &[60], INT)
    }),
    ("tcp_keepalive_intvl", W, |fs, _| {
        one(fs, "net.ipv4.tcp_keepalive_intvl", &[75], INT)
    }),
    ("tcp_keepalive_probes", W, |fs, _| {
        one(fs, "net.ipv4.tcp_keepalive_probes", &[9], (0, 255))
    }),
    ("tcp_keepalive_time", W, |fs, _| {
        one(fs, "net.ipv4.tcp_keepalive_time", &[7200], INT)
    }),
    ("tcp_rmem", W, |fs, _| {
        tunable_vec(
            fs,
            "net.ipv4.tcp_rmem",
            &[4096, 131072, 6291456],
            (1, INT.1),
            none,
        )
    }),
    ("tcp_syncookies", W, |fs, _| {
        one(fs, "net.ipv4.tcp_syncookies", &[1], (0, 2))
    }),
    ("tcp_wmem", W, |fs, _| {
        tunable_vec(
            fs,
            "net.ipv4.tcp_wmem",
            &[4096, 16384, 4194304],
            (1, INT.1),
            none,
        )
    }),
];

static UNIX: &[Entry<()>] = &[("max_dgram_qlen", W, |fs, _| {
    one(fs, "net.unix.max_dgram_qlen", &[MAX_DGRAM_QLEN], INT)
})];

static NET: &[Entry<()>] = &[
    ("core", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), CORE, ())
    }),
    ("ipv4", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), IPV4, ())
    }),
    ("unix", D, |fs, _| {
        table_dir(fs, 0o555, Arc::new(|| (0, 0)), UNIX, ())
    }),
];

/// `/proc/sys/net`.
pub fn net_dir(fs: &Arc<SynthFs>) -> Arc<dyn Inode> {
    table_dir(fs, 0o555, Arc::new(|| (0, 0)), NET, ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_port_lists() {
        let p = |s: &str| parse_ports(s.as_bytes());
        assert_eq!(
            show_ports(&p("8080,100-200,150-300,5\n").unwrap()),
            b"5,100-300,8080\n"
        );
        assert_eq!(show_ports(&p("1,2,3").unwrap()), b"1-3\n");
        assert_eq!(show_ports(&p("\n").unwrap()), b"\n");
        for bad in ["9-3", "70000", " 7", "7 ", "a", "1,,2", "-1"] {
            assert_eq!(p(bad), Err(Errno::EINVAL), "{bad:?}");
        }
    }
}
