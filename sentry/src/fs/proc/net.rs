//! `/proc/[pid]/net` (and `/proc/net`, a link to `self/net`): the socket
//! tables with Linux's header lines. The sandbox has no network stack yet,
//! so the inet tables are empty; `unix` lists the sentry's unix sockets.

use super::{table_dir, text, Entry};
use crate::fs::synth::SynthFs;
use crate::vfs::Inode;
use std::sync::Arc;
use syscalls::consts::S_IFREG;

const R: u32 = S_IFREG | 0o444;

static NET: &[Entry<()>] = &[
    ("tcp", R, |fs, _| {
        text(fs, || {
            b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n".to_vec()
        })
    }),
    ("tcp6", R, |fs, _| {
        text(fs, || {
            b"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n".to_vec()
        })
    }),
    ("udp", R, |fs, _| {
        text(fs, || {
            b"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            \n".to_vec()
        })
    }),
    ("udp6", R, |fs, _| {
        text(fs, || {
            b"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n".to_vec()
        })
    }),
    ("unix", R, |fs, _| text(fs, crate::net::unix::proc_net_unix)),
];

/// `/proc/[pid]/net`.
pub fn net_dir(fs: &Arc<SynthFs>) -> Arc<dyn Inode> {
    table_dir(fs, 0o555, Arc::new(|| (0, 0)), NET, ())
}
