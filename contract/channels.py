"""The Sense HAT channels: one flat name per measured quantity, used everywhere.

The same names appear in MQTT payloads, store columns, WebSocket frames and the
dashboard, so a value never changes its name on the way from the Pi to the screen.
Ranges are the sensors' physical limits (with a little headroom); a value outside
them is a broken sensor or a forged message and is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Channel:
    """One measured quantity.

    Attributes:
        name: Wire name (payload key, store column, chart series id).
        unit: Display unit.
        minimum: Smallest accepted value (inclusive).
        maximum: Largest accepted value (inclusive).
        group: Chart group the dashboard draws it in.
        description: What the value is and where it comes from.
    """

    name: str
    unit: str
    minimum: float
    maximum: float
    group: str
    description: str


CHANNELS: tuple[Channel, ...] = (
    Channel("temperature", "°C", -40.0, 125.0, "environment", "Air temperature (HTS221/LPS25H)."),
    Channel("humidity", "%RH", 0.0, 100.0, "environment", "Relative humidity (HTS221)."),
    Channel("pressure", "hPa", 260.0, 1260.0, "environment", "Barometric pressure (LPS25H)."),
    Channel("pitch", "°", 0.0, 360.0, "orientation", "Fused orientation, pitch in degrees."),
    Channel("roll", "°", 0.0, 360.0, "orientation", "Fused orientation, roll in degrees."),
    Channel("yaw", "°", 0.0, 360.0, "orientation", "Fused orientation, yaw in degrees."),
    Channel("accel_x", "g", -16.0, 16.0, "accelerometer", "Raw acceleration along x."),
    Channel("accel_y", "g", -16.0, 16.0, "accelerometer", "Raw acceleration along y."),
    Channel("accel_z", "g", -16.0, 16.0, "accelerometer", "Raw acceleration along z."),
    Channel("gyro_x", "rad/s", -35.0, 35.0, "gyroscope", "Raw angular rate about x."),
    Channel("gyro_y", "rad/s", -35.0, 35.0, "gyroscope", "Raw angular rate about y."),
    Channel("gyro_z", "rad/s", -35.0, 35.0, "gyroscope", "Raw angular rate about z."),
    Channel("mag_x", "µT", -1600.0, 1600.0, "magnetometer", "Raw magnetic field along x."),
    Channel("mag_y", "µT", -1600.0, 1600.0, "magnetometer", "Raw magnetic field along y."),
    Channel("mag_z", "µT", -1600.0, 1600.0, "magnetometer", "Raw magnetic field along z."),
    Channel("compass", "°", 0.0, 360.0, "magnetometer", "Heading to magnetic north in degrees."),
)

CHANNEL_NAMES: tuple[str, ...] = tuple(c.name for c in CHANNELS)
CHANNELS_BY_NAME: dict[str, Channel] = {c.name: c for c in CHANNELS}
