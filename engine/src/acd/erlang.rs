//! Erlang C (M/M/n) and Erlang A (M/M/n+M) in closed form and by a birth-death chain, for
//! validating the simulator and for staffing estimates.

use serde::{Deserialize, Serialize};

/// Steady-state figures of a queue model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErlangResult {
    /// Probability that an arrival waits at all.
    pub p_wait: f64,
    /// Average speed of answer of answered calls, s.
    pub asa_s: f64,
    /// Fraction of arrivals answered within the threshold.
    pub service_level: f64,
    /// Fraction of arrivals who abandon (0 for Erlang C).
    pub p_abandon: f64,
}

/// Erlang C: arrival rate `lambda` and service rate `mu` per second, `n` agents, threshold `t` s.
/// An unstable system (load ≥ n) reports certain waiting and infinite ASA.
pub fn erlang_c(lambda: f64, mu: f64, n: usize, t: f64) -> ErlangResult {
    let a = lambda / mu;
    let nf = n as f64;
    if n == 0 || a >= nf {
        return ErlangResult { p_wait: 1.0, asa_s: f64::INFINITY, service_level: 0.0, p_abandon: 0.0 };
    }
    // Erlang B by recursion, then C from B.
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (k as f64 + a * b);
    }
    let c = nf * b / (nf - a * (1.0 - b));
    let asa = c / (nf * mu - lambda);
    let sl = 1.0 - c * (-(nf * mu - lambda) * t).exp();
    ErlangResult { p_wait: c, asa_s: asa, service_level: sl, p_abandon: 0.0 }
}

/// Erlang A (Palm): as [`erlang_c`] plus exponential patience at rate `theta` per second,
/// computed from the birth-death chain truncated where its mass is negligible.
pub fn erlang_a(lambda: f64, mu: f64, theta: f64, n: usize, t: f64) -> ErlangResult {
    if theta <= 0.0 {
        return erlang_c(lambda, mu, n, t);
    }
    // Stationary distribution (unnormalised, in logs for stability).
    let kmax = n + 2000;
    let mut logp = vec![0.0f64; kmax + 1];
    for k in 1..=kmax {
        let death = (k.min(n)) as f64 * mu + (k.saturating_sub(n)) as f64 * theta;
        logp[k] = logp[k - 1] + (lambda / death).ln();
    }
    let m = logp.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let p: Vec<f64> = logp.iter().map(|l| (l - m).exp()).collect();
    let z: f64 = p.iter().sum();
    let nmu = n as f64 * mu;
    let (mut p_wait, mut p_ans, mut wait_ans, mut sl) = (0.0, 0.0, 0.0, 0.0);
    for (k, pk) in p.iter().enumerate() {
        let pk = pk / z;
        if k < n {
            p_ans += pk;
            sl += pk;
            continue;
        }
        p_wait += pk;
        let j = k - n;
        // Phases i = j..=0 ahead; answered if every phase ends by moving up.
        let mut prob = 1.0;
        let mut mean = 0.0;
        let rates: Vec<f64> = (0..=j).map(|i| nmu + (i as f64 + 1.0) * theta).collect();
        for (i, r) in rates.iter().enumerate() {
            prob *= (nmu + i as f64 * theta) / r;
            mean += 1.0 / r;
        }
        if prob < 1e-15 {
            continue;
        }
        p_ans += pk * prob;
        wait_ans += pk * prob * mean;
        sl += pk * prob * hypoexp_cdf(&rates, t);
    }
    ErlangResult {
        p_wait,
        asa_s: if p_ans > 0.0 { wait_ans / p_ans } else { 0.0 },
        service_level: sl,
        p_abandon: 1.0 - p_ans,
    }
}

/// P(sum of independent exponentials with these rates ≤ t), by uniformisation.
fn hypoexp_cdf(rates: &[f64], t: f64) -> f64 {
    let big = rates.iter().cloned().fold(0.0, f64::max);
    if big <= 0.0 {
        return 0.0;
    }
    // State = phases completed; absorbing at rates.len().
    let n = rates.len();
    let mut v = vec![0.0; n + 1];
    v[0] = 1.0;
    let lt = big * t;
    let mut term = (-lt).exp();
    let mut absorbed = 0.0;
    let mut acc = term * v[n];
    let steps = (lt + 10.0 * lt.sqrt() + 20.0) as usize;
    let mut done = term;
    for s in 1..=steps {
        let mut next = vec![0.0; n + 1];
        for i in 0..n {
            let go = rates[i] / big;
            next[i] += v[i] * (1.0 - go);
            next[i + 1] += v[i] * go;
        }
        next[n] += v[n];
        v = next;
        term *= lt / s as f64;
        done += term;
        acc += term * v[n];
        absorbed = acc;
    }
    let _ = done;
    absorbed.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_known_value() {
        // 400/h, AHT 180 s = 20 Erlangs, 24 agents: C ≈ 0.3 (textbook tables).
        let r = erlang_c(400.0 / 3600.0, 1.0 / 180.0, 24, 20.0);
        assert!((r.p_wait - 0.3).abs() < 0.05, "{r:?}");
        assert!(r.service_level > 0.7 && r.service_level < 0.85, "{r:?}");
    }

    #[test]
    fn erlang_a_tends_to_c() {
        let c = erlang_c(400.0 / 3600.0, 1.0 / 180.0, 24, 20.0);
        let a = erlang_a(400.0 / 3600.0, 1.0 / 180.0, 1e-7, 24, 20.0);
        assert!((c.p_wait - a.p_wait).abs() < 1e-3, "{c:?} {a:?}");
        assert!((c.service_level - a.service_level).abs() < 2e-3, "{c:?} {a:?}");
        assert!((c.asa_s - a.asa_s).abs() / c.asa_s < 0.01, "{c:?} {a:?}");
    }
}
