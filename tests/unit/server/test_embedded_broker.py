"""The embedded mode's broker is Mosquitto with accounts, never an open one (docs/security.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.embedded.broker import BrokerError, MosquittoBroker, choose_broker


def test_amqtt_is_refused_with_the_command_that_installs_mosquitto(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="apt install mosquitto"):
        choose_broker("amqtt", host="127.0.0.1", port=1883, data_dir=tmp_path, access_dir=tmp_path / "access")


@pytest.mark.parametrize("kind", ["auto", "mosquitto"])
def test_the_broker_is_mosquitto_reading_the_access_files_of_the_data_folder(kind: str, tmp_path: Path) -> None:
    broker = choose_broker(kind, host="0.0.0.0", port=1883, data_dir=tmp_path, access_dir=tmp_path / "access")

    assert isinstance(broker, MosquittoBroker)
    assert broker.access_dir == tmp_path / "access"
    assert broker.protocol == "5"
