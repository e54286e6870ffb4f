//! List commands (LPUSH ... BLMOVE).
