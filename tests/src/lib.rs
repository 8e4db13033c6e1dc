//! systests
