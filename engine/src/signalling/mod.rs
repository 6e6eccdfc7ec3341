//! Trunk signalling stacks (MFC/R2, ISDN PRI, T1 CAS) as sans-IO state machines that turn
//! channel bits and frames into call events.
