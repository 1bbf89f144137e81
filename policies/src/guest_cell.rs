//! [`GuestCell`]: the cell a guest keeps its state in.
//!
//! Built on every target, so its one rule (a borrow at a time) is tested
//! on the host; it is `Sync`, and so usable in a `static`, on wasm32 only.

use core::cell::{Cell, UnsafeCell};

/// Guest state: a cell one export at a time has to itself.
///
/// [`with`](Self::with) lends the contents out as `&mut` and refuses (by
/// panicking, which traps the guest) to lend them again before that
/// borrow ends, so no safe code can hold two `&mut` to one cell.
#[derive(Debug)]
pub struct GuestCell<T> {
    value: UnsafeCell<T>,
    /// Whether a `with` is running on this cell.
    lent: Cell<bool>,
}

// SAFETY: a wasm32-unknown-unknown guest has one thread (the threads proposal
// is not enabled), so a `GuestCell` is never reached from two threads. On
// any other target it is not `Sync`, so it cannot be shared at all.
#[cfg(target_arch = "wasm32")]
unsafe impl<T> Sync for GuestCell<T> {}

impl<T> GuestCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
            lent: Cell::new(false),
        }
    }

    /// Runs `f` on the contents.
    ///
    /// # Panics
    ///
    /// If called again on the same cell from inside `f`: the contents are
    /// already lent out.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        assert!(
            !self.lent.replace(true),
            "GuestCell::with re-entered: its contents are already borrowed"
        );
        // SAFETY: `lent` was false, so no other `&mut` to the contents is
        // alive (every `with` sets it for exactly as long as its borrow
        // lives), and the guest has one thread. A panic inside `f` leaves
        // `lent` set, so the contents are never lent again: guests abort on
        // panic anyway.
        let result = f(unsafe { &mut *self.value.get() });
        self.lent.set(false);
        result
    }

    /// The contents' address in guest memory.
    pub const fn as_ptr(&self) -> *mut T {
        self.value.get()
    }
}

#[cfg(test)]
mod tests {
    use super::GuestCell;

    #[test]
    fn lends_its_contents_and_takes_them_back() {
        let cell = GuestCell::new(1);
        cell.with(|value| *value += 1);
        assert_eq!(cell.with(|value| *value), 2);
    }

    #[test]
    #[should_panic(expected = "re-entered")]
    fn refuses_to_lend_twice_at_once() {
        let cell = GuestCell::new(0);
        cell.with(|_| cell.with(|value| *value += 1));
    }
}
