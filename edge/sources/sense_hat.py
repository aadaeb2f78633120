"""The real Sense HAT, through the ``sense_hat`` library (imported only when chosen).

The ``sense_emu`` emulator has the same API, so :class:`SenseApiSource` serves both;
:func:`open_sense_hat` picks the real board.
"""

from __future__ import annotations

import importlib
from typing import Any

from edge.errors import SourceError

# Sensor resolution is far coarser than these digits, so rounding loses nothing and keeps
# payloads small (a full-precision float is 18 characters on the wire).
_DIGITS = 4


class SenseApiSource:
    """Reads every channel from a ``SenseHat`` object of ``sense_hat`` or ``sense_emu``."""

    def __init__(self, sense: Any) -> None:
        """Wrap a ``SenseHat`` instance.

        All three IMU sensors are enabled once here: ``get_compass()`` would switch the
        fusion to the magnetometer alone, so the compass heading is read as the fused yaw,
        which with all sensors enabled is the tilt-compensated magnetic heading.
        """
        self._sense = sense
        self._sense.set_imu_config(True, True, True)

    def read(self) -> dict[str, float]:
        """Sample every channel once."""
        sense = self._sense
        orientation = sense.get_orientation_degrees()
        accel = sense.get_accelerometer_raw()
        gyro = sense.get_gyroscope_raw()
        mag = sense.get_compass_raw()
        values = {
            "temperature": sense.get_temperature(),
            "humidity": sense.get_humidity(),
            "pressure": sense.get_pressure(),
            "pitch": orientation["pitch"],
            "roll": orientation["roll"],
            "yaw": orientation["yaw"],
            "accel_x": accel["x"],
            "accel_y": accel["y"],
            "accel_z": accel["z"],
            "gyro_x": gyro["x"],
            "gyro_y": gyro["y"],
            "gyro_z": gyro["z"],
            "mag_x": mag["x"],
            "mag_y": mag["y"],
            "mag_z": mag["z"],
            "compass": orientation["yaw"],
        }
        return {name: round(float(value), _DIGITS) for name, value in values.items()}


def open_sense_api(module_name: str, source_name: str) -> SenseApiSource:
    """Import ``module_name`` (``sense_hat`` or ``sense_emu``) and open its ``SenseHat``.

    Raises:
        SourceError: the library is not installed or the board cannot be opened.
    """
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SourceError(
            source_name, f"the {module_name!r} library is not installed ({exc}); install it or use --source simulator"
        ) from None
    try:
        sense = module.SenseHat()
    except (OSError, RuntimeError) as exc:
        raise SourceError(source_name, f"cannot open the board: {exc}") from None
    return SenseApiSource(sense)


def open_sense_hat() -> SenseApiSource:
    """The real Sense HAT.

    Raises:
        SourceError: ``sense_hat`` is not installed or the board cannot be opened.
    """
    return open_sense_api("sense_hat", "sense-hat")
