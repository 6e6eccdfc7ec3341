//! Durable storage on SQLite (WAL): CDRs, campaigns and their lead lists, agent events and the
//! recordings index, plus the call-id counter.
//!
//! Everything here is synchronous and clock-free: times come in as arguments, so the same inputs
//! give the same database. The one rule that matters after a crash is kept by
//! [`Store::finish_attempt`]: an attempt's CDR and its lead's new state are committed in one
//! transaction, so a committed attempt is never dialled again and no committed CDR is lost.

mod schema;
mod types;

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{AgentId, CallId, CampaignId, CampaignSnapshot, Cdr, LeadId, Outcome, QueueId};
use crate::runtime::CdrQuery;

pub use schema::SCHEMA_VERSION;
use types::{agent_state_name, parse_agent_state, parse_outcome};
pub use types::{AgentEvent, Campaign, Durability, Lead, LeadState, LeadUpdate, NewLead, Recording};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error (I/O, corruption, constraint).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A JSON column could not be encoded or decoded.
    #[error("json column: {0}")]
    Json(#[from] serde_json::Error),
    /// The database was written by a newer build.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// Version found in the file.
        found: u32,
        /// Highest version this build knows.
        supported: u32,
    },
    /// A referenced row does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// Kind of row (`campaign`, `lead`).
        what: &'static str,
        /// Its id.
        id: u64,
    },
    /// A CDR with this call id is already stored (the attempt was committed before).
    #[error("a CDR for call {0} is already stored")]
    DuplicateCall(CallId),
    /// A value does not fit SQLite's signed 64-bit integers.
    #[error("{field} value {value} is out of range")]
    OutOfRange {
        /// Field name.
        field: &'static str,
        /// The value.
        value: u64,
    },
    /// A stored value could not be understood (written by something else, or damaged).
    #[error("bad stored value in {field}: {value:?}")]
    BadValue {
        /// Field name.
        field: &'static str,
        /// The value.
        value: String,
    },
}

/// Result of storage operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The engine's database. One connection; wrap it in a mutex to share it between threads, or
/// open a second `Store` on the same file for readers (WAL lets readers run beside the writer).
pub struct Store {
    conn: Connection,
    /// Call ids reserved in the database and not handed out yet: `(next, end)`.
    ids: (u64, u64),
}

/// Call ids reserved per commit of the counter: one counter commit (one fsync) per this many
/// calls. Ids left unused when the process stops are skipped, never reused.
const CALL_ID_BLOCK: u64 = 32;

fn i(field: &'static str, v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::OutOfRange { field, value: v })
}

fn oi(field: &'static str, v: Option<u64>) -> Result<Option<i64>> {
    v.map(|v| i(field, v)).transpose()
}

fn u(field: &'static str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::BadValue { field, value: v.to_string() })
}

fn ou(field: &'static str, v: Option<i64>) -> Result<Option<u64>> {
    v.map(|v| u(field, v)).transpose()
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

const CDR_COLUMNS: &str = "call, direction, channel, ani, dnis, campaign, lead, queue, agent, \
     start_ms, answer_ms, bridged_ms, end_ms, outcome, cause, evidence, recording";

const LEAD_COLUMNS: &str = "id, campaign, phone, name, timezone, priority, custom, state, attempts, \
     attempts_today, last_outcome, next_attempt_ms, finished, last_abandon_ms";

/// A CDR row as raw SQLite values (converted to a [`Cdr`] outside the row callback so the
/// conversion can report typed errors).
struct RawCdr {
    ints: [Option<i64>; 11],
    direction: String,
    ani: String,
    dnis: String,
    outcome: Option<String>,
    evidence: String,
    recording: Option<String>,
}

impl RawCdr {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawCdr> {
        Ok(RawCdr {
            ints: [
                r.get(0)?,
                r.get(2)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(14)?,
            ],
            direction: r.get(1)?,
            ani: r.get(3)?,
            dnis: r.get(4)?,
            outcome: r.get(13)?,
            evidence: r.get(15)?,
            recording: r.get(16)?,
        })
    }

    fn into_cdr(self) -> Result<Cdr> {
        let [call, channel, campaign, lead, queue, agent, start, answer, bridged, end, cause] = self.ints;
        let req = |f: &'static str, v: Option<i64>| -> Result<u64> {
            u(f, v.ok_or(StoreError::BadValue { field: f, value: "NULL".into() })?)
        };
        let outcome = match self.outcome {
            None => None,
            Some(s) => {
                Some(parse_outcome(&s).ok_or(StoreError::BadValue { field: "cdrs.outcome", value: s })?)
            }
        };
        let channel = req("cdrs.channel", channel)?;
        let cause = req("cdrs.cause", cause)?;
        Ok(Cdr {
            call: CallId(req("cdrs.call", call)?),
            direction: self.direction,
            channel: u32::try_from(channel)
                .map_err(|_| StoreError::BadValue { field: "cdrs.channel", value: channel.to_string() })?,
            ani: self.ani,
            dnis: self.dnis,
            campaign: ou("cdrs.campaign", campaign)?.map(CampaignId),
            lead: ou("cdrs.lead", lead)?.map(LeadId),
            queue: ou("cdrs.queue", queue)?.map(QueueId),
            agent: ou("cdrs.agent", agent)?.map(AgentId),
            start_ms: req("cdrs.start_ms", start)?,
            answer_ms: ou("cdrs.answer_ms", answer)?,
            bridged_ms: ou("cdrs.bridged_ms", bridged)?,
            end_ms: req("cdrs.end_ms", end)?,
            outcome,
            cause: u8::try_from(cause)
                .map_err(|_| StoreError::BadValue { field: "cdrs.cause", value: cause.to_string() })?,
            evidence: self.evidence,
            recording: self.recording,
        })
    }
}

/// A lead row as raw SQLite values.
struct RawLead {
    ints: [i64; 7],
    last_abandon: Option<i64>,
    phone: String,
    name: Option<String>,
    timezone: Option<String>,
    custom: String,
    state: String,
    last_outcome: Option<String>,
}

impl RawLead {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawLead> {
        Ok(RawLead {
            ints: [r.get(0)?, r.get(1)?, r.get(5)?, r.get(8)?, r.get(9)?, r.get(11)?, r.get(12)?],
            last_abandon: r.get(13)?,
            phone: r.get(2)?,
            name: r.get(3)?,
            timezone: r.get(4)?,
            custom: r.get(6)?,
            state: r.get(7)?,
            last_outcome: r.get(10)?,
        })
    }

    fn into_lead(self) -> Result<Lead> {
        let [id, campaign, priority, attempts, today, next, finished] = self.ints;
        let count = |f: &'static str, v: i64| -> Result<u32> {
            u32::try_from(v).map_err(|_| StoreError::BadValue { field: f, value: v.to_string() })
        };
        let custom = match serde_json::from_str(&self.custom)? {
            serde_json::Value::Object(m) => m,
            other => return Err(StoreError::BadValue { field: "leads.custom", value: other.to_string() }),
        };
        let last_outcome = match self.last_outcome {
            None => None,
            Some(s) => Some(
                parse_outcome(&s).ok_or(StoreError::BadValue { field: "leads.last_outcome", value: s })?,
            ),
        };
        Ok(Lead {
            id: LeadId(u("leads.id", id)?),
            campaign: CampaignId(u("leads.campaign", campaign)?),
            phone: self.phone,
            name: self.name,
            timezone: self.timezone,
            priority,
            custom,
            state: LeadState::parse(&self.state)
                .ok_or(StoreError::BadValue { field: "leads.state", value: self.state })?,
            attempts: count("leads.attempts", attempts)?,
            attempts_today: count("leads.attempts_today", today)?,
            last_outcome,
            next_attempt_ms: u("leads.next_attempt_ms", next)?,
            finished: finished != 0,
            last_abandon_ms: ou("leads.last_abandon_ms", self.last_abandon)?,
        })
    }
}

fn insert_cdr_in(conn: &Connection, cdr: &Cdr) -> Result<()> {
    let r = conn
        .prepare_cached(&format!(
            "INSERT INTO cdrs ({CDR_COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        ))?
        .execute(params![
            i("call", cdr.call.0)?,
            cdr.direction,
            cdr.channel,
            cdr.ani,
            cdr.dnis,
            oi("campaign", cdr.campaign.map(|c| c.0))?,
            oi("lead", cdr.lead.map(|c| c.0))?,
            oi("queue", cdr.queue.map(|c| c.0))?,
            oi("agent", cdr.agent.map(|c| c.0))?,
            i("start_ms", cdr.start_ms)?,
            oi("answer_ms", cdr.answer_ms)?,
            oi("bridged_ms", cdr.bridged_ms)?,
            i("end_ms", cdr.end_ms)?,
            cdr.outcome.map(Outcome::name),
            cdr.cause,
            cdr.evidence,
            cdr.recording,
        ]);
    match r {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(StoreError::DuplicateCall(cdr.call)),
        Err(e) => Err(e.into()),
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` with [`Durability::Full`], and brings
    /// its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(path, Durability::Full)
    }

    /// Opens the database at `path` with the given durability.
    pub fn open_with(path: impl AsRef<Path>, durability: Durability) -> Result<Store> {
        let conn = Connection::open(path)?;
        Self::setup(conn, durability)
    }

    /// An in-memory database (tests, simulations).
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?, Durability::Normal)
    }

    fn setup(mut conn: Connection, durability: Durability) -> Result<Store> {
        // WAL: readers (the API) never block the writer, and a commit is one sequential append.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        let sync = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;"
        ))?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn, ids: (0, 0) })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// A new call id, unique for the life of the database and increasing across restarts: ids
    /// are reserved in blocks whose end is committed before any of them is handed out (so a
    /// restart may skip a few ids, but never reuses one).
    pub fn next_call_id(&mut self) -> Result<CallId> {
        if self.ids.0 >= self.ids.1 {
            let end: i64 = self.conn.query_row(
                "UPDATE counters SET value = value + ?1 WHERE name = 'call' RETURNING value",
                [i("block", CALL_ID_BLOCK)?],
                |r| r.get(0),
            )?;
            let end = u("counters.call", end)?;
            self.ids = (end - CALL_ID_BLOCK.min(end), end);
        }
        self.ids.0 += 1;
        Ok(CallId(self.ids.0))
    }

    /// Stores a CDR (an inbound call, or an attempt with no lead to update).
    pub fn insert_cdr(&mut self, cdr: &Cdr) -> Result<()> {
        insert_cdr_in(&self.conn, cdr)
    }

    /// CDRs matching `q`, newest first (by start time, then call id).
    pub fn cdrs(&self, q: &CdrQuery) -> Result<Vec<Cdr>> {
        let limit = q.limit.unwrap_or(100).min(10_000);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CDR_COLUMNS} FROM cdrs \
             WHERE (?1 IS NULL OR start_ms >= ?1) AND (?2 IS NULL OR campaign = ?2) \
               AND (?3 IS NULL OR outcome = ?3) \
             ORDER BY start_ms DESC, call DESC LIMIT ?4"
        ))?;
        let raws = stmt
            .query_map(
                params![
                    oi("since_ms", q.since_ms)?,
                    oi("campaign", q.campaign)?,
                    q.outcome,
                    i("limit", limit as u64)?
                ],
                RawCdr::from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(RawCdr::into_cdr).collect()
    }

    /// The CDR of one call.
    pub fn cdr(&self, call: CallId) -> Result<Option<Cdr>> {
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {CDR_COLUMNS} FROM cdrs WHERE call = ?1"))?
            .query_row([i("call", call.0)?], RawCdr::from_row)
            .optional()?;
        raw.map(RawCdr::into_cdr).transpose()
    }

    /// Number of CDRs stored.
    pub fn cdr_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM cdrs", [], |r| r.get(0))?;
        u("count", n)
    }

    /// Creates a campaign (paused). Names are unique.
    pub fn create_campaign(
        &mut self,
        name: &str,
        mode: &str,
        settings: &serde_json::Value,
    ) -> Result<CampaignId> {
        self.conn.execute(
            "INSERT INTO campaigns (name, mode, settings, running) VALUES (?1, ?2, ?3, 0)",
            params![name, mode, serde_json::to_string(settings)?],
        )?;
        Ok(CampaignId(u("campaigns.id", self.conn.last_insert_rowid())?))
    }

    /// A campaign by id.
    pub fn campaign(&self, id: CampaignId) -> Result<Option<Campaign>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, mode, settings, running FROM campaigns WHERE id = ?1",
                [i("campaign", id.0)?],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, name, mode, settings, running)| {
            Ok(Campaign {
                id: CampaignId(u("campaigns.id", id)?),
                name,
                mode,
                settings: serde_json::from_str(&settings)?,
                running,
            })
        })
        .transpose()
    }

    /// A campaign by name.
    pub fn campaign_by_name(&self, name: &str) -> Result<Option<Campaign>> {
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM campaigns WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        match id {
            Some(id) => self.campaign(CampaignId(u("campaigns.id", id)?)),
            None => Ok(None),
        }
    }

    /// Every campaign, by id.
    pub fn campaigns(&self) -> Result<Vec<Campaign>> {
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM campaigns ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.campaign(CampaignId(u("campaigns.id", id)?))? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Runs or pauses a campaign (kept across restarts).
    pub fn set_campaign_running(&mut self, id: CampaignId, running: bool) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE campaigns SET running = ?2 WHERE id = ?1",
            params![i("campaign", id.0)?, running],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "campaign", id: id.0 });
        }
        Ok(())
    }

    /// Counts for the API's campaign view.
    pub fn campaign_snapshot(&self, id: CampaignId) -> Result<Option<CampaignSnapshot>> {
        let Some(c) = self.campaign(id)? else { return Ok(None) };
        let cid = i("campaign", id.0)?;
        let (leads, finished): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(finished), 0) FROM leads WHERE campaign = ?1",
            [cid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (attempts, live, abandoned): (i64, i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(outcome = 'human'), 0), \
                    COALESCE(SUM(outcome = 'abandoned'), 0) FROM cdrs WHERE campaign = ?1",
            [cid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(Some(CampaignSnapshot {
            campaign: id,
            name: c.name,
            mode: c.mode,
            running: c.running,
            leads: u("count", leads)?,
            finished: u("count", finished)?,
            attempts: u("count", attempts)?,
            // Abandoned calls were live answers too.
            live: u("count", live + abandoned)?,
            abandoned: u("count", abandoned)?,
        }))
    }

    /// Adds leads to a campaign in one transaction. A number already on the campaign is skipped
    /// (its slot in the result is `None`), so re-importing a list is harmless.
    pub fn add_leads(&mut self, campaign: CampaignId, leads: &[NewLead]) -> Result<Vec<Option<LeadId>>> {
        let cid = i("campaign", campaign.0)?;
        let tx = self.conn.transaction()?;
        let exists: Option<i64> =
            tx.query_row("SELECT id FROM campaigns WHERE id = ?1", [cid], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "campaign", id: campaign.0 });
        }
        let mut out = Vec::with_capacity(leads.len());
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO leads (campaign, phone, name, timezone, priority, custom) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (campaign, phone) DO NOTHING",
            )?;
            for l in leads {
                let custom = serde_json::to_string(&l.custom)?;
                let n = stmt.execute(params![cid, l.phone, l.name, l.timezone, l.priority, custom])?;
                out.push(if n == 1 { Some(LeadId(u("leads.id", tx.last_insert_rowid())?)) } else { None });
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// A lead by id.
    pub fn lead(&self, id: LeadId) -> Result<Option<Lead>> {
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?1"))?
            .query_row([i("lead", id.0)?], RawLead::from_row)
            .optional()?;
        raw.map(RawLead::into_lead).transpose()
    }

    /// Every lead of a campaign, by id.
    pub fn leads(&self, campaign: CampaignId) -> Result<Vec<Lead>> {
        let raws = self
            .conn
            .prepare_cached(&format!("SELECT {LEAD_COLUMNS} FROM leads WHERE campaign = ?1 ORDER BY id"))?
            .query_map([i("campaign", campaign.0)?], RawLead::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(RawLead::into_lead).collect()
    }

    /// Up to `limit` unfinished leads of `campaign` due at `now_ms`: highest priority first,
    /// then earliest `next_attempt_ms`, then oldest lead.
    pub fn due_leads(&self, campaign: CampaignId, now_ms: u64, limit: usize) -> Result<Vec<Lead>> {
        let raws = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LEAD_COLUMNS} FROM leads \
                 WHERE campaign = ?1 AND finished = 0 AND next_attempt_ms <= ?2 \
                 ORDER BY priority DESC, next_attempt_ms ASC, id ASC LIMIT ?3"
            ))?
            .query_map(
                params![i("campaign", campaign.0)?, i("now_ms", now_ms)?, i("limit", limit as u64)?],
                RawLead::from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raws.into_iter().map(RawLead::into_lead).collect()
    }

    /// Stores an attempt's CDR and its lead's new state in one transaction: after a crash either
    /// both are there or neither is. Fails (changing nothing) if the lead does not exist or the
    /// CDR's call was already stored ([`StoreError::DuplicateCall`]).
    pub fn finish_attempt(&mut self, cdr: &Cdr, update: LeadUpdate) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_cdr_in(&tx, cdr)?;
        let (state, next, finished) = match update.next_attempt_ms {
            Some(t) => (LeadState::Retry, i("next_attempt_ms", t)?, false),
            None => (LeadState::Done, 0, true),
        };
        let n = tx
            .prepare_cached(
                "UPDATE leads SET state = ?2, attempts = attempts + 1, attempts_today = attempts_today + 1, \
                 last_outcome = ?3, next_attempt_ms = CASE WHEN ?5 THEN next_attempt_ms ELSE ?4 END, \
                 finished = ?5, last_abandon_ms = COALESCE(?6, last_abandon_ms) \
             WHERE id = ?1",
            )?
            .execute(params![
                i("lead", update.lead.0)?,
                state.name(),
                update.outcome.name(),
                next,
                finished,
                oi("abandoned_at_ms", update.abandoned_at_ms)?,
            ])?;
        if n == 0 {
            // Dropping the transaction rolls the CDR back.
            return Err(StoreError::NotFound { what: "lead", id: update.lead.0 });
        }
        tx.commit()?;
        Ok(())
    }

    /// Starts a new dialling day for a campaign: every lead's `attempts_today` goes back to 0.
    pub fn reset_attempts_today(&mut self, campaign: CampaignId) -> Result<()> {
        self.conn.execute(
            "UPDATE leads SET attempts_today = 0 WHERE campaign = ?1",
            [i("campaign", campaign.0)?],
        )?;
        Ok(())
    }

    /// Records an agent state change.
    pub fn agent_event(&mut self, ev: &AgentEvent) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO agent_events (agent, at_ms, state, reason, call) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                i("agent", ev.agent.0)?,
                i("at_ms", ev.at_ms)?,
                agent_state_name(ev.state),
                ev.reason,
                oi("call", ev.call.map(|c| c.0))?,
            ])?;
        Ok(())
    }

    /// An agent's events at or after `since_ms`, oldest first.
    pub fn agent_events(&self, agent: AgentId, since_ms: u64) -> Result<Vec<AgentEvent>> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT at_ms, state, reason, call FROM agent_events \
                 WHERE agent = ?1 AND at_ms >= ?2 ORDER BY at_ms, id",
            )?
            .query_map(params![i("agent", agent.0)?, i("since_ms", since_ms)?], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(at, state, reason, call)| {
                Ok(AgentEvent {
                    agent,
                    at_ms: u("agent_events.at_ms", at)?,
                    state: parse_agent_state(&state)
                        .ok_or(StoreError::BadValue { field: "agent_events.state", value: state })?,
                    reason,
                    call: ou("agent_events.call", call)?.map(CallId),
                })
            })
            .collect()
    }

    /// Adds a recording to the index (a path already indexed is updated: a repaired file).
    pub fn add_recording(&mut self, rec: &Recording) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO recordings (call, path, duration_ms, format, channels, bytes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (path) DO UPDATE SET call = excluded.call, \
                   duration_ms = excluded.duration_ms, format = excluded.format, \
                   channels = excluded.channels, bytes = excluded.bytes",
            )?
            .execute(params![
                i("call", rec.call.0)?,
                rec.path,
                i("duration_ms", rec.duration_ms)?,
                rec.format,
                rec.channels,
                i("bytes", rec.bytes)?,
            ])?;
        Ok(())
    }

    /// The recordings of a call, in the order they were indexed.
    pub fn recordings(&self, call: CallId) -> Result<Vec<Recording>> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT path, duration_ms, format, channels, bytes FROM recordings \
                 WHERE call = ?1 ORDER BY id",
            )?
            .query_map([i("call", call.0)?], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u16>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(path, d, format, channels, bytes)| {
                Ok(Recording {
                    call,
                    path,
                    duration_ms: u("recordings.duration_ms", d)?,
                    format,
                    channels,
                    bytes: u("recordings.bytes", bytes)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
