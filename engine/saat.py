"""The process clock: SpiffWorkflow's timers read the engine's clock during an operation.

SpiffWorkflow 3.2 compares timer due times with ``datetime.now(UTC)`` inside
``SpiffWorkflow.bpmn.specs.event_definitions.timer`` and offers no clock to inject. This module replaces that
module's ``datetime`` name once with a subclass whose ``now()`` returns the instant of the current engine
operation (a context variable, so threads and concurrent operations never see each other's clock); outside an
operation it is the real clock. The engine sets the instant with ``surec_saati(simdi)`` around every run, so
one operation has one "now" for its SQL timestamps and its timers, and a test that gives ``Motor`` a clock it
controls moves the timers with it.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer

#: the timer kinds ``waiting_events()`` reports with a due instant
_ZAMANLAYICI_TURLERI = ("TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition")

_AN: ContextVar[datetime | None] = ContextVar("mbs_surec_saati", default=None)


class SurecSaati(datetime):
    """``datetime`` whose ``now()`` is the current operation's instant (the real clock outside one)."""

    @classmethod
    def now(cls, tz=None):
        an = _AN.get()
        if an is None:
            return datetime.now(tz)
        return an.astimezone(tz) if tz is not None else an.astimezone().replace(tzinfo=None)


def kur() -> None:
    """Point SpiffWorkflow's timer module at the process clock (idempotent)."""
    if _timer.datetime is not SurecSaati:
        _timer.datetime = SurecSaati


@contextlib.contextmanager
def surec_saati(an: datetime) -> Iterator[None]:
    """Within the block, SpiffWorkflow's timers take ``an`` (aware) as now."""
    if an.tzinfo is None:
        raise ValueError("naive datetime; use an aware UTC datetime")
    kur()
    token = _AN.set(an.astimezone(timezone.utc))
    try:
        yield
    finally:
        _AN.reset(token)


def sonraki_zamanlayici(wf) -> datetime | None:
    """The earliest due instant (aware UTC) of the workflow's waiting timers, subprocesses included; None when
    no timer waits. Saved as ``process_instance.next_timer_at`` on every save: the timer runner's index."""
    zamanlar = []
    for olay in wf.waiting_events():
        if olay.event_type in _ZAMANLAYICI_TURLERI and isinstance(olay.value, str):
            an = _timer.TimerEventDefinition.get_datetime(olay.value)
            zamanlar.append(datetime.combine(an.date(), an.time(), timezone.utc))  # a plain datetime
    return min(zamanlar, default=None)


kur()
