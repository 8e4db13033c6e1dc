//! Shared fixture: a temporary tree under /tmp served by an in-process server.
#![allow(dead_code)]

use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use gofer::{channel_pair, serve, Client, GoferError, ServerOptions};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// `base/` holds `root/` (served) and whatever a test puts beside it ("outside").
pub struct Fixture {
    pub base: PathBuf,
    pub root: PathBuf,
    client: Option<Arc<Client>>,
    server: Option<JoinHandle<Result<(), GoferError>>>,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let base = std::env::temp_dir().join(format!("gofer-it-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("root");
        std::fs::create_dir_all(&root).unwrap();
        Fixture {
            base,
            root,
            client: None,
            server: None,
        }
    }

    /// Starts a server on `root` with `channels` client channels plus `raw` extra channels whose
    /// client ends are returned as they are.
    pub fn serve_with(
        &mut self,
        readonly: bool,
        channels: usize,
        raw: usize,
    ) -> (Arc<Client>, Vec<OwnedFd>) {
        let root = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
            .open(&self.root)
            .unwrap();
        let mut server_ends = Vec::new();
        let mut client_ends = Vec::new();
        for _ in 0..channels + raw {
            let (s, c) = channel_pair().unwrap();
            server_ends.push(s);
            client_ends.push(c);
        }
        let raw_ends = client_ends.split_off(channels);
        let opts = ServerOptions { readonly };
        self.server = Some(std::thread::spawn(move || {
            serve(root.into(), server_ends, opts)
        }));
        let client = Arc::new(Client::new(client_ends));
        self.client = Some(Arc::clone(&client));
        (client, raw_ends)
    }

    pub fn serve(&mut self, readonly: bool) -> Arc<Client> {
        self.serve_with(readonly, 4, 0).0
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // The server returns once every client end is closed; only wait if that happened.
        if let Some(client) = self.client.take() {
            if Arc::strong_count(&client) == 1 {
                drop(client);
                if let Some(server) = self.server.take() {
                    let res = server.join().expect("server thread panicked");
                    if !std::thread::panicking() {
                        res.expect("server failed");
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// Reads everything from a donated fd (from its current offset).
pub fn read_all(fd: OwnedFd) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::from(fd).read_to_end(&mut out).unwrap();
    out
}

pub fn ino(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).unwrap().ino()
}
