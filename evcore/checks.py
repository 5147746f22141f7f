"""The library's checks of arguments, with one rule each and messages that name the parameter.

A whole number is an int (Python's or NumPy's), never a bool: 2.0, "2", NaN and infinity are not
(one rule for k, min_samples, the horizon, folds and the LSTM's settings; it used to be four).
A failed check raises ``ParameterError``, an ``InputError`` that knows which parameter it is
about, so the command line can say ``--k`` where the library says ``k``."""

from __future__ import annotations

import numpy as np

from evcore.errors import InputError


class ParameterError(InputError):
    """``str()``: "<parameter> <what was wrong>"; ``parameter`` and ``problem`` apart, so that a
    front end can name the parameter its own way (``for_flag``)."""

    def __init__(self, parameter: str, problem: str):
        super().__init__(f"{parameter} {problem}")
        self.parameter, self.problem = parameter, problem

    def for_flag(self, flag: str) -> str:
        return f"{flag} {self.problem}"


def is_whole(value, least: int = 1) -> bool:
    """Whether ``value`` is a whole number (an int, not a bool) of at least ``least``."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= least


def whole_number(value, parameter: str, least: int = 1, most: int | None = None, what: str = "") -> int:
    """``value`` as an int when it is a whole number from ``least`` to ``most`` (no upper bound
    when None); else a ``ParameterError`` naming ``parameter`` (``what``: the unit, e.g. "days")."""
    if not is_whole(value, least) or (most is not None and value > most):
        span = f"from {least} to {most}" if most is not None else f"of at least {least}"
        unit = f" of {what}" if what else ""
        raise ParameterError(parameter, f"must be a whole number{unit} {span}; got {value!r}.")
    return int(value)
