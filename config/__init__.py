"""sensebridge's settings: one table, read once per process, every problem reported at once.

Standard library only: the Pi installs it with the edge agent. Modules:

* :mod:`config.table`   THE table: every setting declared once (name, kind, default, readers, doc, flag)
* :mod:`config.kinds`   value kinds: parse text, check range or choices, render, describe
* :mod:`config.setting` :class:`Setting` (one row) and :class:`Process` (who reads it)
* :mod:`config.loader`  :func:`read`: a process's settings from environment and flags, as :class:`Values`
* :mod:`config.errors`  :class:`ConfigError` (the only settings error) and :class:`Problem`
* :mod:`config.render`  ``python -m config.render``: writes ``.env.example`` and ``docs/settings.md``
* :mod:`config.broker`  the broker rows (URL, password file, CA file) as one ``BrokerAddress``

Each process turns :class:`Values` into its own frozen settings object, adding the rules
between its settings (``bridge.config.load``, ``server.config.load``, ``edge.config.load_config``);
a program that embeds a part builds that object directly instead (``BridgeConfig(...)``,
whose defaults come from this table).
"""

from config.errors import ConfigError, Problem
from config.loader import Values, read
from config.setting import Process, Setting
from config.table import SETTINGS, settings_of

__all__ = ["SETTINGS", "ConfigError", "Problem", "Process", "Setting", "Values", "read", "settings_of"]
