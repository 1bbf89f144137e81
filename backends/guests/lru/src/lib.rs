//! The `lru` policy as a WebAssembly guest, every ABI exported.
wsim_policies::export_policy!(wsim_policies::Lru);
