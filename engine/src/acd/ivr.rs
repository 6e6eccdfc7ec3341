//! IVR menus from configuration: prompt WAV, digit → action, digit timeout, invalid entries; and
//! a per-call session that turns digits and timeouts into steps, recording the choices for the
//! screen pop.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::io::{CallArrival, ScreenPop};
use crate::model::{AgentId, CallId, QueueId};

/// What a digit does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MenuAction {
    /// Join a queue, with a priority class (VIP by IVR choice).
    Queue {
        /// Queue id.
        queue: u64,
        /// Priority (higher first).
        #[serde(default)]
        priority: u8,
    },
    /// Go to another menu.
    Submenu {
        /// Menu name.
        menu: String,
    },
    /// Play this menu again.
    Repeat,
    /// Leave a voicemail.
    Voicemail,
    /// Transfer to a number.
    Transfer {
        /// Number.
        number: String,
    },
    /// Hang up.
    Hangup,
}

/// One menu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menu {
    /// Prompt WAV file.
    pub prompt: String,
    /// How long to wait for a digit after the prompt.
    #[serde(default = "default_timeout")]
    pub digit_timeout_ms: u64,
    /// Invalid entries or timeouts allowed before `on_fail`.
    #[serde(default = "default_tries")]
    pub max_tries: u32,
    /// Prompt played after an invalid entry.
    #[serde(default)]
    pub invalid_prompt: Option<String>,
    /// What happens after `max_tries` failures.
    #[serde(default = "default_fail")]
    pub on_fail: MenuAction,
    /// Digit → action.
    pub options: BTreeMap<String, MenuAction>,
}

fn default_timeout() -> u64 {
    5_000
}
fn default_tries() -> u32 {
    3
}
fn default_fail() -> MenuAction {
    MenuAction::Hangup
}

/// All menus and the entry point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IvrConfig {
    /// Menu a call starts in.
    pub start: String,
    /// Menus by name.
    pub menus: BTreeMap<String, Menu>,
    /// Caller numbers that are always VIP (priority class 1 at least).
    #[serde(default)]
    pub vip_callers: Vec<String>,
}

/// A configuration problem, naming the menu and field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IvrError {
    /// TOML syntax or shape.
    #[error("ivr config: {0}")]
    Parse(String),
    /// A reference to a menu that does not exist.
    #[error("ivr menu {menu:?}: {field} refers to unknown menu {target:?}")]
    UnknownMenu {
        /// Menu.
        menu: String,
        /// Field.
        field: String,
        /// Missing name.
        target: String,
    },
    /// A key that is not a single DTMF digit.
    #[error("ivr menu {menu:?}: option {key:?} is not a DTMF digit (0-9, *, #, A-D)")]
    BadDigit {
        /// Menu.
        menu: String,
        /// Key.
        key: String,
    },
}

impl IvrConfig {
    /// Parses and validates a TOML menu file.
    pub fn parse(text: &str) -> Result<IvrConfig, IvrError> {
        let cfg: IvrConfig = toml::from_str(text).map_err(|e| IvrError::Parse(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks digits and menu references.
    pub fn validate(&self) -> Result<(), IvrError> {
        let known = |m: &str| self.menus.contains_key(m);
        if !known(&self.start) {
            return Err(IvrError::UnknownMenu {
                menu: "(start)".into(),
                field: "start".into(),
                target: self.start.clone(),
            });
        }
        for (name, m) in &self.menus {
            let check = |field: String, a: &MenuAction| match a {
                MenuAction::Submenu { menu } if !known(menu) => {
                    Err(IvrError::UnknownMenu { menu: name.clone(), field, target: menu.clone() })
                }
                _ => Ok(()),
            };
            check("on_fail".into(), &m.on_fail)?;
            for (k, a) in &m.options {
                let ok =
                    k.chars().count() == 1 && k.chars().all(|c| c.is_ascii_digit() || "*#ABCD".contains(c));
                if !ok {
                    return Err(IvrError::BadDigit { menu: name.clone(), key: k.clone() });
                }
                check(format!("options.{k}"), a)?;
            }
        }
        Ok(())
    }
}

/// What the pipeline does next for a call in the IVR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IvrStep {
    /// Play a prompt, then collect one digit within the timeout.
    Play {
        /// WAV file.
        prompt: String,
        /// Digit timeout.
        timeout_ms: u64,
    },
    /// Join a queue (the choices go into the screen pop).
    Queue {
        /// Queue.
        queue: u64,
        /// Priority.
        priority: u8,
    },
    /// Voicemail.
    Voicemail,
    /// Transfer.
    Transfer(String),
    /// Hang up.
    Hangup,
}

impl IvrSession {
    /// The screen pop for a caller leaving the IVR: number, choices so far, customer record key.
    pub fn screen_pop(&self, caller: &str, customer_key: Option<String>) -> ScreenPop {
        ScreenPop { caller: caller.to_string(), ivr_choices: self.choices.clone(), customer_key }
    }

    /// The queue arrival for an [`IvrStep::Queue`] step: priority is the higher of the menu's and
    /// the VIP list's (by caller number); `None` for any other step.
    pub fn arrival(
        &self,
        cfg: &IvrConfig,
        step: &IvrStep,
        call: CallId,
        caller: &str,
        sticky: Option<AgentId>,
        customer_key: Option<String>,
    ) -> Option<CallArrival> {
        let IvrStep::Queue { queue, priority } = step else { return None };
        let vip = u8::from(cfg.vip_callers.iter().any(|v| v == caller));
        Some(CallArrival {
            call,
            queue: QueueId(*queue),
            priority: (*priority).max(vip),
            sticky,
            pop: self.screen_pop(caller, customer_key),
        })
    }
}

/// One caller's walk through the menus.
#[derive(Clone, Debug)]
pub struct IvrSession {
    menu: String,
    tries: u32,
    /// Choices so far, as `menu:digit`.
    pub choices: Vec<String>,
}

const MAX_HOPS: usize = 16;

impl IvrSession {
    /// A session at the start menu.
    pub fn new(cfg: &IvrConfig) -> Self {
        IvrSession { menu: cfg.start.clone(), tries: 0, choices: Vec::new() }
    }

    /// The first step (play the start menu).
    pub fn start(&mut self, cfg: &IvrConfig) -> IvrStep {
        self.play(cfg, false)
    }

    fn play(&self, cfg: &IvrConfig, invalid: bool) -> IvrStep {
        match cfg.menus.get(&self.menu) {
            Some(m) => IvrStep::Play {
                prompt: if invalid {
                    m.invalid_prompt.clone().unwrap_or_else(|| m.prompt.clone())
                } else {
                    m.prompt.clone()
                },
                timeout_ms: m.digit_timeout_ms,
            },
            None => IvrStep::Hangup,
        }
    }

    fn act(&mut self, cfg: &IvrConfig, a: MenuAction, depth: usize) -> IvrStep {
        match a {
            MenuAction::Queue { queue, priority } => IvrStep::Queue { queue, priority },
            MenuAction::Voicemail => IvrStep::Voicemail,
            MenuAction::Transfer { number } => IvrStep::Transfer(number),
            MenuAction::Hangup => IvrStep::Hangup,
            MenuAction::Repeat => {
                self.tries = 0;
                self.play(cfg, false)
            }
            MenuAction::Submenu { menu } if depth < MAX_HOPS => {
                self.menu = menu;
                self.tries = 0;
                self.play(cfg, false)
            }
            MenuAction::Submenu { .. } => IvrStep::Hangup,
        }
    }

    /// A digit arrived.
    pub fn on_digit(&mut self, cfg: &IvrConfig, digit: char) -> IvrStep {
        let Some(m) = cfg.menus.get(&self.menu) else { return IvrStep::Hangup };
        match m.options.get(&digit.to_string()).cloned() {
            Some(a) => {
                self.choices.push(format!("{}:{digit}", self.menu));
                self.act(cfg, a, 0)
            }
            None => self.fail(cfg),
        }
    }

    /// No digit within the timeout.
    pub fn on_timeout(&mut self, cfg: &IvrConfig) -> IvrStep {
        self.fail(cfg)
    }

    fn fail(&mut self, cfg: &IvrConfig) -> IvrStep {
        let Some(m) = cfg.menus.get(&self.menu) else { return IvrStep::Hangup };
        self.tries += 1;
        if self.tries >= m.max_tries {
            let a = m.on_fail.clone();
            self.act(cfg, a, 0)
        } else {
            self.play(cfg, true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const CFG: &str = r##"
start = "main"
[menus.main]
prompt = "welcome.wav"
invalid_prompt = "invalid.wav"
max_tries = 2
on_fail = { action = "voicemail" }
[menus.main.options]
"1" = { action = "queue", queue = 1 }
"2" = { action = "submenu", menu = "support" }
"9" = { action = "queue", queue = 1, priority = 1 }
"0" = { action = "transfer", number = "100" }
[menus.support]
prompt = "support.wav"
[menus.support.options]
"1" = { action = "queue", queue = 2 }
"*" = { action = "submenu", menu = "main" }
"#" = { action = "repeat" }
"##;

    #[test]
    fn walks_menus_and_records_choices() {
        let cfg = IvrConfig::parse(CFG).unwrap();
        let mut s = IvrSession::new(&cfg);
        assert_eq!(s.start(&cfg), IvrStep::Play { prompt: "welcome.wav".into(), timeout_ms: 5_000 });
        assert!(matches!(s.on_digit(&cfg, '2'), IvrStep::Play { .. }));
        assert_eq!(s.on_digit(&cfg, '1'), IvrStep::Queue { queue: 2, priority: 0 });
        assert_eq!(s.choices, vec!["main:2", "support:1"]);
    }

    #[test]
    fn invalid_and_timeouts_end_in_on_fail() {
        let cfg = IvrConfig::parse(CFG).unwrap();
        let mut s = IvrSession::new(&cfg);
        s.start(&cfg);
        assert_eq!(s.on_digit(&cfg, '7'), IvrStep::Play { prompt: "invalid.wav".into(), timeout_ms: 5_000 });
        assert_eq!(s.on_timeout(&cfg), IvrStep::Voicemail);
    }

    #[test]
    fn queue_step_becomes_an_arrival_with_screen_pop_and_vip() {
        let mut cfg = IvrConfig::parse(CFG).unwrap();
        cfg.vip_callers.push("5550100".into());
        let mut s = IvrSession::new(&cfg);
        s.start(&cfg);
        let step = s.on_digit(&cfg, '1');
        let a = s.arrival(&cfg, &step, CallId(7), "5550100", None, Some("cust-9".into())).unwrap();
        assert_eq!((a.call, a.queue, a.priority), (CallId(7), QueueId(1), 1));
        assert_eq!(a.pop.ivr_choices, vec!["main:1"]);
        assert_eq!(a.pop.customer_key.as_deref(), Some("cust-9"));
        let b = s.arrival(&cfg, &step, CallId(8), "5550199", None, None).unwrap();
        assert_eq!(b.priority, 0);
        assert!(s.arrival(&cfg, &IvrStep::Voicemail, CallId(9), "1", None, None).is_none());
        let mut v = IvrSession::new(&cfg);
        v.start(&cfg);
        let vip_digit = v.on_digit(&cfg, '9');
        assert_eq!(v.arrival(&cfg, &vip_digit, CallId(10), "1", None, None).unwrap().priority, 1);
    }

    #[test]
    fn bad_configs_are_named() {
        let bad = CFG.replace("menu = \"support\"", "menu = \"nope\"");
        assert!(matches!(IvrConfig::parse(&bad), Err(IvrError::UnknownMenu { .. })));
        let bad = CFG.replace("\"0\" =", "\"10\" =");
        assert!(matches!(IvrConfig::parse(&bad), Err(IvrError::BadDigit { .. })));
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any text is either a valid menu set or a named error; never a panic.
        #[test]
        fn parse_never_panics(text in "\\PC{0,400}") {
            let _ = IvrConfig::parse(&text);
        }

        /// Mutated valid configs parse or fail cleanly; valid ones never reference missing menus.
        #[test]
        fn mutated_configs_validate(cut in 0usize..600, insert in "[a-z\"=#\\[\\]0-9 \n]{0,8}") {
            let base = super::tests::CFG;
            let cut = cut.min(base.len());
            let cut = (0..=cut).rev().find(|i| base.is_char_boundary(*i)).unwrap_or(0);
            let text = format!("{}{}{}", &base[..cut], insert, &base[cut..]);
            if let Ok(cfg) = IvrConfig::parse(&text) {
                prop_assert!(cfg.menus.contains_key(&cfg.start));
            }
        }

        /// Any digits and timeouts walk the menus without panicking and end in at most
        /// `max_tries` failures per menu.
        #[test]
        fn sessions_always_step(keys in proptest::collection::vec(proptest::option::of("[0-9*#A-D]"), 0..40)) {
            let cfg = IvrConfig::parse(super::tests::CFG).unwrap();
            let mut s = IvrSession::new(&cfg);
            let mut step = s.start(&cfg);
            for k in keys {
                if !matches!(step, IvrStep::Play { .. }) {
                    break;
                }
                step = match k.and_then(|k| k.chars().next()) {
                    Some(d) => s.on_digit(&cfg, d),
                    None => s.on_timeout(&cfg),
                };
            }
            if let IvrStep::Play { prompt, .. } = step {
                prop_assert!(prompt.ends_with(".wav"));
            }
        }
    }
}
