//! ELF loader (being built).
