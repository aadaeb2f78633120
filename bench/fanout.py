"""Benchmark 3: frames delivered per ASGI process, and what each fast-path choice is worth.

Frames enter the channel layer from :mod:`bench.injector` (one ``group_send`` per device
group, serialized once, as the bridge sends them), so the ASGI process is measured alone.
Each frame carries 5 readings (a 100 Hz device at the default 50 ms tick).

* Ramp: 100 clients each watching all 10 devices; the frame rate per device steps up
  until a step loses a frame or its p99 passes 30 ms.
* 1,000 clients at 10 frames/s each (one device each), zero loss required.
* Before/after at a fixed 10,000 frames/s: the stock Channels consumer against the fast
  consumer on both servers, uvicorn's WebSocket implementations, per-message deflate
  (offered by the clients as browsers do), and the two channels_redis layers.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bench.options import Options, Profile
from bench.procstat import CpuWindow
from bench.report import Section, Table, ms, num, times
from bench.servers import Cluster, finish, read_json, start_together, sync_args
from bench.stats import ratio
from bench.swarm import Swarm, SwarmResult
from server.config import ASGI_APP

STOCK_APP = "bench.baseline.asgi:application"
READINGS_PER_FRAME = 5
GOAL_FRAMES = 20_000
GOAL_P99_MS = 30.0


@dataclass(frozen=True)
class Config:
    """One server set-up."""

    label: str
    server: str
    app: str = ASGI_APP
    layer: str = "redis-pubsub"
    extra_args: tuple[str, ...] = ()
    deflate: bool = False


@dataclass
class Step:
    """One measured load step."""

    clients: int
    per_client: int
    rate: float
    result: SwarmResult
    seconds: float
    asgi_cpu: float
    others_cores: float
    injector_late_p99: float
    profile: list[str] = field(default_factory=list)

    @property
    def offered(self) -> float:
        """Frames per second the clients should receive."""
        return self.clients * self.per_client * self.rate

    @property
    def frames_per_s(self) -> float:
        """Frames per second delivered."""
        return self.result.frames / self.seconds

    @property
    def readings_per_s(self) -> float:
        """Readings per second delivered."""
        return self.result.readings / self.seconds

    @property
    def cpu_per_million(self) -> float | None:
        """ASGI CPU seconds per million readings delivered."""
        return self.asgi_cpu / self.result.readings * 1e6 if self.result.readings else None

    @property
    def lossless(self) -> bool:
        """Every frame arrived exactly once."""
        d = self.result.delivery
        return d.expected > 0 and d.lost == 0 and d.duplicates == 0 and self.result.connected == self.clients

    def passed(self, p99_ms: float) -> bool:
        """Lossless with p99 within ``p99_ms``."""
        lat = self.result.latency
        return self.lossless and lat is not None and lat.p99 <= p99_ms


class Session:
    """A running Redis + ASGI server that load steps run against."""

    def __init__(self, opts: Options, cluster: Cluster, config: Config) -> None:
        """Start the servers of ``config`` in ``cluster``."""
        self.opts = opts
        self.cluster = cluster
        self.config = config
        self.redis, self.redis_url = cluster.redis()
        self.asgi, self.port = cluster.asgi(
            "asgi",
            server=config.server,
            redis_url=self.redis_url,
            store=cluster.path("store.sqlite3"),
            layer=config.layer,
            app=config.app,
            extra_args=config.extra_args,
        )
        self._steps = 0

    def step(self, *, clients: int, per_client: int, rate: float, devices: int, profile: bool = False) -> Step:
        """Connect fresh clients, inject ``rate`` frames/s per device, collect."""
        self._steps += 1
        names = [f"f{self._steps}-{i}" for i in range(devices)]
        warmup, duration = self.opts.seconds(1.0, 0.3), self.opts.seconds(6.0, 1.0)
        swarm = Swarm(
            self.cluster,
            f"clients{self._steps}",
            mode="channels",
            port=self.port,
            clients=clients,
            devices=names,
            per_client=per_client,
            until=time.time() + 300,
            deflate=self.config.deflate,
        )
        out = self.cluster.path(f"injector{self._steps}.json")
        go = f"go{self._steps}"
        sync, ready = sync_args(self.cluster, f"injector{self._steps}", go=go)
        args = ["--layer", self.config.layer, "--redis-url", self.redis_url, "--devices", ",".join(names)]
        args += ["--rate", repr(rate), "--readings", str(READINGS_PER_FRAME), "--duration", repr(warmup + duration)]
        injector = self.cluster.helper(f"injector{self._steps}", "bench.injector", [*args, "--out", str(out), *sync])
        swarm.wait_ready(timeout=120)
        start = start_together(self.cluster, [(injector, ready)], go=go)
        window = CpuWindow(
            {
                "asgi": [self.asgi.pid or 0],
                "clients": swarm.pids,
                "injector": [injector.pid or 0],
                "redis": [self.redis.pid or 0],
            }
        )
        time.sleep(max(0.0, start - time.time()))
        window.start()
        prof = (
            Profile(self.asgi.pid or 0, duration - 1, self.cluster.path(f"profile{self._steps}.txt"))
            if profile
            else None
        )
        finish(injector, timeout=warmup + duration + 30)
        time.sleep(0.3)
        usage = window.stop()
        injected = read_json(out)
        expected = {d: (v["first"], v["last"]) for d, v in injected["devices"].items()}
        result = swarm.collect(
            expected, window=(start + warmup, start + warmup + duration), drain=self.opts.seconds(1.0, 0.3)
        )
        return Step(
            clients=clients,
            per_client=per_client,
            rate=rate,
            result=result,
            seconds=warmup + duration,
            asgi_cpu=usage.cpu["asgi"],
            others_cores=usage.others_cores,
            injector_late_p99=injected["lateness_ms"]["p99"],
            profile=prof.top() if prof else [],
        )


@contextlib.contextmanager
def session(opts: Options, config: Config) -> Iterator[Session]:
    """Servers for ``config``, stopped afterwards."""
    with Cluster(opts.subdir(f"fanout-{config.label.replace(' ', '-').replace('/', '-')}")) as cluster:
        yield Session(opts, cluster, config)


def _row(table: Table, label: str, step: Step, reference: Step | None = None) -> None:
    lat = step.result.latency
    d = step.result.delivery
    table.add(
        label,
        num(step.offered),
        num(step.frames_per_s),
        num(step.readings_per_s),
        ms(lat.p50 if lat else None),
        ms(lat.p99 if lat else None),
        ms(lat.max if lat else None),
        num(d.lost),
        num(step.cpu_per_million, 1),
        times(ratio(step.cpu_per_million, reference.cpu_per_million)) if reference else "",
        num(step.others_cores, 2),
    )


COLUMNS = [
    "configuration",
    "offered frames/s",
    "frames/s",
    "readings/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "readings lost",
    "ASGI CPU s / M readings",
    "CPU vs reference",
    "others cores",
]


def _ramp(opts: Options, config: Config, rates: Sequence[float], devices: int, clients: int) -> list[Step]:
    steps: list[Step] = []
    with session(opts, config) as s:
        for rate in rates:
            step = s.step(clients=clients, per_client=devices, rate=rate, devices=devices)
            steps.append(step)
            if not step.passed(GOAL_P99_MS):
                break
    return steps


def run(opts: Options) -> Section:
    """Ramp both servers, 1,000 clients on both, then the before/after probes."""
    section = Section("fanout", "3. Fan-out: frames delivered per ASGI process")
    if opts.smoke:
        return _smoke(opts, section)
    production = opts.asgi_server
    other = "daphne" if production == "uvicorn" else "uvicorn"
    devices, clients = 10, 100
    ramp = Table(f"Ramp: {clients} clients x {devices} devices, {READINGS_PER_FRAME} readings per frame", COLUMNS)
    best: dict[str, Step | None] = {}
    for server in (production, other):
        steps = _ramp(opts, Config(server, server), [5.0, 10.0, 20.0, 30.0, 40.0], devices, clients)
        passing = [s for s in steps if s.passed(GOAL_P99_MS)]
        best[server] = passing[-1] if passing else None
        for step in steps:
            verdict = "pass" if step.passed(GOAL_P99_MS) else "FAIL"
            _row(ramp, f"{server}, {step.rate:g} frames/s/device ({verdict})", step)
    section.tables.append(ramp)
    top = best[production]
    section.goal(
        f">= {GOAL_FRAMES:,} frames/s per process at p99 <= {GOAL_P99_MS:g} ms with {clients} clients, zero loss: "
        + (f"{top.frames_per_s:,.0f} frames/s ({production})" if top else "no step passed"),
        top is not None and top.frames_per_s >= GOAL_FRAMES * 0.98,
    )

    many = Table("1,000 clients at 10 frames/s each (one device each)", COLUMNS)
    many_steps: dict[str, Step] = {}
    for label, config in (
        (production, Config(production, production)),
        (other, Config(other, other)),
        (f"{production}, channels_redis core layer", Config("core", production, layer="redis")),
    ):
        with session(opts, config) as s:
            many_steps[label] = s.step(clients=1000, per_client=1, rate=10.0, devices=devices)
        _row(many, label, many_steps[label])
    section.tables.append(many)
    main = many_steps[production]
    section.goal(
        f"1,000 clients at 10 frames/s each with no loss ({production}): "
        f"{main.result.delivery.lost:,} readings lost, {main.result.connected:,} connected",
        main.lossless,
    )

    configs = [
        Config(f"{production}, fast consumer (production)", production),
        Config(f"{production}, stock Channels consumer (before)", production, app=STOCK_APP),
        Config(f"{other}, fast consumer", other),
        Config(f"{other}, stock Channels consumer (before)", other, app=STOCK_APP),
        Config(f"{production}, channels_redis core layer", production, layer="redis"),
    ]
    if production == "uvicorn":
        configs[3:3] = [
            Config(
                "uvicorn, per-message deflate on (uvicorn's default; clients offer it as browsers do)",
                "uvicorn",
                extra_args=("--ws-per-message-deflate", "true"),
                deflate=True,
            ),
            Config(
                "uvicorn, --ws websockets (the legacy implementation)", "uvicorn", extra_args=("--ws", "websockets")
            ),
        ]
    probes = Table(
        f"Before/after at {clients * devices * 10:,} offered frames/s ({clients} clients x {devices} devices)", COLUMNS
    )
    reference: Step | None = None
    for config in configs:
        with session(opts, config) as s:
            step = s.step(
                clients=clients,
                per_client=devices,
                rate=10.0,
                devices=devices,
                profile=opts.profile and reference is None,
            )
        reference = reference or step
        _row(probes, config.label, step, reference)
        if step.profile:
            section.notes.append(f"py-spy, {config.label}, own time: " + "; ".join(step.profile))
    section.tables.append(probes)
    section.notes += NOTES
    return section


def _smoke(opts: Options, section: Section) -> Section:
    """One server: a ramp step and a many-clients step; then the stock consumer once."""
    table = Table("smoke: tiny load", COLUMNS)
    with session(opts, Config(opts.asgi_server, opts.asgi_server)) as s:
        _row(table, "ramp step", s.step(clients=4, per_client=2, rate=5.0, devices=2))
    with session(opts, Config("stock", opts.asgi_server, app=STOCK_APP)) as s:
        _row(table, "many clients, stock Channels consumer", s.step(clients=8, per_client=1, rate=5.0, devices=2))
    section.tables.append(table)
    section.goal("fan-out measured (smoke: no goal judged)", None)
    return section


NOTES = [
    "A frame counts as delivered when a client parsed it; loss is counted per client and device from the "
    "frames' sequence ranges. Latency is from the injector's scheduled send (stamped on the frame's newest "
    "reading) to receipt.",
    "CPU vs reference: ASGI CPU per reading delivered, relative to the first row of the table.",
]
