//! `/metrics`: the engine's snapshots in the Prometheus text exposition format (0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::AgentState;
use crate::runtime::EngineView;

const AGENT_STATES: [(AgentState, &str); 7] = [
    (AgentState::LoggedOut, "logged_out"),
    (AgentState::NotReady, "not_ready"),
    (AgentState::Ready, "ready"),
    (AgentState::Reserved, "reserved"),
    (AgentState::Talking, "talking"),
    (AgentState::WrapUp, "wrap_up"),
    (AgentState::Break, "break"),
];

/// True when a span's alarm string (as `dahdi_scan` prints it) means an alarm.
pub fn in_alarm(alarms: &str) -> bool {
    let a = alarms.trim();
    !(a.is_empty() || a.eq_ignore_ascii_case("ok"))
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Renders all metrics.
pub fn render(view: &dyn EngineView) -> String {
    let st = view.status();
    let spans = view.spans();
    let agents = view.agents();
    let campaigns = view.campaigns();
    let mut o = String::with_capacity(4096);

    metric(&mut o, "trunkline_engine_time_seconds", "gauge", "Engine clock.");
    let _ = writeln!(o, "trunkline_engine_time_seconds {}", st.now_ms as f64 / 1000.0);
    metric(&mut o, "trunkline_clock_speed", "gauge", "Engine clock speed over real time.");
    let _ = writeln!(o, "trunkline_clock_speed {}", st.speed);
    metric(&mut o, "trunkline_calls", "gauge", "Calls up now.");
    let _ = writeln!(o, "trunkline_calls {}", st.calls);
    metric(&mut o, "trunkline_spans", "gauge", "Spans configured.");
    let _ = writeln!(o, "trunkline_spans {}", st.spans);
    metric(&mut o, "trunkline_spans_in_alarm", "gauge", "Spans in any alarm.");
    let _ = writeln!(o, "trunkline_spans_in_alarm {}", st.spans_in_alarm);
    metric(&mut o, "trunkline_draining", "gauge", "1 while draining for shutdown.");
    let _ = writeln!(o, "trunkline_draining {}", u8::from(st.draining));
    metric(
        &mut o,
        "trunkline_dropped_total",
        "counter",
        "Ring overruns, underruns and dropped events since start.",
    );
    let _ = writeln!(o, "trunkline_dropped_total {}", st.dropped);

    let mut by_state: BTreeMap<&str, usize> = AGENT_STATES.iter().map(|(_, n)| (*n, 0)).collect();
    for a in &agents {
        if let Some((_, n)) = AGENT_STATES.iter().find(|(s, _)| *s == a.state) {
            *by_state.entry(n).or_default() += 1;
        }
    }
    metric(&mut o, "trunkline_agents", "gauge", "Agents by state.");
    for (state, n) in &by_state {
        let _ = writeln!(o, "trunkline_agents{{state=\"{state}\"}} {n}");
    }

    metric(&mut o, "trunkline_span_alarm", "gauge", "1 when the span is in alarm.");
    for s in &spans {
        let _ = writeln!(
            o,
            "trunkline_span_alarm{{span=\"{}\",name=\"{}\"}} {}",
            s.span,
            label(&s.name),
            u8::from(in_alarm(&s.alarms))
        );
    }
    metric(&mut o, "trunkline_span_errors_total", "counter", "Span error counters.");
    for s in &spans {
        let c = &s.counters;
        for (kind, v) in
            [("bpv", c.bpv), ("crc", c.crc), ("ebit", c.ebit), ("fas", c.fas), ("slips", c.slips)]
        {
            let _ = writeln!(o, "trunkline_span_errors_total{{span=\"{}\",kind=\"{kind}\"}} {v}", s.span);
        }
    }

    type PerCampaign = fn(&crate::model::CampaignSnapshot) -> u64;
    let per_campaign: [(&str, &str, PerCampaign); 3] = [
        ("trunkline_campaign_attempts_total", "Attempts per campaign.", |c| c.attempts),
        ("trunkline_campaign_live_total", "Live answers per campaign.", |c| c.live),
        ("trunkline_campaign_abandoned_total", "Abandoned live answers per campaign.", |c| c.abandoned),
    ];
    for (name, help, value) in per_campaign {
        metric(&mut o, name, "counter", help);
        for c in &campaigns {
            let _ =
                writeln!(o, "{name}{{campaign=\"{}\",name=\"{}\"}} {}", c.campaign, label(&c.name), value(c));
        }
    }
    o
}
