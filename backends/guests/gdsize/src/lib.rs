//! The `gdsize` policy as a WebAssembly guest, every ABI exported.
wsim_policies::export_policy!(wsim_policies::GdSize);
