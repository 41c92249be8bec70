//! Scheduling core: pure computations over intervals, free of I/O.

pub mod admission;
pub mod availability;
#[cfg(test)]
mod availability_props;
pub mod utilisation;
