//! Exact latency percentiles: every latency is kept and sorted.

use std::time::Duration;

/// The summary of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Summary {
    /// Completed requests (errors included) per second of the run.
    pub fn throughput(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.requests as f64 / secs
        } else {
            0.0
        }
    }

    /// One line of JSON.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"requests\":{},\"errors\":{},\"duration_s\":{:.3},\"throughput\":{:.1},\"p50_ms\":{:.3},\"p95_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3}}}",
            self.requests,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.throughput(),
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.max_ms
        )
    }
}

/// The nearest-rank percentile `p` (0–100] of sorted microseconds, in ms.
fn percentile_ms(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted_us.len()) - 1;
    f64::from(sorted_us[index]) / 1000.0
}

/// Summarises latencies (µs, any order).
pub fn summarise(mut latencies_us: Vec<u32>, errors: u64, elapsed: Duration) -> Summary {
    latencies_us.sort_unstable();
    Summary {
        requests: latencies_us.len() as u64,
        errors,
        elapsed,
        p50_ms: percentile_ms(&latencies_us, 50.0),
        p95_ms: percentile_ms(&latencies_us, 95.0),
        p99_ms: percentile_ms(&latencies_us, 99.0),
        max_ms: percentile_ms(&latencies_us, 100.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_over_every_latency() {
        // 1..=1000 µs, shuffled.
        let lat: Vec<u32> = (1..=1000).rev().collect();
        let s = summarise(lat, 3, Duration::from_secs(2));
        assert_eq!(s.requests, 1000);
        assert_eq!(
            (s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms),
            (0.5, 0.95, 0.99, 1.0)
        );
        assert_eq!(s.throughput(), 500.0);
        assert!(s.to_json().contains("\"errors\":3"), "{}", s.to_json());
    }

    #[test]
    fn an_empty_run_has_zero_latencies() {
        let s = summarise(vec![], 0, Duration::ZERO);
        assert_eq!((s.p99_ms, s.throughput()), (0.0, 0.0));
    }
}
