"""Hypothesis strategies of valid contract values, shared by the property tests."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from contract.channels import CHANNELS
from contract.models import BOOT_ID_PATTERN, MAX_SEQ, MAX_TIME_MS, MIN_TIME_MS, Reading, Status
from contract.topics import DEVICE_ID_PATTERN

# No per-example deadline: two shared cores under load make timings meaningless.
relaxed = settings(deadline=None)

# The whole range a timestamp string can name: 0001-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z.
MIN_TS_MS = MIN_TIME_MS
MAX_TS_MS = MAX_TIME_MS

devices = st.from_regex(DEVICE_ID_PATTERN, fullmatch=True)
boots = st.from_regex(BOOT_ID_PATTERN, fullmatch=True)
seqs = st.integers(min_value=0, max_value=MAX_SEQ)
timestamps = st.integers(min_value=MIN_TS_MS, max_value=MAX_TS_MS)
channel_values = st.one_of(
    *[
        st.tuples(st.just(c.name), st.floats(min_value=c.minimum, max_value=c.maximum, allow_nan=False))
        for c in CHANNELS
    ]
)
value_maps = st.lists(channel_values, min_size=1, max_size=len(CHANNELS), unique_by=lambda kv: kv[0]).map(dict)


@st.composite
def readings(draw: st.DrawFn, device: str | None = None) -> Reading:
    return Reading(
        device=device if device is not None else draw(devices),
        boot=draw(boots),
        seq=draw(seqs),
        ts_ms=draw(timestamps),
        values=draw(value_maps),
        rx_ms=draw(st.integers(min_value=0, max_value=MAX_TS_MS)),
    )


statuses = st.builds(
    Status,
    device=devices,
    online=st.booleans(),
    boot=boots,
    ts_ms=st.none() | timestamps,
    pending=st.none() | seqs,
    dropped=st.none() | seqs,
)
