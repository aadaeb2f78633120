"""The benchmark clients' WebSocket and MQTT framing: bytes in, messages out, no I/O.

Server frames are built here by hand from RFC 6455 / MQTT 3.1.1, and every parser is fed
the same bytes whole and split at every position, because a socket read can end anywhere.
"""

from __future__ import annotations

import struct
import zlib

import pytest

from bench.wire import (
    MQTT_CONNACK,
    MQTT_PUBACK,
    MQTT_PUBLISH,
    OP_BINARY,
    OP_CLOSE,
    OP_PING,
    OP_TEXT,
    MqttReader,
    WireError,
    WsReader,
    mqtt_connect,
    mqtt_puback,
    mqtt_publish,
    mqtt_publish_id,
    mqtt_publish_parts,
    mqtt_subscribe,
    ws_accept,
    ws_frame,
    ws_handshake,
    ws_handshake_reply,
)


def server_frame(payload: bytes, opcode: int = OP_TEXT, *, fin: bool = True, rsv1: bool = False) -> bytes:
    head = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        return bytes([head, n]) + payload
    if n < 1 << 16:
        return bytes([head, 126]) + struct.pack("!H", n) + payload
    return bytes([head, 127]) + struct.pack("!Q", n) + payload


def feed_split(reader: WsReader | MqttReader, data: bytes, at: int) -> list[object]:
    return [*reader.feed(data[:at]), *reader.feed(data[at:])]


# --- WebSocket handshake -----------------------------------------------------------


def test_accept_key_is_the_rfc_6455_example() -> None:
    assert ws_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_handshake_asks_for_an_upgrade_with_origin_protocol_and_compression() -> None:
    request = ws_handshake(
        host="127.0.0.1", port=8000, path="/ws/live/", key="k", origin="http://x", protocol="mqtt", deflate=True
    ).decode()

    assert request.startswith("GET /ws/live/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n")
    for line in ("Upgrade: websocket", "Sec-WebSocket-Key: k", "Origin: http://x", "Sec-WebSocket-Protocol: mqtt"):
        assert f"\r\n{line}\r\n" in request
    assert "Sec-WebSocket-Extensions: permessage-deflate" in request
    assert request.endswith("\r\n\r\n")


def reply(key: str, *extra: str, status: str = "101 Switching Protocols") -> bytes:
    lines = [f"HTTP/1.1 {status}", "Upgrade: websocket", f"Sec-WebSocket-Accept: {ws_accept(key)}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_handshake_reply_waits_for_the_whole_header_and_keeps_what_follows() -> None:
    data = reply("k") + b"\x81\x02hi"

    assert ws_handshake_reply(data[:20], "k") is None
    answer = ws_handshake_reply(data, "k")
    assert answer is not None
    assert (answer.accepted, answer.deflate, answer.rest) == (True, False, b"\x81\x02hi")


def test_handshake_reply_notices_accepted_compression() -> None:
    answer = ws_handshake_reply(reply("k", "Sec-WebSocket-Extensions: permessage-deflate"), "k")
    assert answer is not None
    assert answer.deflate


def test_refused_handshake_is_not_accepted() -> None:
    answer = ws_handshake_reply(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "k")
    assert answer is not None
    assert (answer.accepted, answer.status) == (False, "HTTP/1.1 403 Forbidden")


def test_handshake_with_a_wrong_accept_key_is_a_protocol_error() -> None:
    with pytest.raises(WireError, match="Accept"):
        ws_handshake_reply(reply("other"), "k")


# --- WebSocket frames --------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
def test_client_frames_are_masked_and_unmask_to_the_payload(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    frame = ws_frame(payload, OP_BINARY, mask=b"\x01\x02\x03\x04")

    assert frame[0] == 0x80 | OP_BINARY
    assert frame[1] & 0x80, "client frames carry the mask bit"
    length = frame[1] & 0x7F
    offset = 2 if length < 126 else 4 if length == 126 else 10
    mask, body = frame[offset : offset + 4], frame[offset + 4 :]
    assert bytes(b ^ mask[i % 4] for i, b in enumerate(body)) == payload


@pytest.mark.parametrize("size", [3, 200, 70_000])
def test_server_messages_come_out_whole_wherever_the_reads_split(size: int) -> None:
    payload = b"x" * size
    data = server_frame(payload) + server_frame(b"second", OP_BINARY)
    for at in sorted({0, 1, 2, 3, 9, len(data) // 2, len(data) - 1}):
        assert feed_split(WsReader(), data, at) == [(OP_TEXT, payload), (OP_BINARY, b"second")]


def test_fragments_are_joined_and_control_frames_pass_between_them() -> None:
    data = (
        server_frame(b"hel", OP_TEXT, fin=False)
        + server_frame(b"", OP_PING)
        + server_frame(b"lo", 0, fin=True)
        + server_frame(b"", OP_CLOSE)
    )
    assert WsReader().feed(data) == [(OP_PING, b""), (OP_TEXT, b"hello"), (OP_CLOSE, b"")]


def test_compressed_messages_are_inflated_with_a_shared_window() -> None:
    deflater = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    frames = b""
    for text in (b'{"type":"frame","seq":[1,5]}', b'{"type":"frame","seq":[6,9]}'):
        body = deflater.compress(text) + deflater.flush(zlib.Z_SYNC_FLUSH)
        frames += server_frame(body[:-4], rsv1=True)  # the sender strips the 00 00 ff ff tail

    assert WsReader(deflate=True).feed(frames) == [
        (OP_TEXT, b'{"type":"frame","seq":[1,5]}'),
        (OP_TEXT, b'{"type":"frame","seq":[6,9]}'),
    ]


@pytest.mark.parametrize(
    ("data", "reader", "error"),
    [
        (b"\x81\x82abcdxy", WsReader(), "masked"),
        (server_frame(b"x" * 10), WsReader(max_message=4), "limit"),
        (server_frame(b"x", 0), WsReader(), "continuation"),
        (server_frame(b"x", rsv1=True), WsReader(), "permessage-deflate"),
    ],
    ids=["masked-server-frame", "oversize", "stray-continuation", "compressed-unannounced"],
)
def test_protocol_errors_are_raised(data: bytes, reader: WsReader, error: str) -> None:
    with pytest.raises(WireError, match=error):
        reader.feed(data)


# --- MQTT 3.1.1 ----------------------------------------------------------------------


def test_connect_is_mqtt_311_with_a_clean_session() -> None:
    packet = mqtt_connect("bench-1", keepalive_s=0)

    assert packet[0] == 0x10
    assert packet[2:8] == b"\x00\x04MQTT"
    assert packet[8:10] == b"\x04\x02"  # protocol level 4, clean session
    assert packet[10:12] == b"\x00\x00"
    assert packet[12:] == b"\x00\x07bench-1"


def test_subscribe_lists_every_filter_at_the_qos() -> None:
    assert mqtt_subscribe(7, ["a/b", "c"], qos=1) == b"\x82\x0c\x00\x07\x00\x03a/b\x01\x00\x01c\x01"


@pytest.mark.parametrize("payload_size", [0, 10, 127, 200, 20_000])
def test_publish_round_trips_through_the_reader_wherever_the_reads_split(payload_size: int) -> None:
    payload = b"p" * payload_size
    data = mqtt_publish("sensebridge/v1/d/reading", payload, packet_id=513) + b"\x20\x02\x00\x00"
    for at in sorted({1, 2, 3, len(data) // 2, len(data) - 1}):
        packets = feed_split(MqttReader(), data, at)
        assert [p[0] for p in packets] == [MQTT_PUBLISH, MQTT_CONNACK]  # type: ignore[index]
        _, flags, body = packets[0]  # type: ignore[misc]
        assert mqtt_publish_parts(flags, body) == ("sensebridge/v1/d/reading", payload)
        assert mqtt_publish_id(flags, body) == 513


def test_qos_0_publish_has_no_packet_id() -> None:
    [(kind, flags, body)] = MqttReader().feed(mqtt_publish("t", b"x"))

    assert (kind, mqtt_publish_id(flags, body), mqtt_publish_parts(flags, body)) == (MQTT_PUBLISH, 0, ("t", b"x"))


def test_puback_names_the_packet() -> None:
    assert MqttReader().feed(mqtt_puback(258)) == [(MQTT_PUBACK, 0, b"\x01\x02")]


def test_a_remaining_length_over_four_bytes_is_a_protocol_error() -> None:
    with pytest.raises(WireError, match="remaining length"):
        MqttReader().feed(b"\x30\xff\xff\xff\xff\x01")
