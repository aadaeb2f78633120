"""Just enough WebSocket (RFC 6455, client side) and MQTT 3.1.1 to measure, without I/O.

The benchmark's clients must cost far less CPU than the servers they measure (both share
two cores), so they skip general-purpose libraries: bytes go in, complete messages come
out, and a whole socket read is parsed in one call. Only what the benchmark needs is
implemented: a client handshake, masked client frames, unmasked server frames with
continuation, and MQTT CONNECT/SUBSCRIBE/PINGREQ out, CONNACK/SUBACK/PUBLISH in.

Exceptions:
    WireError: the peer sent something this module cannot parse (protocol error).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import struct
import zlib
from dataclasses import dataclass, field

from contract.broker import BrokerAddress, parse_mqtt_url

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# What Chromium offers; a server that accepts compresses every message it sends.
DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"
_DEFLATE_TAIL = b"\x00\x00\xff\xff"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

MQTT_CONNACK, MQTT_PUBLISH, MQTT_PUBACK, MQTT_SUBACK, MQTT_PINGRESP = 2, 3, 4, 9, 13


class WireError(ValueError):
    """The peer's bytes break the protocol."""


# --- WebSocket ----------------------------------------------------------------------


def ws_key() -> str:
    """A fresh ``Sec-WebSocket-Key``."""
    return base64.b64encode(os.urandom(16)).decode()


def ws_accept(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` a server must answer to ``key``."""
    return base64.b64encode(hashlib.sha1(key.encode() + WS_GUID).digest()).decode()


def ws_handshake(
    *, host: str, port: int, path: str, key: str, origin: str | None, protocol: str | None, deflate: bool = False
) -> bytes:
    """The client's opening HTTP request; ``deflate`` offers compression as a browser does."""
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    if protocol:
        lines.append(f"Sec-WebSocket-Protocol: {protocol}")
    if deflate:
        lines.append(f"Sec-WebSocket-Extensions: {DEFLATE_OFFER}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True, slots=True)
class HandshakeReply:
    """The server's answer to the opening handshake.

    Attributes:
        accepted: The server switched protocols (HTTP 101).
        status: The HTTP status line.
        deflate: The server accepted ``permessage-deflate``: its messages may be compressed.
        rest: Bytes received after the header (the first frames).
    """

    accepted: bool
    status: str
    deflate: bool
    rest: bytes


def ws_handshake_reply(buffer: bytes, key: str) -> HandshakeReply | None:
    """Parse the server's answer to the handshake; None while the header is incomplete.

    Raises:
        WireError: a 101 answer with a wrong ``Sec-WebSocket-Accept``.
    """
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head, rest = buffer[:end].decode("latin-1"), buffer[end + 4 :]
    status_line = head.split("\r\n", 1)[0]
    status = status_line.split(" ")
    if len(status) < 2 or status[1] != "101":
        return HandshakeReply(accepted=False, status=status_line, deflate=False, rest=rest)
    headers = {}
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("sec-websocket-accept") != ws_accept(key):
        raise WireError("Sec-WebSocket-Accept does not match the key")
    deflate = "permessage-deflate" in headers.get("sec-websocket-extensions", "")
    return HandshakeReply(accepted=True, status=status_line, deflate=deflate, rest=rest)


def ws_frame(payload: bytes, opcode: int = OP_TEXT, *, mask: bytes | None = None) -> bytes:
    """One final, masked client frame (RFC 6455 requires clients to mask)."""
    mask = mask if mask is not None else os.urandom(4)
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    if not payload:
        return head + mask
    # XOR the whole payload at once: integers are far faster than a byte loop.
    repeated = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")
    return head + mask + masked


@dataclass(slots=True)
class WsReader:
    """Splits the server's byte stream into complete messages.

    Attributes:
        max_message: Largest message accepted, in bytes.
        deflate: ``permessage-deflate`` was negotiated: inflate messages flagged RSV1.
    """

    max_message: int = 1 << 24
    deflate: bool = False
    _buffer: bytes = b""
    _parts: list[bytes] | None = None
    _part_opcode: int = 0
    _part_compressed: bool = False
    _inflater: zlib._Decompress = field(default_factory=lambda: zlib.decompressobj(-zlib.MAX_WBITS))

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """Add received bytes; return the complete messages as ``(opcode, payload)``.

        Control frames (close, ping, pong) are returned as they come, also between the
        fragments of a data message.

        Raises:
            WireError: a masked server frame, an oversize message or a stray continuation.
        """
        buffer = self._buffer + data if self._buffer else data
        messages: list[tuple[int, bytes]] = []
        pos, end = 0, len(buffer)
        while end - pos >= 2:
            b0, b1 = buffer[pos], buffer[pos + 1]
            if b1 & 0x80:
                raise WireError("server frames must not be masked")
            length, header = b1 & 0x7F, 2
            if length == 126:
                if end - pos < 4:
                    break
                length, header = struct.unpack_from("!H", buffer, pos + 2)[0], 4
            elif length == 127:
                if end - pos < 10:
                    break
                length, header = struct.unpack_from("!Q", buffer, pos + 2)[0], 10
            if length > self.max_message:
                raise WireError(f"frame of {length} bytes over the {self.max_message} limit")
            if end - pos < header + length:
                break
            payload = buffer[pos + header : pos + header + length]
            pos += header + length
            self._take(b0 & 0x80 != 0, b0 & 0x0F, b0 & 0x40 != 0, payload, messages)
        self._buffer = buffer[pos:]
        return messages

    def _take(self, fin: bool, opcode: int, rsv1: bool, payload: bytes, messages: list[tuple[int, bytes]]) -> None:
        if rsv1 and not self.deflate:
            raise WireError("compressed frame without permessage-deflate")
        if opcode >= OP_CLOSE:
            messages.append((opcode, payload))
        elif opcode == OP_CONT:
            if self._parts is None:
                raise WireError("continuation frame without a message to continue")
            self._parts.append(payload)
            if fin:
                messages.append((self._part_opcode, self._message(b"".join(self._parts), self._part_compressed)))
                self._parts = None
        elif fin:
            messages.append((opcode, self._message(payload, rsv1)))
        else:
            self._parts, self._part_opcode, self._part_compressed = [payload], opcode, rsv1

    def _message(self, payload: bytes, compressed: bool) -> bytes:
        if not compressed:
            return payload
        try:
            return self._inflater.decompress(payload + _DEFLATE_TAIL)
        except zlib.error as exc:
            raise WireError(f"cannot inflate a message: {exc}") from None


# --- MQTT 3.1.1 -----------------------------------------------------------------------


def _remaining_length(length: int) -> bytes:
    out = bytearray()
    while True:
        byte, length = length % 128, length // 128
        out.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(out)


def _utf8(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def mqtt_connect(
    client_id: str, *, keepalive_s: int = 60, username: str | None = None, password: str | None = None
) -> bytes:
    """CONNECT, protocol level 4 (3.1.1), clean session, with the user name and password if given.

    The brokers refuse anonymous clients (``mosquitto/conf.d/access.conf``).
    """
    flags = 0x02 | (0x80 if username is not None else 0) | (0x40 if password is not None else 0)
    body = _utf8("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive_s) + _utf8(client_id)
    if username is not None:
        body += _utf8(username)
    if password is not None:
        body += _utf8(password)
    return bytes([0x10]) + _remaining_length(len(body)) + body


def add_broker_arguments(parser: argparse.ArgumentParser) -> None:
    """``--mqtt-url`` (the broker with its test account, as devstack hands it out) or ``--host``/``--port``."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument(
        "--mqtt-url",
        default=None,
        help="mqtt://user:password@host:port of a throwaway bench broker (wins over --host/--port)",
    )


def broker_of(args: argparse.Namespace) -> BrokerAddress:
    """The broker (and credentials) from :func:`add_broker_arguments`' options.

    Raises:
        SystemExit: neither ``--mqtt-url`` nor ``--port`` was given.
    """
    if args.mqtt_url:
        return parse_mqtt_url(args.mqtt_url)
    if args.port is None:
        raise SystemExit("give --mqtt-url (with the broker's account) or --port")
    return BrokerAddress(args.host, args.port)


def mqtt_subscribe(packet_id: int, filters: list[str], *, qos: int = 0) -> bytes:
    """SUBSCRIBE to ``filters`` at ``qos``."""
    body = struct.pack("!H", packet_id) + b"".join(_utf8(f) + bytes([qos]) for f in filters)
    return bytes([0x82]) + _remaining_length(len(body)) + body


def mqtt_publish(topic: str, payload: bytes, *, packet_id: int = 0) -> bytes:
    """PUBLISH at QoS 1 (``packet_id`` > 0) or QoS 0."""
    head = _utf8(topic) + (struct.pack("!H", packet_id) if packet_id else b"")
    return bytes([0x32 if packet_id else 0x30]) + _remaining_length(len(head) + len(payload)) + head + payload


def mqtt_puback(packet_id: int) -> bytes:
    """PUBACK for a QoS 1 PUBLISH we received."""
    return b"\x40\x02" + struct.pack("!H", packet_id)


def mqtt_packet_id(body: bytes) -> int:
    """The packet id at the start of a PUBACK or SUBACK body."""
    packet_id: int = struct.unpack_from("!H", body, 0)[0]
    return packet_id


def mqtt_publish_id(flags: int, body: bytes) -> int:
    """The packet id of a QoS 1/2 PUBLISH body (0 for QoS 0)."""
    if not (flags >> 1) & 0x03:
        return 0
    topic_length = struct.unpack_from("!H", body, 0)[0]
    packet_id: int = struct.unpack_from("!H", body, 2 + topic_length)[0]
    return packet_id


def mqtt_pingreq() -> bytes:
    """PINGREQ."""
    return b"\xc0\x00"


@dataclass(slots=True)
class MqttReader:
    """Splits an MQTT byte stream into packets ``(type, flags, body)``."""

    _buffer: bytes = b""

    def feed(self, data: bytes) -> list[tuple[int, int, bytes]]:
        """Add received bytes; return the complete packets.

        Raises:
            WireError: a remaining length longer than four bytes.
        """
        buffer = self._buffer + data if self._buffer else data
        packets: list[tuple[int, int, bytes]] = []
        pos, end = 0, len(buffer)
        while end - pos >= 2:
            length, multiplier, i = 0, 1, pos + 1
            while True:
                if i >= end:
                    self._buffer = buffer[pos:]
                    return packets
                byte = buffer[i]
                length += (byte & 0x7F) * multiplier
                i += 1
                if not byte & 0x80:
                    break
                multiplier *= 128
                if multiplier > 128**3:
                    raise WireError("malformed remaining length")
            if end - i < length:
                break
            packets.append((buffer[pos] >> 4, buffer[pos] & 0x0F, buffer[i : i + length]))
            pos = i + length
        self._buffer = buffer[pos:]
        return packets


def mqtt_publish_parts(flags: int, body: bytes) -> tuple[str, bytes]:
    """Topic and payload of a PUBLISH body (3.1.1: no properties)."""
    topic_length = struct.unpack_from("!H", body, 0)[0]
    topic = body[2 : 2 + topic_length].decode()
    start = 2 + topic_length + (2 if (flags >> 1) & 0x03 else 0)
    return topic, body[start:]
