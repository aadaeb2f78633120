"""The simulator is deterministic, plausible and always inside the contract."""

from __future__ import annotations

import itertools
import math
import random
import statistics

from contract.channels import CHANNEL_NAMES, CHANNELS_BY_NAME
from contract.codec import decode_reading, encode_reading
from contract.models import Reading
from edge.config import SourceKind
from edge.sources import SimulatedDevice, SimulatorSource, make_source

T0 = 1_800_000_000.0  # 2027-01-15
DAY = 86_400.0


def test_same_seed_device_and_time_give_the_same_readings() -> None:
    times = [T0 + i * 0.02 for i in range(50)] + [T0 + 123_456.789]

    first = [SimulatedDevice(seed=7, index=2).at(t) for t in times]
    random.seed(12345)  # no global generator is involved
    second = [SimulatedDevice(seed=7, index=2).at(t) for t in times]

    assert first == second


def test_sampling_order_does_not_matter() -> None:
    device = SimulatedDevice(seed=1, index=0)
    times = [T0 + i for i in range(20)]

    forward = [device.at(t) for t in times]
    backward = [device.at(t) for t in reversed(times)]

    assert forward == list(reversed(backward))


def test_seeds_and_devices_differ() -> None:
    base = SimulatedDevice(seed=0, index=0).at(T0)

    assert SimulatedDevice(seed=1, index=0).at(T0) != base
    assert SimulatedDevice(seed=0, index=1).at(T0) != base
    temperatures = {SimulatedDevice(seed=0, index=i).at(T0)["temperature"] for i in range(5)}
    assert len(temperatures) == 5


def test_every_channel_is_present() -> None:
    assert set(SimulatedDevice().at(T0)) == set(CHANNEL_NAMES)


def test_values_stay_within_the_contract_over_a_long_period() -> None:
    """A year hour by hour plus an hour at 50 Hz (subsampled), for several devices and seeds.

    Each sample must survive the contract codec unchanged: encoded, decoded, equal.
    """
    year = [T0 + i * 3600.0 + 0.137 * i for i in range(8766)]
    hour_at_50hz = [T0 + 0.02 * i for i in range(0, 180_000, 149)]
    for seed, index in [(0, 0), (1, 1), (2**40, 7), (99, 999)]:
        device = SimulatedDevice(seed=seed, index=index)
        times = year if index < 2 else year[::5]
        for seq, t in enumerate(times + hour_at_50hz):
            values = device.at(t)
            for name, value in values.items():
                channel = CHANNELS_BY_NAME[name]
                assert channel.minimum <= value <= channel.maximum, (name, value, seed, index, t)
            reading = Reading(device="sim-1", boot="b00t", seq=seq, ts_ms=round(t * 1000), values=values)
            assert decode_reading(encode_reading(reading)) == reading


def test_temperature_follows_the_day_and_humidity_moves_against_it() -> None:
    device = SimulatedDevice(seed=3, index=1)
    samples = [device.at(T0 + i * 60.0) for i in range(int(DAY // 60))]
    temperature = [s["temperature"] for s in samples]
    humidity = [s["humidity"] for s in samples]

    assert 2.0 < max(temperature) - min(temperature) < 12.0
    assert statistics.correlation(temperature, humidity) < -0.5
    assert all(5.0 < h < 95.0 for h in humidity)


def test_pressure_wanders_slowly_around_standard_pressure() -> None:
    device = SimulatedDevice(seed=5, index=0)
    week = [device.at(T0 + i * 600.0)["pressure"] for i in range(7 * 144)]
    steps = [abs(b - a) for a, b in itertools.pairwise(week)]

    assert 990.0 < statistics.mean(week) < 1036.0
    assert max(steps) < 2.5  # ten minutes never jump like a broken sensor


def test_the_board_rests_flat_gravity_on_z_and_almost_no_rotation() -> None:
    for i in range(200):
        values = SimulatedDevice(seed=i, index=i).at(T0 + i)
        magnitude = math.sqrt(values["accel_x"] ** 2 + values["accel_y"] ** 2 + values["accel_z"] ** 2)
        assert 0.97 < magnitude < 1.03
        assert values["accel_z"] > 0.98
        assert all(abs(values[axis]) < 0.05 for axis in ("gyro_x", "gyro_y", "gyro_z"))


def test_compass_heading_matches_the_magnetometer_and_the_yaw() -> None:
    for i in range(200):
        values = SimulatedDevice(seed=0, index=i).at(T0 + 17.0 * i)
        from_field = math.degrees(math.atan2(-values["mag_y"], values["mag_x"])) % 360.0
        assert _angle_between(values["compass"], from_field) < 0.02
        assert _angle_between(values["compass"], values["yaw"]) < 5.0


def test_the_source_reads_the_device_at_the_clocks_time() -> None:
    now = [T0]
    source = SimulatorSource(SimulatedDevice(seed=4, index=1), clock=lambda: now[0])

    first = source.read()
    now[0] += 1.0

    assert first == SimulatedDevice(seed=4, index=1).at(T0)
    assert source.read() == SimulatedDevice(seed=4, index=1).at(T0 + 1.0)


def test_make_source_builds_the_simulator_with_seed_and_index() -> None:
    source = make_source(SourceKind.SIMULATOR, seed=9, index=3, clock=lambda: T0)

    assert source.read() == SimulatedDevice(seed=9, index=3).at(T0)


def _angle_between(a: float, b: float) -> float:
    difference = abs(a - b) % 360.0
    return min(difference, 360.0 - difference)
