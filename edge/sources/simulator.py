"""A simulated Sense HAT: plausible, deterministic readings for demos and tests.

:class:`SimulatedDevice` is pure: :meth:`SimulatedDevice.at` maps a time (seconds since
the epoch) to readings, and the same seed, device index and time always give the same
values. Randomness comes from a counter-based hash (SplitMix64) of ``(seed, device,
channel, time step)``, never from a global generator, so devices can be sampled in any
order, from any thread, and a test can ask for "a year later" without simulating the
year in between.

The model, per device (each device gets its own offsets from the seed):

* temperature: base 18-24 °C, diurnal swing peaking 15:00 UTC, slow drift, sensor noise;
* humidity: anti-correlated with the temperature's departure from its base;
* pressure: around 1013 hPa with smooth multi-hour "weather" drift;
* orientation: a fixed small tilt and heading with small jitter;
* accelerometer: gravity (1 g) rotated by pitch and roll, with noise;
* gyroscope: small noise around zero (the board is at rest);
* magnetometer: a horizontal field along the heading plus a vertical component, and a
  compass heading computed from the published field, so the two agree.

Every value is rounded to a sensible resolution and clamped to its contract range.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from contract.channels import CHANNELS_BY_NAME

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_DAY_S = 86400.0
_PEAK_HOUR = 15.0


def _splitmix(x: int) -> int:
    x = (x + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _hash(*parts: int) -> int:
    x = 0
    for part in parts:
        x = _splitmix(x ^ (part & _MASK))
    return x


def _unit(*parts: int) -> float:
    """Uniform in [0, 1)."""
    return (_hash(*parts) >> 11) * 2.0**-53


def _signed(*parts: int) -> float:
    """Uniform in [-1, 1)."""
    return 2.0 * _unit(*parts) - 1.0


def _gauss(*parts: int) -> float:
    """Standard normal (Box-Muller on the two 32-bit halves of one hash)."""
    h = _hash(*parts)
    u1 = ((h >> 32) + 1) * 2.0**-32  # (0, 1]: log() stays finite
    u2 = (h & 0xFFFFFFFF) * 2.0**-32
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _smooth(key: int, t: float, period: float) -> float:
    """Smooth value noise in [-1, 1]: random knots every ``period`` seconds, eased between."""
    position = t / period
    knot = math.floor(position)
    frac = position - knot
    ease = frac * frac * (3.0 - 2.0 * frac)
    a = _signed(key, knot)
    b = _signed(key, knot + 1)
    return a + (b - a) * ease


def _clamp(name: str, value: float) -> float:
    channel = CHANNELS_BY_NAME[name]
    return min(max(value, channel.minimum), channel.maximum)


def _angle(degrees: float) -> float:
    wrapped = degrees % 360.0
    # A tiny negative angle wraps to exactly 360.0 in floating point; 0 is the same angle.
    return 0.0 if wrapped >= 360.0 else wrapped


_CHANNEL_KEY = {name: index + 1 for index, name in enumerate(CHANNELS_BY_NAME)}
# Per-device constants (offsets, tilt, heading, field strength), each drawn once from the seed.
_PARAM_KEY = {
    name: 0x1000 + index
    for index, name in enumerate(
        ("temperature", "swing", "humidity", "pressure", "pitch", "roll", "heading", "horizontal", "vertical")
    )
}
_DIGITS = {
    "temperature": 2,
    "humidity": 2,
    "pressure": 2,
    "pitch": 2,
    "roll": 2,
    "yaw": 2,
    "compass": 2,
    "accel_x": 4,
    "accel_y": 4,
    "accel_z": 4,
    "gyro_x": 5,
    "gyro_y": 5,
    "gyro_z": 5,
    "mag_x": 2,
    "mag_y": 2,
    "mag_z": 2,
}


@dataclass(frozen=True, slots=True)
class SimulatedDevice:
    """The simulated sensors of one device.

    Attributes:
        seed: Simulation seed shared by all devices of a run.
        index: Device index (0, 1, ...); devices with different indexes differ.
    """

    seed: int = 0
    index: int = 0
    _keys: dict[tuple[str, int], int] = field(init=False, repr=False, compare=False)
    _params: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived once: hashing them on every sample would double its cost.
        keys = {
            (name, variant): _hash(self.seed, self.index, key, variant)
            for name, key in _CHANNEL_KEY.items()
            for variant in (1, 2, 3, 7)
        }
        params = {name: _signed(self.seed, self.index, key) for name, key in _PARAM_KEY.items()}
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_params", params)

    def _key(self, name: str, variant: int) -> int:
        return self._keys[name, variant]

    def _param(self, name: str) -> float:
        return self._params[name]

    def at(self, t: float) -> dict[str, float]:
        """Readings of every channel at ``t`` seconds since the Unix epoch (UTC)."""
        step = round(t * 1000.0)

        def noise(name: str) -> float:
            return _gauss(self._key(name, 7), step)

        temp_base = 21.0 + 3.0 * self._param("temperature")
        swing = 2.75 + 0.75 * self._param("swing")
        hour = (t % _DAY_S) / 3600.0
        temperature = (
            temp_base
            + swing * math.cos(2.0 * math.pi * (hour - _PEAK_HOUR) / 24.0)
            + 0.8 * _smooth(self._key("temperature", 1), t, 1800.0)
            + 0.2 * _smooth(self._key("temperature", 2), t, 240.0)
            + 0.03 * noise("temperature")
        )
        humidity = (
            45.0
            + 10.0 * self._param("humidity")
            - 2.5 * (temperature - temp_base)
            + 3.0 * _smooth(self._key("humidity", 1), t, 5400.0)
            + 0.15 * noise("humidity")
        )
        pressure = (
            1013.0
            + 6.0 * self._param("pressure")
            + 8.0 * _smooth(self._key("pressure", 1), t, 8 * 3600.0)
            + 2.0 * _smooth(self._key("pressure", 2), t, 3600.0)
            + 0.3 * _smooth(self._key("pressure", 3), t, 600.0)
            + 0.02 * noise("pressure")
        )
        pitch = 3.0 * self._param("pitch") + 0.2 * _smooth(self._key("pitch", 1), t, 20.0) + 0.05 * noise("pitch")
        roll = 3.0 * self._param("roll") + 0.2 * _smooth(self._key("roll", 1), t, 20.0) + 0.05 * noise("roll")
        heading = 180.0 + 180.0 * self._param("heading") + 1.0 * _smooth(self._key("yaw", 1), t, 120.0)
        yaw = heading + 0.1 * noise("yaw")

        p, r = math.radians(pitch), math.radians(roll)
        accel_x = -math.sin(p) + 0.004 * noise("accel_x")
        accel_y = math.sin(r) * math.cos(p) + 0.004 * noise("accel_y")
        accel_z = math.cos(r) * math.cos(p) + 0.004 * noise("accel_z")

        horizontal = 22.0 + 4.0 * self._param("horizontal")
        vertical = 42.0 + 6.0 * self._param("vertical")
        h = math.radians(heading)
        mag_x = round(horizontal * math.cos(h) + 0.3 * noise("mag_x"), _DIGITS["mag_x"])
        mag_y = round(-horizontal * math.sin(h) + 0.3 * noise("mag_y"), _DIGITS["mag_y"])
        mag_z = vertical + 0.3 * noise("mag_z")
        compass = math.degrees(math.atan2(-mag_y, mag_x))

        raw = {
            "temperature": temperature,
            "humidity": humidity,
            "pressure": pressure,
            "pitch": _angle(pitch),
            "roll": _angle(roll),
            "yaw": _angle(yaw),
            "accel_x": accel_x,
            "accel_y": accel_y,
            "accel_z": accel_z,
            "gyro_x": 0.002 * noise("gyro_x"),
            "gyro_y": 0.002 * noise("gyro_y"),
            "gyro_z": 0.002 * noise("gyro_z"),
            "mag_x": mag_x,
            "mag_y": mag_y,
            "mag_z": mag_z,
            "compass": _angle(compass),
        }
        return {name: _clamp(name, round(value, _DIGITS[name])) for name, value in raw.items()}


class SimulatorSource:
    """A :class:`~edge.sources.base.Source` reading a :class:`SimulatedDevice` at the clock's time."""

    def __init__(self, device: SimulatedDevice, clock: Callable[[], float] = time.time) -> None:
        """Create a source.

        Args:
            device: The simulated sensors.
            clock: Seconds since the epoch; injectable for tests.
        """
        self.device = device
        self._clock = clock

    def read(self) -> dict[str, float]:
        """Readings at the clock's current time."""
        return self.device.at(self._clock())
