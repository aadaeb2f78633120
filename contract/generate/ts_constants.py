"""The constants and the channel table of the generated TypeScript module."""

from __future__ import annotations

from contract import commands
from contract.channels import CHANNELS, GROUPS
from contract.errors import Reason
from contract.generate.ts_literals import literal
from contract.models import BOOT_ID_PATTERN, MAX_SEQ, MAX_TIME_MS, MIN_TIME_MS
from contract.spec import rest, ws
from contract.topics import DEVICE_ID_PATTERN


def _limits() -> list[str]:
    return [
        "// --- constants -----------------------------------------------------------------------",
        "",
        "/** WebSocket protocol version spoken by `/ws/live/` (the server's `hello`). */",
        f"export const PROTOCOL = {ws.PROTOCOL};",
        "/** Most devices one WebSocket message may name. */",
        f"export const MAX_SUBSCRIPTIONS = {ws.MAX_SUBSCRIPTIONS};",
        "/** Largest browser message the server reads, in bytes of UTF-8. */",
        f"export const MAX_CLIENT_MESSAGE_BYTES = {ws.MAX_CLIENT_MESSAGE_BYTES};",
        "/** Largest sequence number, exact in JavaScript numbers. */",
        f"export const MAX_SEQ = {MAX_SEQ};",
        "/** Earliest and latest time of the contract (0001-01-01 and 9999-12-31, epoch ms). */",
        f"export const MIN_TIME_MS = {MIN_TIME_MS};",
        f"export const MAX_TIME_MS = {MAX_TIME_MS};",
        "/** Most readings `GET .../readings` returns (`limit`). */",
        f"export const MAX_READINGS_LIMIT = {rest.MAX_READINGS_LIMIT};",
        "/** Most buckets `GET .../history` returns (`points`). */",
        f"export const MAX_HISTORY_POINTS = {rest.MAX_HISTORY_POINTS};",
        "/** Device ids: also safe in topics, group names, URLs and file names. */",
        f"export const DEVICE_ID_PATTERN = /{DEVICE_ID_PATTERN}/;",
        "/** Boot ids: new on every agent start. */",
        f"export const BOOT_ID_PATTERN = /{BOOT_ID_PATTERN}/;",
        "/** Every rejection reason of `contract/errors.py`. */",
        f"export const REASONS = [{', '.join(literal(r.value) for r in Reason)}] as const;",
        "/** Codes of a WebSocket `error` besides the reasons. */",
        f"export const PROTOCOL_ERROR_CODES = [{', '.join(literal(c) for c in ws.PROTOCOL_ERROR_CODES)}] as const;",
        "/** Close code of a refused `/ws/live/`: no, unknown, expired or used credentials (like HTTP 401). */",
        f"export const WS_CLOSE_NOT_AUTHENTICATED = {ws.WS_CLOSE_NOT_AUTHENTICATED};",
        "/** Close code of a refused `/ws/live/`: the signed-in user's role may not read (like HTTP 403). */",
        f"export const WS_CLOSE_FORBIDDEN = {ws.WS_CLOSE_FORBIDDEN};",
        "/** The close reason texts of a refused `/ws/live/`. */",
        f"export const WS_CLOSE_REASONS = [{', '.join(literal(c) for c in ws.WS_CLOSE_REASONS)}] as const;",
        "/** Why a `/ws/live/` connection was refused (its close reason). */",
        "export type WsCloseReason = (typeof WS_CLOSE_REASONS)[number];",
        "/** Codes of a REST error body. */",
        f"export const REST_ERROR_CODES = [{', '.join(literal(c) for c in rest.ERROR_CODES)}] as const;",
        "",
        *_command_constants(),
    ]


def _command_constants() -> list[str]:
    statuses = ", ".join(literal(s.value) for s in commands.CommandStatus)
    final = ", ".join(literal(s.value) for s in commands.CommandStatus if s in commands.FINAL_STATUSES)
    return [
        "/** What a command may ask a device to do. */",
        f"export const COMMAND_KINDS = [{', '.join(literal(k.value) for k in commands.CommandKind)}] as const;",
        "/** Every status of a command's life (contract/commands.py), in order. */",
        f"export const COMMAND_STATUSES = [{statuses}] as const;",
        "/** A command's status. */",
        "export type CommandStatus = (typeof COMMAND_STATUSES)[number];",
        "/** The statuses a command never leaves. */",
        f"export const FINAL_COMMAND_STATUSES: readonly CommandStatus[] = [{final}];",
        "/** Command ids: opaque, unique (a UUID); a device runs an id at most once. */",
        f"export const COMMAND_ID_PATTERN = /{commands.COMMAND_ID_PATTERN}/;",
        "/** Longest text `show_text` scrolls (printable ASCII). */",
        f"export const MAX_TEXT_LENGTH = {commands.MAX_TEXT_LENGTH};",
        "/** Pixels of the LED matrix, row by row from the top left. */",
        f"export const MATRIX_PIXELS = {commands.MATRIX_PIXELS};",
        "/** Largest value of one colour channel of an [r, g, b] triple. */",
        f"export const COLOR_CHANNEL_MAX = {commands.CHANNEL_MAX};",
        "/** `show_text` scroll step, milliseconds per pixel. */",
        f"export const SCROLL_STEP_MS_MIN = {commands.SCROLL_STEP_MS_MIN};",
        f"export const SCROLL_STEP_MS_MAX = {commands.SCROLL_STEP_MS_MAX};",
        "/** Sample rate a device accepts, readings per second: more than the first, at most the second. */",
        f"export const RATE_HZ_MIN_EXCLUDED = {literal(commands.RATE_HZ_MIN_EXCLUDED)};",
        f"export const RATE_HZ_MAX = {literal(commands.RATE_HZ_MAX)};",
        "",
    ]


def _channel_types() -> list[str]:
    names = ", ".join(literal(c.name) for c in CHANNELS)
    group_names = " | ".join(literal(g.name) for g in GROUPS)
    return [
        "// --- channels ------------------------------------------------------------------------",
        "",
        "/** Every channel name, in contract order. */",
        f"export const CHANNEL_NAMES = [{names}] as const;",
        "/** A channel's wire name: payload key, store column, chart series id. */",
        "export type ChannelName = (typeof CHANNEL_NAMES)[number];",
        "/** A stretch of time, epoch ms (gaps: the device's clock). */",
        "export type TimeRange = readonly [from: number, to: number];",
        "/** A chart group's name. */",
        f"export type ChannelGroupName = {group_names};",
        "",
        "/** Channels drawn together: one sensor, and (except `environment`) one unit. */",
        "export interface ChannelGroup {",
        "  readonly name: ChannelGroupName;",
        "  /** Display title. */",
        "  readonly label: string;",
        "}",
        "",
        "/** The chart groups, in display order. */",
        "export const CHANNEL_GROUPS: readonly ChannelGroup[] = [",
        *(f"  {{ name: {literal(g.name)}, label: {literal(g.label)} }}," for g in GROUPS),
        "];",
        "",
        "/** One measured quantity. */",
        "export interface Channel {",
        "  readonly name: ChannelName;",
        "  /** Display label on its own (a fleet card, a tooltip). */",
        "  readonly label: string;",
        "  /** Display label beside the others of its group (a chart legend). */",
        "  readonly shortLabel: string;",
        "  readonly unit: string;",
        "  /** Smallest accepted value (inclusive). */",
        "  readonly minimum: number;",
        "  /** Largest accepted value (inclusive). */",
        "  readonly maximum: number;",
        "  /** The chart group it is drawn in. */",
        "  readonly group: ChannelGroupName;",
        "  readonly description: string;",
        "}",
        "",
    ]


def _channel_table() -> list[str]:
    lines = ["/** Every channel, in contract order. */", "export const CHANNELS: readonly Channel[] = ["]
    for c in CHANNELS:
        lines += [
            "  {",
            f"    name: {literal(c.name)},",
            f"    label: {literal(c.label)},",
            f"    shortLabel: {literal(c.short_label)},",
            f"    unit: {literal(c.unit)},",
            f"    minimum: {literal(c.minimum)},",
            f"    maximum: {literal(c.maximum)},",
            f"    group: {literal(c.group)},",
            f"    description: {literal(c.description)},",
            "  },",
        ]
    return [
        *lines,
        "];",
        "",
        "const CHANNELS_BY_NAME: ReadonlyMap<string, Channel> = new Map(CHANNELS.map((c) => [c.name, c]));",
        "",
        "/** Whether `name` is a channel of the contract. */",
        "export function isChannelName(name: string): name is ChannelName {",
        "  return CHANNELS_BY_NAME.has(name);",
        "}",
        "",
        "/**",
        " * Look a channel up by its wire name.",
        " *",
        " * @throws Error when `name` is not a channel of the contract (a programming error).",
        " */",
        "export function channel(name: string): Channel {",
        "  const found = CHANNELS_BY_NAME.get(name);",
        "  if (found === undefined) {",
        "    throw new Error(`unknown channel ${JSON.stringify(name)}`);",
        "  }",
        "  return found;",
        "}",
        "",
    ]


def constants() -> list[str]:
    """Constants, reason codes and the channel table, as lines of TypeScript."""
    return _limits() + _channel_types() + _channel_table()
