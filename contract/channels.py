"""The Sense HAT channels: one flat name per measured quantity, used everywhere.

The same names appear in MQTT payloads, store columns, WebSocket frames and the
dashboard, so a value never changes its name on the way from the Pi to the screen.
Ranges are the sensors' physical limits (with a little headroom); a value outside
them is a broken sensor or a forged message and is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChannelGroup:
    """Channels drawn together: same sensor, and (except ``environment``) the same unit.

    Attributes:
        name: Group id (chart id in the dashboard).
        label: Display title.
    """

    name: str
    label: str


GROUPS: tuple[ChannelGroup, ...] = (
    ChannelGroup("environment", "Environment"),
    ChannelGroup("orientation", "Orientation"),
    ChannelGroup("accelerometer", "Acceleration"),
    ChannelGroup("gyroscope", "Angular rate"),
    ChannelGroup("magnetometer", "Magnetic field"),
)


@dataclass(frozen=True, slots=True)
class Channel:
    """One measured quantity.

    Attributes:
        name: Wire name (payload key, store column, chart series id).
        unit: Display unit.
        minimum: Smallest accepted value (inclusive).
        maximum: Largest accepted value (inclusive).
        group: Name of the :class:`ChannelGroup` the dashboard draws it in.
        label: Display label on its own (a fleet card, a tooltip).
        short_label: Display label beside the others of its group (a chart legend).
        description: What the value is and where it comes from.
    """

    name: str
    unit: str
    minimum: float
    maximum: float
    group: str
    label: str
    short_label: str
    description: str


# The compass heading is drawn with pitch, roll and yaw: all four are angles in degrees,
# and yaw and heading move together (the magnetometer group is in µT).
CHANNELS: tuple[Channel, ...] = (
    Channel(
        "temperature",
        "°C",
        -40.0,
        125.0,
        "environment",
        "Temperature",
        "Temperature",
        "Air temperature (HTS221/LPS25H).",
    ),
    Channel("humidity", "%RH", 0.0, 100.0, "environment", "Humidity", "Humidity", "Relative humidity (HTS221)."),
    Channel("pressure", "hPa", 260.0, 1260.0, "environment", "Pressure", "Pressure", "Barometric pressure (LPS25H)."),
    Channel("pitch", "°", 0.0, 360.0, "orientation", "Pitch", "Pitch", "Fused orientation, pitch in degrees."),
    Channel("roll", "°", 0.0, 360.0, "orientation", "Roll", "Roll", "Fused orientation, roll in degrees."),
    Channel("yaw", "°", 0.0, 360.0, "orientation", "Yaw", "Yaw", "Fused orientation, yaw in degrees."),
    Channel("accel_x", "g", -16.0, 16.0, "accelerometer", "Acceleration x", "x", "Raw acceleration along x."),
    Channel("accel_y", "g", -16.0, 16.0, "accelerometer", "Acceleration y", "y", "Raw acceleration along y."),
    Channel("accel_z", "g", -16.0, 16.0, "accelerometer", "Acceleration z", "z", "Raw acceleration along z."),
    Channel("gyro_x", "rad/s", -35.0, 35.0, "gyroscope", "Angular rate x", "x", "Raw angular rate about x."),
    Channel("gyro_y", "rad/s", -35.0, 35.0, "gyroscope", "Angular rate y", "y", "Raw angular rate about y."),
    Channel("gyro_z", "rad/s", -35.0, 35.0, "gyroscope", "Angular rate z", "z", "Raw angular rate about z."),
    Channel("mag_x", "µT", -1600.0, 1600.0, "magnetometer", "Magnetic field x", "x", "Raw magnetic field along x."),
    Channel("mag_y", "µT", -1600.0, 1600.0, "magnetometer", "Magnetic field y", "y", "Raw magnetic field along y."),
    Channel("mag_z", "µT", -1600.0, 1600.0, "magnetometer", "Magnetic field z", "z", "Raw magnetic field along z."),
    Channel("compass", "°", 0.0, 360.0, "orientation", "Compass", "Compass", "Heading to magnetic north in degrees."),
)

CHANNEL_NAMES: tuple[str, ...] = tuple(c.name for c in CHANNELS)
CHANNELS_BY_NAME: dict[str, Channel] = {c.name: c for c in CHANNELS}
GROUPS_BY_NAME: dict[str, ChannelGroup] = {g.name: g for g in GROUPS}
