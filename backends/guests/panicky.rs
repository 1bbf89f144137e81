//! A hostile test fixture: FIFO, until its 1,000th admission, where it
//! panics as a buggy third-party policy would. The host must turn that into
//! an error naming the module, the export and the panic's message.

use wsim_policies::{EvictionPolicy, Fifo, Held, Params, Request, Victim};

/// FIFO with a deliberate bug.
#[derive(Debug)]
pub struct Panicky {
    fifo: Fifo,
    admitted: u64,
}

/// The admission that panics.
const FATAL_ADMISSION: u64 = 1_000;

impl EvictionPolicy for Panicky {
    const NAME: &'static str = "panicky";

    fn configure(capacity: u64, params: &Params) -> Self {
        Self {
            fifo: Fifo::configure(capacity, params),
            admitted: 0,
        }
    }

    fn hit(&mut self, request: &Request) -> bool {
        self.fifo.hit(request)
    }

    fn admit(&mut self, request: &Request) -> bool {
        self.admitted += 1;
        assert!(
            self.admitted < FATAL_ADMISSION,
            "panicky: deliberate panic on admission {FATAL_ADMISSION} (object {})",
            request.id
        );
        self.fifo.admit(request)
    }

    fn evict(&mut self, incoming: &Request) -> Option<Victim> {
        self.fifo.evict(incoming)
    }

    fn bytes(&self) -> u64 {
        self.fifo.bytes()
    }

    fn len(&self) -> usize {
        self.fifo.len()
    }

    fn audit(&self) -> Result<Held, String> {
        self.fifo.audit()
    }
}

wsim_policies::export_policy!(Panicky);
