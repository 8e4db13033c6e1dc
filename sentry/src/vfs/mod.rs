//! The virtual file system (DESIGN §8): mounts, dentries, inodes, open file
//! descriptions and fd tables.

pub mod file;

pub use file::{FdEntry, FdTable, File, FileOps, MmapSource};

/// A directory entry in the sentry's dentry tree. (Being built.)
pub struct Dentry;

/// The sandbox's file-system state: the root and mounts. (Being built.)
pub struct Vfs;
