//! Real boards through the DAHDI kernel interface (`/dev/dahdi/*`): the ABI, `system.conf`
//! compatibility and the backend.
