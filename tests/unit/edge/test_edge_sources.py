"""Hardware sources: channel mapping, and a clear error when the library is missing."""

from __future__ import annotations

import sys
import types

import pytest

from edge.config import SourceKind
from edge.errors import SourceError
from edge.sources import make_source
from edge.sources.sense_hat import SenseApiSource


class FakeSenseHat:
    """Stands in for ``sense_hat.SenseHat`` with fixed readings."""

    def __init__(self) -> None:
        self.imu_config: tuple[bool, bool, bool] | None = None

    def set_imu_config(self, compass: bool, gyro: bool, accel: bool) -> None:
        self.imu_config = (compass, gyro, accel)

    def get_temperature(self) -> float:
        return 24.123456789

    def get_humidity(self) -> float:
        return 41.5

    def get_pressure(self) -> float:
        return 1009.25

    def get_orientation_degrees(self) -> dict[str, float]:
        return {"pitch": 1.5, "roll": 358.0, "yaw": 91.25}

    def get_accelerometer_raw(self) -> dict[str, float]:
        return {"x": 0.01, "y": -0.02, "z": 0.99}

    def get_gyroscope_raw(self) -> dict[str, float]:
        return {"x": 0.001, "y": 0.0, "z": -0.001}

    def get_compass_raw(self) -> dict[str, float]:
        return {"x": 20.5, "y": -3.0, "z": 40.0}


def test_every_channel_comes_from_the_matching_sense_hat_call() -> None:
    sense = FakeSenseHat()
    source = SenseApiSource(sense)

    assert sense.imu_config == (True, True, True)
    assert source.read() == {
        "temperature": 24.1235,
        "humidity": 41.5,
        "pressure": 1009.25,
        "pitch": 1.5,
        "roll": 358.0,
        "yaw": 91.25,
        "accel_x": 0.01,
        "accel_y": -0.02,
        "accel_z": 0.99,
        "gyro_x": 0.001,
        "gyro_y": 0.0,
        "gyro_z": -0.001,
        "mag_x": 20.5,
        "mag_y": -3.0,
        "mag_z": 40.0,
        "compass": 91.25,
    }


@pytest.mark.parametrize(("kind", "module"), [(SourceKind.SENSE_HAT, "sense_hat"), (SourceKind.SENSE_EMU, "sense_emu")])
def test_a_missing_library_is_a_clear_source_error(
    kind: SourceKind, module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail

    with pytest.raises(SourceError, match=f"the '{module}' library is not installed") as caught:
        make_source(kind)

    assert caught.value.source == kind.value
    assert "--source simulator" in str(caught.value)


def test_the_library_is_used_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("sense_emu")
    fake.SenseHat = FakeSenseHat  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sense_emu", fake)

    source = make_source(SourceKind.SENSE_EMU)

    assert source.read()["compass"] == 91.25


def test_a_board_that_cannot_be_opened_is_a_source_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("no I2C bus")

    fake = types.ModuleType("sense_hat")
    fake.SenseHat = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sense_hat", fake)

    with pytest.raises(SourceError, match="cannot open the board: no I2C bus"):
        make_source(SourceKind.SENSE_HAT)
