//! A hostile test fixture: FIFO, until its 1,000th admission, where it
//! panics as a buggy third-party policy would. The host must turn that into
//! an error naming the module, the export and the panic's message.

use wsim_policies::{EvictionPolicy, Fifo, Held, Victim};

/// FIFO with a deliberate bug.
#[derive(Debug, Default)]
pub struct Panicky {
    fifo: Fifo,
    admitted: u64,
}

/// The admission that panics.
const FATAL_ADMISSION: u64 = 1_000;

impl EvictionPolicy for Panicky {
    const NAME: &'static str = "panicky";

    fn hit(&mut self, id: u64) -> bool {
        self.fifo.hit(id)
    }

    fn admit(&mut self, id: u64, size: u64) {
        self.admitted += 1;
        assert!(
            self.admitted < FATAL_ADMISSION,
            "panicky: deliberate panic on admission {FATAL_ADMISSION} (object {id})"
        );
        self.fifo.admit(id, size);
    }

    fn evict(&mut self) -> Option<Victim> {
        self.fifo.evict()
    }

    fn len(&self) -> usize {
        self.fifo.len()
    }

    fn audit(&self) -> Result<Held, String> {
        self.fifo.audit()
    }
}

wsim_policies::export_policy!(Panicky);
