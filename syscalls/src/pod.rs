//! Plain-old-data: types that may be viewed as raw bytes and built from any bytes.
//!
//! This module holds every `unsafe` line of the crate. The ABI structs in
//! [`crate::abi`] are declared through [`pod_struct!`], which checks at compile time
//! that a struct has no padding (its size is the sum of its fields' sizes) and that
//! every field is itself `Pod`, and only then implements [`Pod`] for it.

/// A type whose every bit pattern is a valid value and which has no padding bytes,
/// so it can be copied to and from guest memory as raw bytes.
///
/// # Safety
///
/// Implementors must be `#[repr(C)]`, `#[repr(C, packed)]` or `#[repr(transparent)]`
/// (or primitive integers / arrays of `Pod`), contain no padding bytes, no pointers
/// or references, no `bool`/`char`/enums/niches, and no interior mutability. Use
/// [`pod_struct!`] rather than writing `unsafe impl Pod` by hand.
pub unsafe trait Pod: Copy + 'static {
    /// The value's bytes, in memory order (little-endian on x86_64).
    fn as_bytes(&self) -> &[u8] {
        // SAFETY: `self` is a valid reference to `size_of::<Self>()` initialized bytes:
        // `Pod` types have no padding, so every byte is initialized. The returned slice
        // borrows `self`, so it cannot outlive it, and `u8` has alignment 1.
        unsafe {
            std::slice::from_raw_parts(
                self as *const Self as *const u8,
                std::mem::size_of::<Self>(),
            )
        }
    }

    /// The value's bytes, writable. Any bytes written leave a valid value.
    fn as_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_bytes`; additionally the borrow is unique (from `&mut self`),
        // and every bit pattern is a valid `Self` (the `Pod` contract), so arbitrary
        // writes through the slice cannot create an invalid value.
        unsafe {
            std::slice::from_raw_parts_mut(
                self as *mut Self as *mut u8,
                std::mem::size_of::<Self>(),
            )
        }
    }

    /// Decode from the first `size_of::<Self>()` bytes of `b` (any alignment).
    /// `None` if `b` is too short; extra bytes are ignored.
    fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() < std::mem::size_of::<Self>() {
            return None;
        }
        // SAFETY: `b` holds at least `size_of::<Self>()` readable bytes (checked above),
        // `read_unaligned` has no alignment requirement, and every bit pattern is a
        // valid `Self` (the `Pod` contract).
        Some(unsafe { std::ptr::read_unaligned(b.as_ptr() as *const Self) })
    }

    /// The all-zero value.
    fn zeroed() -> Self {
        // SAFETY: all-zero bytes are a valid `Self`, since every bit pattern is.
        unsafe { std::mem::zeroed() }
    }
}

/// The bytes of a slice of `Pod` values (e.g. an array of `Iovec` or `Pollfd`).
pub fn slice_as_bytes<T: Pod>(s: &[T]) -> &[u8] {
    // SAFETY: the slice covers `len * size_of::<T>()` initialized bytes (no padding
    // inside `T`, and array elements are laid out contiguously with stride
    // `size_of::<T>()`); the result borrows `s`.
    unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
}

/// Decode as many whole `T` as fit in `b` (trailing partial bytes are ignored).
pub fn slice_from_bytes<T: Pod>(b: &[u8]) -> Vec<T> {
    let size = std::mem::size_of::<T>();
    if size == 0 {
        return Vec::new();
    }
    b.chunks_exact(size).filter_map(T::from_bytes).collect()
}

macro_rules! impl_pod_primitive {
    ($($t:ty),*) => {$(
        // SAFETY: primitive integers have no padding and every bit pattern is valid.
        unsafe impl Pod for $t {}
    )*};
}
impl_pod_primitive!(u8, i8, u16, i16, u32, i32, u64, i64, u128, i128, usize, isize);

// SAFETY: arrays have no padding between elements (stride == size_of::<T>()) and
// none inside `T` (it is `Pod`), and any bytes form valid elements.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// Compile-time witness that `T: Pod` (used by `pod_struct!` for each field).
#[doc(hidden)]
pub const fn assert_pod<T: Pod>() {}

/// Declare `#[repr(C)]` (or `#[repr(C, packed)]`) ABI structs whose fields are all
/// `Pod`, deriving `Clone, Copy, Debug, PartialEq, Eq`, implementing `Default` as
/// all-zero, and implementing [`Pod`] after proving at compile time that there is
/// no padding (size == sum of field sizes). The `#[repr(..)]` attribute must come
/// first, before the doc comment.
macro_rules! pod_struct {
    ($(
        #[repr($($repr:tt)*)]
        $(#[$meta:meta])*
        pub struct $name:ident { $( $(#[$fmeta:meta])* pub $field:ident : $fty:ty ),* $(,)? }
    )*) => {$(
        $(#[$meta])*
        #[repr($($repr)*)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name { $( $(#[$fmeta])* pub $field: $fty ),* }

        const _: () = {
            $( $crate::pod::assert_pod::<$fty>(); )*
            assert!(
                ::std::mem::size_of::<$name>() == 0 $( + ::std::mem::size_of::<$fty>() )*,
                concat!(stringify!($name), " has padding; add explicit padding fields"),
            );
        };

        // SAFETY: `$name` is `repr(C)`/`repr(C, packed)`, all its fields are `Pod`
        // (checked by `assert_pod` above) and it has no padding (its size equals the
        // sum of its fields' sizes, checked above), so it satisfies the `Pod` contract.
        unsafe impl $crate::pod::Pod for $name {}

        impl Default for $name {
            fn default() -> Self {
                <$name as $crate::pod::Pod>::zeroed()
            }
        }
    )*};
}
pub(crate) use pod_struct;

/// Declare `#[repr(transparent)]` newtypes over a `Pod` type (e.g. `Sigset(u64)`).
macro_rules! pod_newtype {
    ($( $(#[$meta:meta])* pub struct $name:ident(pub $inner:ty); )*) => {$(
        $(#[$meta])*
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name(pub $inner);

        const _: () = $crate::pod::assert_pod::<$inner>();

        // SAFETY: a `repr(transparent)` wrapper of a single `Pod` field has exactly
        // that field's layout, so it satisfies the `Pod` contract too.
        unsafe impl $crate::pod::Pod for $name {}
    )*};
}
pub(crate) use pod_newtype;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_round_trip() {
        let v: u32 = 0x1234_5678;
        assert_eq!(v.as_bytes(), &[0x78, 0x56, 0x34, 0x12]);
        assert_eq!(u32::from_bytes(&[0x78, 0x56, 0x34, 0x12, 0xff]), Some(v));
        assert_eq!(u32::from_bytes(&[1, 2, 3]), None);
        let mut w = 0u64;
        w.as_bytes_mut()[7] = 0x80;
        assert_eq!(w, 0x8000_0000_0000_0000);
        assert_eq!(<[u16; 3]>::zeroed(), [0, 0, 0]);
    }

    #[test]
    fn unaligned_and_slices() {
        let buf = [0u8, 1, 0, 0, 0, 2, 0, 0, 0];
        assert_eq!(u32::from_bytes(&buf[1..]), Some(1));
        let xs: Vec<u32> = slice_from_bytes(&buf[1..]);
        assert_eq!(xs, vec![1, 2]);
        assert_eq!(slice_as_bytes(&xs[..]), &buf[1..]);
    }
}
