"""Settings, read once at the edges (the app, the CLI, the REST service) and passed down.

This is the only module in ``evcore`` that reads the environment. Everything below the edges
takes a ``Settings`` (or the one value it needs) as an argument, so a test or a second service
can run with other settings in the same process.

| variable | setting | default |
|---|---|---|
| ``EVCORE_CHECKPOINTS`` | ``checkpoints``: the model store's folder | ``checkpoints/`` in the project |
| ``EVCORE_LSTM_SETTINGS`` | ``lstm``: JSON of ``LSTMForecaster`` parameters (tests) | ``{}`` |
| ``EVCORE_HOURLY_SETTINGS`` | ``hourly``: JSON of ``HourlyForecaster`` parameters (tests) | ``{}`` |
| ``EVCORE_HOLIDAYS`` | ``holidays``: the daily forecast's holiday country (``ZA``, ``AU-VIC``, ...), ``none``, or ``auto`` (from the stations' coordinates) | ``auto`` |
| ``EVCORE_DEVICE`` | ``device``: ``auto``, ``cpu`` or ``cuda`` | ``auto`` |
| ``EVCORE_WORKSPACE`` | ``workspace``: the saved datasets' folder | ``data/workspace`` in the project |
| ``EVCORE_OCM_URL`` | ``ocm_url``: the Open Charge Map API's base URL | the public v3 API |
| ``OCM_API_KEY`` | ``ocm_api_key``: the Open Charge Map key | none |
| ``EVCORE_API_TOKEN`` | ``api_token``: the REST service's bearer token | none (no token needed) |
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evcore.errors import InputError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OCM_URL = "https://api.openchargemap.io/v3"
DEVICES = ("auto", "cpu", "cuda")


def _project_folder(*parts: str) -> Path:
    """A folder of the project checkout; when evcore runs installed elsewhere, of the working folder."""
    root = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()
    return root.joinpath(*parts)


@dataclass(frozen=True)
class Settings:
    """What can be configured, with its defaults. Frozen and hashable: usable as a cache key."""

    checkpoints: Path = field(default_factory=lambda: _project_folder("checkpoints"))
    lstm: tuple = ()  # (name, value) pairs of LSTMForecaster parameters; see ``lstm_params``
    hourly: tuple = ()  # (name, value) pairs of HourlyForecaster parameters
    device: str = "auto"
    holidays: str = "auto"
    workspace: Path = field(default_factory=lambda: _project_folder("data", "workspace"))
    ocm_url: str = DEFAULT_OCM_URL
    ocm_api_key: str | None = field(default=None, repr=False)
    api_token: str | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.device not in DEVICES:
            raise InputError(f"The device must be one of {', '.join(DEVICES)}; got {self.device!r}.")
        for name in ("lstm", "hourly"):
            pairs = getattr(self, name)
            if isinstance(pairs, Mapping):
                pairs = tuple(sorted(pairs.items()))
            object.__setattr__(self, name, tuple(pairs))
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", str(self.ocm_url)):
            raise InputError("The Open Charge Map URL (EVCORE_OCM_URL) must be an http or https address "
                             "with no spaces, such as https://api.openchargemap.io/v3.")
        object.__setattr__(self, "checkpoints", Path(self.checkpoints))
        object.__setattr__(self, "workspace", Path(self.workspace))

    @property
    def lstm_params(self) -> dict:
        """The LSTM parameters that differ from the model's defaults, as keyword arguments."""
        return dict(self.lstm)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Settings from the environment (``os.environ`` unless given), defaults for the rest."""
        env = os.environ if environ is None else environ
        values = {}
        if env.get("EVCORE_CHECKPOINTS"):
            values["checkpoints"] = Path(env["EVCORE_CHECKPOINTS"])
        if env.get("EVCORE_WORKSPACE"):
            values["workspace"] = Path(env["EVCORE_WORKSPACE"])
        if env.get("EVCORE_OCM_URL"):
            values["ocm_url"] = env["EVCORE_OCM_URL"].rstrip("/")
        for name, variable, what in (("lstm", "EVCORE_LSTM_SETTINGS", "LSTM"),
                                     ("hourly", "EVCORE_HOURLY_SETTINGS", "hourly model")):
            text = env.get(variable, "").strip()
            if not text:
                continue
            try:
                params = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"{variable} is not valid JSON ({exc.msg}).") from None
            if not isinstance(params, dict):
                raise InputError(f"{variable} must be a JSON object of {what} parameters.")
            values[name] = params
        if env.get("EVCORE_HOLIDAYS", "").strip():
            values["holidays"] = env["EVCORE_HOLIDAYS"].strip()
        device = env.get("EVCORE_DEVICE", "").strip().lower()
        if device:
            values["device"] = device
        values["ocm_api_key"] = env.get("OCM_API_KEY") or None
        values["api_token"] = env.get("EVCORE_API_TOKEN") or None
        return cls(**values)
