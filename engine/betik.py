"""The script environment for the expressions and scripts in the BPMN files.

Expressions (gateway conditions, task properties, service parameters) and scripts run with a small set of
builtins: no ``import``, no ``open``, no ``eval``. That is a guard against mistakes, not a sandbox (see
SPIFFWORKFLOW-NOTES.md): deploying a process file is a privileged action because its scripts are code.
"""
from __future__ import annotations

import builtins
import json
from typing import Any, Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.errors import MbsHatasi, ServisHatasi

#: the builtins an expression or script may use
IZINLI_ADLAR = (
    "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "isinstance", "len", "list",
    "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
    "True", "False", "None",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in IZINLI_ADLAR}

#: called as handler(context, task, params) and returns a JSON-able value
ServiceHandler = Callable[[Any, Any, dict], Any]


class KisitliOrtam(TaskDataEnvironment):
    """Task data plus the safe builtins; nothing else is in scope."""

    def __init__(self):
        super().__init__({"__builtins__": SAFE_BUILTINS})


class MbsScriptEngine(PythonScriptEngine):
    """Evaluates BPMN expressions in the restricted environment and dispatches service tasks.

    Created anew for each operation (the script engine is not serialised): ``context`` is that
    operation's service context, ``handlers`` the registry of service operations.
    """

    def __init__(self, handlers: dict[str, ServiceHandler] | None = None, context: Any = None):
        super().__init__(environment=KisitliOrtam())
        self.handlers = handlers or {}
        self.context = context

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        # SpiffWorkflow's own call_service turns a handler error into NameError('script'): translate here.
        handler = self.handlers.get(operation_name)
        if handler is None:
            raise ServisHatasi(detay=f"Kayıtlı olmayan servis işlemi: {operation_name} ({task.task_spec.bpmn_id})")
        params = {name: p["value"] for name, p in (operation_params or {}).items()}
        try:
            result = handler(self.context, task, params)
        except MbsHatasi:
            raise
        except Exception as err:  # noqa: BLE001 - any handler failure becomes a task error with its cause
            raise ServisHatasi(detay=f"{operation_name} ({task.task_spec.bpmn_id}): {err!r}") from err
        return json.dumps(result if result is not None else {})
