//! The XDP guard on the WAN interfaces: `bpf/guard.c`, compiled by clang in `build.rs`, loaded
//! and attached with aya.
//!
//! The program inspects only UDP datagrams to the listen port and drops, before they cost the
//! agent a wake-up: what is not a well-formed WireGuard message (type and length), responses,
//! cookie replies and data for a session index the node has not issued, and handshake
//! initiations from one source above [`GuardOptions::initiation_rate`]. Everything else passes
//! untouched. It counts its verdicts by reason, and per session index the packets and bytes it
//! let through, in per-CPU maps that [`Guard::counters`] adds up.
//!
//! The node issues one 24-bit session index per peer (`Node::poll_index_change`); the shell
//! mirrors them into the `sessions` map with [`Guard::issue`] and [`Guard::retire`] while it holds
//! the node, so no datagram for a new peer can come back before its index is there.

use std::collections::BTreeMap;

use aya::maps::{Array, MapData, PerCpuArray, PerCpuHashMap, PerCpuValues};
use aya::programs::{ProgramError, Xdp, XdpMode};
use aya::{Ebpf, TestRun, TestRunOptions};

/// The object clang built from `bpf/guard.c`.
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/guard.o"));
const PROGRAM: &str = "patronus_guard";

/// The reasons of the `verdicts` map, by their number in `guard.c`.
const PASS_INITIATION: u32 = 0;
const PASS_RESPONSE: u32 = 1;
const PASS_COOKIE_REPLY: u32 = 2;
const PASS_DATA: u32 = 3;
const DROP_MALFORMED: u32 = 4;
const DROP_UNKNOWN_INDEX: u32 = 5;
const DROP_INITIATION_RATE: u32 = 6;
const VERDICTS: u32 = 7;

/// XDP's verdicts, as `BPF_PROG_TEST_RUN` returns them.
pub const XDP_DROP: u32 = 1;
pub const XDP_PASS: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("loading the XDP guard into the kernel: {0}")]
    Load(#[source] Box<aya::EbpfError>),
    #[error("the XDP guard program: {0}")]
    Program(#[from] ProgramError),
    #[error("the XDP guard's map {name}: {source}")]
    Map { name: &'static str, source: aya::maps::MapError },
    #[error("the XDP guard's map {0} is missing from the object")]
    MissingMap(&'static str),
    #[error("counting CPUs: {0}")]
    Cpus(std::io::Error),
}

/// How hard the guard limits handshake initiations per source address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuardOptions {
    /// Initiations per second one source address may send, sustained.
    pub initiation_rate: u32,
    /// Initiations one source address may send at once after a quiet spell.
    pub initiation_burst: u32,
}

impl Default for GuardOptions {
    /// A peer retries an unanswered initiation every 5 seconds, and a whole site behind one NAT
    /// address handshakes with us once per session per 2 minutes: 20 per second with a burst of
    /// 40 leaves room for hundreds of peers behind one address, and holds a flood from it to
    /// 20 a second, well under the 100 a second at which the node starts demanding cookies.
    fn default() -> Self {
        GuardOptions { initiation_rate: 20, initiation_burst: 40 }
    }
}

/// How the program runs on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachMode {
    /// In the driver, before the kernel allocates a socket buffer.
    Native,
    /// In the kernel's generic receive path: the same verdicts, later and at a higher cost.
    Generic,
}

/// What passed and what was dropped, by reason: (packets, bytes of WireGuard message).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GuardCounters {
    pub passed_initiations: (u64, u64),
    pub passed_responses: (u64, u64),
    pub passed_cookie_replies: (u64, u64),
    pub passed_data: (u64, u64),
    pub dropped_malformed: (u64, u64),
    pub dropped_unknown_index: (u64, u64),
    pub dropped_initiation_rate: (u64, u64),
}

/// The guard, loaded; attached to no interface until [`Guard::attach`].
pub struct Guard {
    ebpf: Ebpf,
    /// Interface name → how the program runs there.
    attached: BTreeMap<String, (aya::programs::xdp::XdpLinkId, AttachMode)>,
    cpus: usize,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let attached: Vec<(&String, &AttachMode)> = self.attached.iter().map(|(k, v)| (k, &v.1)).collect();
        f.debug_struct("Guard").field("attached", &attached).finish_non_exhaustive()
    }
}

impl Guard {
    /// Loads the program and its maps into the kernel (the verifier checks it here). Needs
    /// CAP_BPF (root); inspects nothing until [`Guard::configure`] gives it a port.
    pub fn load() -> Result<Guard, GuardError> {
        let mut ebpf = Ebpf::load(OBJECT).map_err(|e| GuardError::Load(Box::new(e)))?;
        let program: &mut Xdp = ebpf.program_mut(PROGRAM).ok_or(ProgramError::NotLoaded)?.try_into()?;
        program.load()?;
        let cpus = aya::util::nr_cpus().map_err(|(_, e)| GuardError::Cpus(e))?;
        Ok(Guard { ebpf, attached: BTreeMap::new(), cpus })
    }

    /// Sets the port whose datagrams are inspected (0: none) and the initiation rate.
    pub fn configure(&mut self, port: u16, options: GuardOptions) -> Result<(), GuardError> {
        let rate = u64::from(options.initiation_rate.max(1));
        let cost_ns = 1_000_000_000 / rate;
        let credit_max_ns = cost_ns * u64::from(options.initiation_burst.max(1));
        // `struct config` in guard.c: u32 port, u32 reserved, u64 cost, u64 credit maximum.
        let value: [u64; 3] = [u64::from(port), cost_ns, credit_max_ns];
        let mut map: Array<&mut MapData, [u64; 3]> =
            Array::try_from(self.map_mut("config")?).map_err(|source| GuardError::Map { name: "config", source })?;
        map.set(0, value, 0).map_err(|source| GuardError::Map { name: "config", source })
    }

    /// Attaches the program to `interface`: natively where its driver can run XDP, otherwise in
    /// generic mode. Attaching an interface that has it already changes nothing.
    pub fn attach(&mut self, interface: &str) -> Result<AttachMode, GuardError> {
        if let Some((_, mode)) = self.attached.get(interface) {
            return Ok(*mode);
        }
        let program = self.program_mut()?;
        let (id, mode) = match program.attach(interface, XdpMode::Driver) {
            Ok(id) => (id, AttachMode::Native),
            Err(native) => match program.attach(interface, XdpMode::Skb) {
                Ok(id) => (id, AttachMode::Generic),
                Err(generic) => {
                    tracing::debug!(%interface, error = %native, "native XDP refused");
                    return Err(generic.into());
                }
            },
        };
        self.attached.insert(interface.to_owned(), (id, mode));
        Ok(mode)
    }

    /// Detaches the program from `interface`, if it is attached there.
    pub fn detach(&mut self, interface: &str) -> Result<(), GuardError> {
        let Some((id, _)) = self.attached.remove(interface) else {
            return Ok(());
        };
        self.program_mut()?.detach(id)?;
        Ok(())
    }

    /// The interfaces the program runs on, and how.
    pub fn attached(&self) -> impl Iterator<Item = (&str, AttachMode)> {
        self.attached.iter().map(|(name, (_, mode))| (name.as_str(), *mode))
    }

    /// Lets datagrams for session `index` (a receiver index >> 8) through, counting them.
    pub fn issue(&mut self, index: u32) -> Result<(), GuardError> {
        let zero = PerCpuValues::try_from(vec![[0u64; 2]; self.cpus]).map_err(GuardError::Cpus)?;
        let mut map = self.sessions_mut()?;
        map.insert(index, zero, 0).map_err(|source| GuardError::Map { name: "sessions", source })
    }

    /// Drops datagrams for session `index` from now on.
    pub fn retire(&mut self, index: u32) -> Result<(), GuardError> {
        let mut map = self.sessions_mut()?;
        match map.remove(&index) {
            Ok(()) | Err(aya::maps::MapError::KeyNotFound) => Ok(()),
            Err(aya::maps::MapError::SyscallError(e)) if e.io_error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(GuardError::Map { name: "sessions", source }),
        }
    }

    /// Verdicts by reason, added up over the CPUs.
    pub fn counters(&self) -> Result<GuardCounters, GuardError> {
        let map = self.ebpf.map("verdicts").ok_or(GuardError::MissingMap("verdicts"))?;
        let map: PerCpuArray<&MapData, [u64; 2]> =
            PerCpuArray::try_from(map).map_err(|source| GuardError::Map { name: "verdicts", source })?;
        let mut sums = [(0u64, 0u64); VERDICTS as usize];
        for (reason, sum) in sums.iter_mut().enumerate() {
            let values = map.get(&(reason as u32), 0).map_err(|source| GuardError::Map { name: "verdicts", source })?;
            *sum = add_up(&values);
        }
        let at = |reason: u32| sums[reason as usize];
        Ok(GuardCounters {
            passed_initiations: at(PASS_INITIATION),
            passed_responses: at(PASS_RESPONSE),
            passed_cookie_replies: at(PASS_COOKIE_REPLY),
            passed_data: at(PASS_DATA),
            dropped_malformed: at(DROP_MALFORMED),
            dropped_unknown_index: at(DROP_UNKNOWN_INDEX),
            dropped_initiation_rate: at(DROP_INITIATION_RATE),
        })
    }

    /// Per issued session index: the packets and bytes the guard let through for it.
    pub fn session_counters(&self) -> Result<BTreeMap<u32, (u64, u64)>, GuardError> {
        let map = self.ebpf.map("sessions").ok_or(GuardError::MissingMap("sessions"))?;
        let map: PerCpuHashMap<&MapData, u32, [u64; 2]> =
            PerCpuHashMap::try_from(map).map_err(|source| GuardError::Map { name: "sessions", source })?;
        let mut out = BTreeMap::new();
        for entry in map.iter() {
            // An index retired while the map is walked is simply skipped.
            let Ok((index, values)) = entry else { continue };
            out.insert(index, add_up(&values));
        }
        Ok(out)
    }

    /// Runs the program once on `frame` (an Ethernet frame) through `BPF_PROG_TEST_RUN`: its
    /// verdict, and the time the kernel measured per run over `repeat` runs.
    pub fn test_run(&self, frame: &[u8], repeat: u32) -> Result<(u32, std::time::Duration), GuardError> {
        let program: &Xdp = self.ebpf.program(PROGRAM).ok_or(ProgramError::NotLoaded)?.try_into()?;
        let result = program.test_run(TestRunOptions { data_in: Some(frame), repeat, ..TestRunOptions::default() })?;
        Ok((result.return_value, result.duration))
    }

    fn program_mut(&mut self) -> Result<&mut Xdp, GuardError> {
        Ok(self.ebpf.program_mut(PROGRAM).ok_or(ProgramError::NotLoaded)?.try_into()?)
    }

    fn map_mut(&mut self, name: &'static str) -> Result<&mut aya::maps::Map, GuardError> {
        self.ebpf.map_mut(name).ok_or(GuardError::MissingMap(name))
    }

    fn sessions_mut(&mut self) -> Result<PerCpuHashMap<&mut MapData, u32, [u64; 2]>, GuardError> {
        PerCpuHashMap::try_from(self.map_mut("sessions")?)
            .map_err(|source| GuardError::Map { name: "sessions", source })
    }
}

fn add_up(values: &PerCpuValues<[u64; 2]>) -> (u64, u64) {
    values.iter().fold((0, 0), |(p, b), v| (p.wrapping_add(v[0]), b.wrapping_add(v[1])))
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
