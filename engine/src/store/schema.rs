//! The database schema as an ordered list of migrations; `PRAGMA user_version` records how many
//! have been applied, so opening an older database upgrades it in place and a newer one is refused.

use rusqlite::Connection;

use super::StoreError;

/// Migrations in order; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO counters (name, value) VALUES ('call', 0);

    CREATE TABLE campaigns (
        id       INTEGER PRIMARY KEY,
        name     TEXT NOT NULL UNIQUE,
        mode     TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}',
        running  INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE leads (
        id              INTEGER PRIMARY KEY,
        campaign        INTEGER NOT NULL REFERENCES campaigns(id),
        phone           TEXT NOT NULL,
        name            TEXT,
        timezone        TEXT,
        priority        INTEGER NOT NULL DEFAULT 0,
        custom          TEXT NOT NULL DEFAULT '{}',
        state           TEXT NOT NULL DEFAULT 'new',
        attempts        INTEGER NOT NULL DEFAULT 0,
        attempts_today  INTEGER NOT NULL DEFAULT 0,
        last_outcome    TEXT,
        next_attempt_ms INTEGER NOT NULL DEFAULT 0,
        finished        INTEGER NOT NULL DEFAULT 0,
        last_abandon_ms INTEGER,
        UNIQUE (campaign, phone)
    );
    CREATE INDEX leads_due ON leads (campaign, finished, priority DESC, next_attempt_ms);

    CREATE TABLE cdrs (
        call       INTEGER PRIMARY KEY,
        direction  TEXT NOT NULL,
        channel    INTEGER NOT NULL,
        ani        TEXT NOT NULL,
        dnis       TEXT NOT NULL,
        campaign   INTEGER,
        lead       INTEGER,
        queue      INTEGER,
        agent      INTEGER,
        start_ms   INTEGER NOT NULL,
        answer_ms  INTEGER,
        bridged_ms INTEGER,
        end_ms     INTEGER NOT NULL,
        outcome    TEXT,
        cause      INTEGER NOT NULL,
        evidence   TEXT NOT NULL,
        recording  TEXT
    );
    CREATE INDEX cdrs_start ON cdrs (start_ms);
    CREATE INDEX cdrs_campaign ON cdrs (campaign, start_ms);
    CREATE INDEX cdrs_lead ON cdrs (lead);

    CREATE TABLE agent_events (
        id     INTEGER PRIMARY KEY,
        agent  INTEGER NOT NULL,
        at_ms  INTEGER NOT NULL,
        state  TEXT NOT NULL,
        reason TEXT,
        call   INTEGER
    );
    CREATE INDEX agent_events_agent ON agent_events (agent, at_ms);

    CREATE TABLE recordings (
        id          INTEGER PRIMARY KEY,
        call        INTEGER NOT NULL,
        path        TEXT NOT NULL UNIQUE,
        duration_ms INTEGER NOT NULL,
        format      TEXT NOT NULL,
        channels    INTEGER NOT NULL,
        bytes       INTEGER NOT NULL
    );
    CREATE INDEX recordings_call ON recordings (call);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the database up to [`SCHEMA_VERSION`], each migration in its own transaction.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew { found, supported: SCHEMA_VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // PRAGMA does not take bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(())
}
