//! The session store: one [`LiveSession`] per browser tab, under a random id.
//!
//! Ids are 128 random bits from the operating system (`rand::rng`), so one tab cannot reach
//! another's session by guessing; they have nothing to do with the simulation's seeded
//! streams. The number of sessions is capped; a session unused for `idle` is dropped, checked
//! whenever a session is created or looked up. Each session has its own lock, so tabs do not
//! wait for each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngExt;

use super::api::SessionSettings;
use crate::live::LiveSession;

/// A session and when it was last used.
pub struct Entry {
    pub session: LiveSession,
    /// The scenario with this session's settings applied.
    pub settings: SessionSettings,
    pub last_used: Instant,
    /// Exports made so far (numbered directories).
    pub exports: u32,
}

pub type Shared = Arc<Mutex<Entry>>;

pub struct Store {
    sessions: Mutex<HashMap<String, Shared>>,
    max_sessions: usize,
    idle: Duration,
}

/// Why a session could not be created.
#[derive(Debug, PartialEq, Eq)]
pub struct Full {
    pub max_sessions: usize,
    pub idle: Duration,
}

impl Store {
    pub fn new(max_sessions: usize, idle: Duration) -> Self {
        Store { sessions: Mutex::new(HashMap::new()), max_sessions, idle }
    }

    fn sweep(&self, map: &mut HashMap<String, Shared>, now: Instant) {
        // A session whose lock is held is in use: keep it.
        map.retain(|_, e| e.try_lock().map(|e| now.duration_since(e.last_used) < self.idle).unwrap_or(true));
    }

    /// Store a new session; returns its id.
    pub fn insert_with(&self, session: LiveSession, settings: SessionSettings) -> Result<String, Full> {
        let now = Instant::now();
        let mut map = self.sessions.lock().expect("store lock");
        self.sweep(&mut map, now);
        if map.len() >= self.max_sessions {
            return Err(Full { max_sessions: self.max_sessions, idle: self.idle });
        }
        let id = loop {
            let id = format!("{:032x}", rand::rng().random::<u128>());
            if !map.contains_key(&id) {
                break id;
            }
        };
        map.insert(id.clone(), Arc::new(Mutex::new(Entry { session, settings, last_used: now, exports: 0 })));
        Ok(id)
    }

    /// The session `id`, marked as used now.
    pub fn get(&self, id: &str) -> Option<Shared> {
        let now = Instant::now();
        let mut map = self.sessions.lock().expect("store lock");
        self.sweep(&mut map, now);
        let e = map.get(id)?.clone();
        drop(map);
        if let Ok(mut g) = e.lock() {
            g.last_used = now;
        }
        Some(e)
    }

    pub fn remove(&self, id: &str) -> bool {
        self.sessions.lock().expect("store lock").remove(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.sessions.lock().expect("store lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
