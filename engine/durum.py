"""An instance's state without its spec: saved per instance, joined to its version's spec when loaded.

SpiffWorkflow's serializer embeds the spec in every workflow dict; for a talep that is most of the bytes
and of the time. The spec is immutable per version, so it is parsed once per process and shared, and only
the tasks, data and subprocesses are converted here (the same converter code, minus the spec).
"""
from __future__ import annotations

import json
import zlib
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter

from engine.surecler import SERIALIZER


class _DurumConverter(BpmnWorkflowConverter):
    def durum_to_dict(self, wf: BpmnWorkflow) -> dict:
        dct = WorkflowConverter.to_dict(self, wf)
        dct["subprocesses"] = self.mapping_to_dict(wf.subprocesses)
        dct["bpmn_events"] = self.registry.convert(wf.bpmn_events)
        return dct

    def durum_from_dict(self, dct: dict, spec, subprocess_specs) -> BpmnWorkflow:
        wf = self.target_class(spec, subprocess_specs, deserializing=True)
        wf.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=wf)
        wf.task_tree = wf.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(wf, dct)
        self.subprocesses_from_dict(dct["subprocesses"], wf)
        wf.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return wf


_CONVERTER = _DurumConverter(BpmnWorkflow, SERIALIZER.registry)
#: bumped when the saved shape changes; a state of another format is refused, not misread
FORMAT = f"mbs-1/{SERIALIZER.VERSION}"


def durum_kodla(wf: BpmnWorkflow) -> bytes:
    """zlib-compressed JSON of the workflow without its spec."""
    dct = _CONVERTER.durum_to_dict(wf)
    dct["format"] = FORMAT
    return zlib.compress(json.dumps(dct, separators=(",", ":")).encode("utf-8"), 6)


def durum_coz(state: bytes, spec, subprocess_specs) -> BpmnWorkflow:
    """The workflow saved by ``durum_kodla``, joined to its version's (shared) spec."""
    dct = json.loads(zlib.decompress(state))
    if dct.pop("format", None) != FORMAT:
        raise ValueError("unknown instance state format")
    return _CONVERTER.durum_from_dict(dct, spec, subprocess_specs)
