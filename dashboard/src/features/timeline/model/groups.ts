/**
 * How the device view groups the 16 Sense HAT channels into charts: one chart per
 * quantity and unit, so every axis carries one unit.
 *
 * The charts are the contract's channel groups (`contract/channels.py`, one definition):
 * a group whose channels share a unit is one chart; the environment group mixes units
 * (and scales differing by orders of magnitude), so each of its channels gets a chart.
 * The contract puts the compass heading with pitch, roll and yaw: all four are angles
 * in degrees, and yaw and heading move together.
 */
import { type Channel, CHANNEL_GROUPS, CHANNELS } from '@/lib/contract';

/** One chart of the device view. */
export interface ChartGroup {
  /** Stable id: test hooks and React keys. */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly channels: readonly Channel[];
  /** Short series names for the legend and tooltip, by channel name. */
  readonly names: Readonly<Record<string, string>>;
}

function chart(id: string, title: string, channels: readonly Channel[]): ChartGroup {
  const unit = channels[0]?.unit ?? '';
  if (channels.some((c) => c.unit !== unit)) {
    throw new Error(`chart ${id} mixes units`);
  }
  return { id, title, unit, channels, names: Object.fromEntries(channels.map((c) => [c.name, c.shortLabel])) };
}

/** The charts of the device view, in the contract's order of groups and channels. */
export const CHART_GROUPS: readonly ChartGroup[] = CHANNEL_GROUPS.flatMap((group) => {
  const members = CHANNELS.filter((c) => c.group === group.name);
  const oneUnit = members.every((c) => c.unit === members[0]?.unit);
  return oneUnit ? [chart(group.name, group.label, members)] : members.map((c) => chart(c.name, c.label, [c]));
});

/** Every channel the device view asks history for. */
export const DEVICE_CHANNELS: readonly string[] = CHART_GROUPS.flatMap((g) => g.channels.map((c) => c.name));
