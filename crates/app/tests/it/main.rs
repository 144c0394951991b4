//! Use cases against the real embedded store and the real signing adapter,
//! with an injected clock and id generator.

mod lifecycle;
mod start;
mod support;
