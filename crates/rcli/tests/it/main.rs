//! Integration tests of rcli.
