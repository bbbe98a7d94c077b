//! The wasm bindings: a thin `Recommender` class over [`Engine`], nothing more.
//!
//! Arguments come in as plain JS values (read with `serde-wasm-bindgen`); results go out as
//! JSON text written by [`crate::json`] (which the JS shell parses); every failure
//! becomes a JS `Error` named `ShelfwiseError` with a machine-readable `kind` (see
//! [`CoreError::kind`]). Nothing here unwraps.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::{check_ts, Engine, EventInput, InterestInput};
use crate::error::CoreError;
use crate::measurement::records::{DayAnswers, MeasurementRecord, MeasurementSummary, DEFAULT_WINDOW_DAYS};
use crate::measurement::report::{DailyReport, ReportRequest};
use crate::measurement::{DeviceSecret, Experiment, SystemCoins};
use crate::pack::shard::working::WorkingSet;
use crate::page::ShelfRequest;

impl From<CoreError> for JsValue {
    fn from(error: CoreError) -> JsValue {
        let js = js_sys::Error::new(&error.to_string());
        js.set_name("ShelfwiseError");
        // Setting a property on a fresh Error object cannot fail; ignore the Result anyway.
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str("kind"), &JsValue::from_str(error.kind()));
        js.into()
    }
}

/// Converts a result to a plain JS value: serialized to one JSON string (by [`crate::json`])
/// and parsed by the JS engine's `JSON.parse` (much cheaper than setting every field of every
/// card across the boundary; non-finite numbers become `null`, as in JSON).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = crate::json::to_string(value).map_err(|e| CoreError::InvalidArgument { name: "result", detail: e.to_string() })?;
    js_sys::JSON::parse(&text).map_err(|_| CoreError::InvalidArgument { name: "result", detail: "not valid JSON".to_owned() }.into())
}

fn usize_arg(name: &'static str, value: f64) -> Result<usize, CoreError> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 1e9 {
        Ok(value as usize)
    } else {
        Err(CoreError::OutOfRange { name, value: value.to_string(), expected: "a whole number ≥ 0" })
    }
}

/// Which scoring kernel this build runs: `"relaxed-simd"` (the `shelfwise_relaxed_bg.wasm`
/// build), `"simd128"` (the default build) or `"portable"`.
#[wasm_bindgen(js_name = kernelPath)]
pub fn kernel_path() -> String {
    crate::kernel::path_name().to_owned()
}

fn from_js<T: serde::de::DeserializeOwned>(name: &'static str, value: JsValue) -> Result<T, CoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| CoreError::InvalidArgument { name, detail: e.to_string() })
}

/// Measurement totals and last-touch attribution of `records` (impressions, shelf clicks,
/// purchases) over `windowDays` (see `src/measurement/records.rs`).
#[wasm_bindgen(js_name = measurementSummary)]
pub fn measurement_summary(records: JsValue, window_days: u32) -> Result<JsValue, JsValue> {
    let records: Vec<MeasurementRecord> = from_js("records", records)?;
    to_js(&MeasurementSummary::of(&records, window_days).map_err(CoreError::from)?)
}

/// The randomized daily report about the UTC day starting at `dayStartMs`, from the device's
/// `records` and `settings` `{ epsilon, arm, experiment?, valueBuckets?, windowDays? }`; the
/// coins come from `crypto.getRandomValues`.
#[wasm_bindgen(js_name = dailyReport)]
pub fn daily_report(records: JsValue, day_start_ms: f64, settings: JsValue) -> Result<JsValue, JsValue> {
    let records: Vec<MeasurementRecord> = from_js("records", records)?;
    let request: ReportRequest = from_js("settings", settings)?;
    let day_start = check_ts("dayStartMs", day_start_ms)?;
    let answers = DayAnswers::of(&records, day_start, request.window_days.unwrap_or(DEFAULT_WINDOW_DAYS)).map_err(CoreError::from)?;
    let settings = request.settings().map_err(CoreError::from)?;
    to_js(&DailyReport::randomized(&answers, day_start, &settings, &mut SystemCoins::default()).map_err(CoreError::from)?)
}

/// A fresh device secret (128 bits from `crypto.getRandomValues`, as 32 hex digits).
#[wasm_bindgen(js_name = newDeviceSecret)]
pub fn new_device_secret() -> Result<String, JsValue> {
    Ok(DeviceSecret::generate().map_err(CoreError::from)?.to_hex())
}

/// The arm of the device with `secret` in the experiment `name` with these arms and weights.
#[wasm_bindgen(js_name = experimentArm)]
pub fn experiment_arm(secret: &str, name: String, arms: Vec<String>, weights: Vec<f64>) -> Result<String, JsValue> {
    if arms.len() != weights.len() {
        return Err(CoreError::InvalidArgument { name: "experiment", detail: "one weight per arm".into() }.into());
    }
    let experiment = Experiment { name, arms: arms.into_iter().zip(weights).collect() };
    let secret = DeviceSecret::from_hex(secret).map_err(CoreError::from)?;
    Ok(experiment.arm_of(&secret).map_err(CoreError::from)?)
}

/// An open pack and the shopper's events, living in this page (or worker) only.
#[wasm_bindgen(js_name = Recommender)]
pub struct WasmRecommender {
    engine: Engine<Vec<u8>>,
}

#[wasm_bindgen(js_class = Recommender)]
impl WasmRecommender {
    /// Opens a pack from its bytes (copied once into wasm memory, then read in place).
    #[wasm_bindgen(constructor)]
    pub fn new(pack: Vec<u8>) -> Result<WasmRecommender, JsValue> {
        Ok(WasmRecommender { engine: Engine::open(pack)? })
    }

    /// Facts about the pack: versions, counts, size, checksum.
    pub fn info(&self) -> Result<JsValue, JsValue> {
        to_js(&self.engine.info())
    }

    /// Records one event `{ item, type, ts, qty?, query? }` as of `nowMs` (the page's clock
    /// when it called track()); `ts` at most a day after it.
    pub fn track(&mut self, event: JsValue, now_ms: f64) -> Result<(), JsValue> {
        let input: EventInput =
            serde_wasm_bindgen::from_value(event).map_err(|e| CoreError::InvalidArgument { name: "event", detail: e.to_string() })?;
        let now = check_ts("nowMs", now_ms)?;
        Ok(self.engine.track(&input, now)?)
    }

    /// One shelf: `request` is `{ kind, k?, item?, category?, query?, cart?, exclude?, filters?,
    /// rules?, maxPerCategory?, diversity?, explore?, title? }` (see `ShelfRequest`).
    pub fn shelf(&self, request: JsValue, now_ms: f64) -> Result<JsValue, JsValue> {
        let request: ShelfRequest =
            serde_wasm_bindgen::from_value(request).map_err(|e| CoreError::InvalidArgument { name: "request", detail: e.to_string() })?;
        let now = check_ts("nowMs", now_ms)?;
        to_js(&self.engine.shelf(&request, now)?)
    }

    /// Several shelves at once, no item on two of them (earlier requests win).
    pub fn page(&self, requests: JsValue, now_ms: f64) -> Result<JsValue, JsValue> {
        let requests: Vec<ShelfRequest> =
            serde_wasm_bindgen::from_value(requests).map_err(|e| CoreError::InvalidArgument { name: "requests", detail: e.to_string() })?;
        let now = check_ts("nowMs", now_ms)?;
        to_js(&self.engine.page(&requests, now)?)
    }

    /// Removes an interest `{ category }` or `{ brand }` from the profile (kept until
    /// `restoreInterest` or `clearEvents`).
    #[wasm_bindgen(js_name = removeInterest)]
    pub fn remove_interest(&mut self, interest: JsValue) -> Result<(), JsValue> {
        let interest: InterestInput =
            serde_wasm_bindgen::from_value(interest).map_err(|e| CoreError::InvalidArgument { name: "interest", detail: e.to_string() })?;
        Ok(self.engine.remove_interest(&interest)?)
    }

    /// Undoes `removeInterest`.
    #[wasm_bindgen(js_name = restoreInterest)]
    pub fn restore_interest(&mut self, interest: JsValue) -> Result<(), JsValue> {
        let interest: InterestInput =
            serde_wasm_bindgen::from_value(interest).map_err(|e| CoreError::InvalidArgument { name: "interest", detail: e.to_string() })?;
        self.engine.restore_interest(&interest);
        Ok(())
    }

    /// One item's card by id.
    pub fn item(&self, id: &str) -> Result<JsValue, JsValue> {
        to_js(&self.engine.item(id)?)
    }

    /// Cards of `count` items from `start`, in pack order.
    pub fn items(&self, start: f64, count: f64) -> Result<JsValue, JsValue> {
        let start = usize_arg("start", start)?.min(u32::MAX as usize) as u32;
        let count = usize_arg("count", count)?.min(u32::MAX as usize) as u32;
        to_js(&self.engine.items(start, count)?)
    }

    /// A readable summary of the shopper's profile as of `nowMs`.
    pub fn profile(&self, now_ms: f64) -> Result<JsValue, JsValue> {
        to_js(&self.engine.profile_summary(check_ts("nowMs", now_ms)?))
    }

    /// Turns personalization off (`false`: the experiment's control arm; every shelf ranks as
    /// for a shopper without events) or on again.
    #[wasm_bindgen(js_name = setPersonalized)]
    pub fn set_personalized(&mut self, personalized: bool) {
        self.engine.set_personalized(personalized);
    }

    /// Number of events held.
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(&self) -> u32 {
        self.engine.events().len() as u32
    }

    /// Forgets every event, search and removed interest.
    #[wasm_bindgen(js_name = clearEvents)]
    pub fn clear_events(&mut self) {
        self.engine.clear_events();
    }
}

/// A sharded pack's working set in this page (or worker): the bootstrap and the chunks loaded
/// so far, assembled into an ordinary pack for a `Recommender` (see `src/pack/shard/`).
#[wasm_bindgen(js_name = WorkingSet)]
pub struct WasmWorkingSet {
    set: WorkingSet,
}

#[wasm_bindgen(js_class = WorkingSet)]
impl WasmWorkingSet {
    /// Opens a bootstrap file (checked like a pack: magic, version, checksum, every field).
    #[wasm_bindgen(constructor)]
    pub fn new(bootstrap: &[u8]) -> Result<WasmWorkingSet, JsValue> {
        Ok(WasmWorkingSet { set: WorkingSet::open(bootstrap).map_err(CoreError::from)? })
    }

    /// Chunks in the manifest.
    #[wasm_bindgen(js_name = chunkCount)]
    pub fn chunk_count(&self) -> u32 {
        self.set.bootstrap().manifest.len() as u32
    }

    /// Chunk `index`'s file name (next to the bootstrap), or undefined past the manifest.
    #[wasm_bindgen(js_name = chunkFile)]
    pub fn chunk_file(&self, index: u32) -> Option<String> {
        self.set.chunk(index).map(|entry| entry.file_name())
    }

    /// Whether chunk `index` is loaded.
    #[wasm_bindgen(js_name = hasChunk)]
    pub fn has_chunk(&self, index: u32) -> bool {
        self.set.has_chunk(index)
    }

    /// Checks and loads chunk `index` (its manifest length and hash, header, checksum and
    /// fields); returns whether it was new. A bad chunk is a `ShelfwiseError` naming it.
    #[wasm_bindgen(js_name = addChunk)]
    pub fn add_chunk(&mut self, index: u32, bytes: &[u8]) -> Result<bool, JsValue> {
        Ok(self.set.add_chunk(index, bytes).map_err(CoreError::from)?)
    }

    /// Where item `id` lives: `{ partition }` (its chunk), `{ directory }` (load this chunk to
    /// find out) or `{}` (no such item).
    pub fn locate(&self, id: &str) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Located {
            #[serde(skip_serializing_if = "Option::is_none")]
            partition: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            directory: Option<u32>,
        }
        let located = match self.set.locate(id) {
            Ok(partition) => Located { partition, directory: None },
            Err(directory) => Located { partition: None, directory: Some(directory) },
        };
        to_js(&located)
    }

    /// Chunk `index`'s file length as the manifest lists it, or undefined past the manifest.
    #[wasm_bindgen(js_name = chunkBytes)]
    pub fn chunk_bytes(&self, index: u32) -> Option<u32> {
        self.set.chunk(index).map(|entry| entry.byte_len)
    }

    /// The partition chunks the shopper's shelves need as of `nowMs`, nearest first, and those
    /// next in line: `{ probe, next }` (`WorkingSet::probe_and_next`: `nprobe`, and at most
    /// `extra` next), from one computation of the profile.
    #[wasm_bindgen(js_name = partitionsFor)]
    pub fn partitions_for(&self, recommender: &WasmRecommender, now_ms: f64, nprobe: u32, extra: u32) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Wanted {
            probe: Vec<u32>,
            next: Vec<u32>,
        }
        let profile = recommender.engine.ranked_profile(check_ts("nowMs", now_ms)?);
        let (probe, next) = self.set.probe_and_next(&profile, nprobe as usize, extra as usize);
        to_js(&Wanted { probe, next })
    }

    /// The chunks holding the neighbours of the shopper's items `ids` (most important first):
    /// `{ partitions, directories }` (see `WorkingSet::neighbour_chunks`).
    #[wasm_bindgen(js_name = neighbourChunks)]
    pub fn neighbour_chunks(&self, ids: Vec<String>, max: u32) -> Result<JsValue, JsValue> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        to_js(&self.set.neighbour_chunks(&ids, max as usize))
    }

    /// Chunks loaded so far.
    #[wasm_bindgen(js_name = loadedChunks)]
    pub fn loaded_chunks(&self) -> u32 {
        self.set.loaded_chunks() as u32
    }

    /// A Recommender over the assembled working pack, opened here in wasm memory: the pack's
    /// bytes never cross into JS (no copy out and back in, no JS garbage per chunk arrival).
    #[wasm_bindgen(js_name = openRecommender)]
    pub fn open_recommender(&self) -> Result<WasmRecommender, JsValue> {
        let pack = self.set.pack_bytes().map_err(CoreError::from)?;
        Ok(WasmRecommender { engine: Engine::open(pack)? })
    }
}
