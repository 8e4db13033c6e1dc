//! File-system implementations.
