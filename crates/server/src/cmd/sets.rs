//! Set commands (SADD ... SSCAN).
