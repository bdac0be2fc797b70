//! The session store: one [`LiveSession`] per browser tab, under a random id.
//!
//! Ids are 128 random bits from the operating system (`rand::rng`), so one tab cannot reach
//! another's session by guessing; they have nothing to do with the simulation's seeded
//! streams. The number of sessions is capped; a session unused for `idle` is dropped, checked
//! whenever a session is created or looked up, and a session whose lock was poisoned (a request
//! panicked while holding it) is dropped at the same moments. Each session has its own lock, so tabs do not
//! wait for each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, TryLockError};
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
        map.retain(|_, e| match e.try_lock() {
            Ok(e) => now.duration_since(e.last_used) < self.idle,
            // Its lock is held: in use, keep it.
            Err(TryLockError::WouldBlock) => true,
            // A request panicked while holding it: the session may be half changed, so it
            // goes (its id answers 404 from now on) instead of holding a place under the cap.
            Err(TryLockError::Poisoned(_)) => false,
        });
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::geometry::Rect;
    use crate::live::{LiveMap, PenSettings, SessionLimits};
    use crate::pen::cartridge::Cartridge;
    use crate::pen::device::Device;

    fn session() -> (LiveSession, SessionSettings) {
        let mut cartridge = Cartridge::preset(12, 1.0).unwrap();
        cartridge.depth_mm = 1.0;
        let pen = PenSettings { cartridge, device: Device::default(), tilt_deg: 0.0 };
        let area = Rect::new(0.0, 0.0, 10.0, 10.0);
        let s = LiveSession::new(Arc::new(LiveMap::patch(area)), pen, 0.0, SessionLimits::default()).unwrap();
        let file = crate::io::scenario::parse(crate::io::fuzzing::DEFAULT_SCENARIO, Path::new("default.toml"), &[]).unwrap();
        let settings = SessionSettings { file, tilt_deg: 0.0, target_density_per_cm2: crate::live::session::TARGET_DENSITY_PER_CM2 };
        (s, settings)
    }

    fn insert(store: &Store) -> Result<String, Full> {
        let (s, settings) = session();
        store.insert_with(s, settings)
    }

    #[test]
    fn an_idle_session_is_dropped_at_the_next_lookup_and_a_busy_one_is_kept() {
        let mut store = Store::new(4, Duration::from_secs(3600));
        let (a, b) = (insert(&store).unwrap(), insert(&store).unwrap());
        let busy = store.get(&b).unwrap();
        let held = busy.lock().unwrap();
        // Every session is now idle longer than the limit.
        store.idle = Duration::ZERO;
        assert!(store.get(&a).is_none(), "the idle session is gone");
        assert_eq!(store.len(), 1, "the session in use stays");
        drop(held);
        assert!(store.get(&b).is_none(), "idle once its request ended");
        assert!(store.is_empty());
    }

    #[test]
    fn a_burst_of_creations_stops_exactly_at_the_cap() {
        let store = Store::new(5, Duration::from_secs(3600));
        let made: Vec<Result<String, Full>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16).map(|_| s.spawn(|| insert(&store))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(made.iter().filter(|r| r.is_ok()).count(), 5);
        assert!(made.iter().filter_map(|r| r.as_ref().err()).all(|f| f.max_sessions == 5));
        let ids: std::collections::HashSet<&String> = made.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ids.len(), 5, "ids are distinct");
        assert_eq!(store.len(), 5);
    }

    #[test]
    fn a_poisoned_session_gives_up_its_place_under_the_cap() {
        let store = Store::new(2, Duration::from_secs(3600));
        let (a, _b) = (insert(&store).unwrap(), insert(&store).unwrap());
        assert!(insert(&store).is_err(), "full");
        let shared = store.get(&a).unwrap();
        // A request that panics while it holds the session.
        let _ = std::thread::spawn(move || {
            let _g = shared.lock().unwrap();
            panic!("a handler bug");
        })
        .join();
        let c = insert(&store).expect("the poisoned session no longer counts");
        assert!(store.get(&a).is_none(), "the poisoned session is gone");
        assert!(store.get(&c).is_some());
        assert_eq!(store.len(), 2);
    }
}
