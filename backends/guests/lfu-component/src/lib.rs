//! The `lfu` policy as a component of the WIT world `wsim:policy/policy`.
wsim_guest_component::export_component!(wsim_policies::Lfu);
