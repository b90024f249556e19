"""Process versions: safe parsing, checking and deployment of the BPMN files in processes/.

A version is immutable: its files, their SHA-256 and the serialised spec are stored once; instances keep
the version they started on.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import SurecHatasi
from engine.models import ProcessVersion, utcnow

PROCESS_ID = "talep_sureci"
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SPEC_KEYS = ("spec", "subprocess_specs")


def guvenli_xml(metin: str | bytes, dosya: str = "") -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network. A DOCTYPE is refused outright."""
    data = metin.encode("utf-8") if isinstance(metin, str) else metin
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise SurecHatasi(f"{dosya}: XML okunamadı ({err.msg}).") from err
    if root.getroottree().docinfo.doctype:
        raise SurecHatasi(f"{dosya}: DOCTYPE/varlık (entity) tanımı içeren dosyalar kabul edilmez.")
    return root


def dosyalari_oku(klasor: str | Path) -> dict[str, str]:
    """The BPMN and DMN files of a folder, by file name."""
    klasor = Path(klasor)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(klasor.iterdir())
            if p.suffix in (".bpmn", ".dmn")}


def dosyalar_sha256(files: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name].encode("utf-8") + b"\0")
    return h.hexdigest()


def parser_olustur(files: dict[str, str]) -> SpiffBpmnParser:
    """A parser loaded with the files, each parsed safely first and checked against the BPMN schema."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, text in sorted(files.items()):
        root = guvenli_xml(text, name)
        try:
            if name.endswith(".dmn"):
                parser.add_dmn_xml(root, filename=name)
            else:
                parser.add_bpmn_xml(root, filename=name)
        except ValidationException as err:
            raise SurecHatasi(f"{name}: {err}") from err
    return parser


def spec_olustur(files: dict[str, str], process_id: str = PROCESS_ID):
    """(spec, subprocess_specs) of the process in these files."""
    parser = parser_olustur(files)
    try:
        spec, subs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except ValidationException as err:
        raise SurecHatasi(str(err)) from err
    for s in (spec, *subs.values()):
        _coklu_gorevleri_bagla(s)
    return spec, subs


def _coklu_gorevleri_bagla(spec) -> None:
    """Connect each multi-instance task to its child's completion, as SpiffWorkflow's spec deserializer does.

    The parser leaves this to the first ``create_child``; a spec parsed after a restart would then never merge
    a child created before it, and the multi-instance task (a Belediye's part) would never complete."""
    for ts in spec.task_specs.values():
        if isinstance(ts, LoopTask):
            child = spec.task_specs.get(ts.task_spec)
            if child is not None and not child.completed_event.is_connected(ts.merge_child):
                child.completed_event.connect(ts.merge_child)


class _Dosyalar(dict):
    """A version's files that hash and compare by the version's id and SHA-256 only: the cache key is cheap
    (serialising ~90 KB of BPMN text to build the key cost ~2-5 ms on every task completion)."""

    def __init__(self, version: ProcessVersion):
        super().__init__(version.files)
        self.anahtar = (version.id, version.sha256)

    def __hash__(self):
        return hash(self.anahtar)

    def __eq__(self, other):
        return isinstance(other, _Dosyalar) and self.anahtar == other.anahtar


@lru_cache(maxsize=32)
def _spec_cached(files: _Dosyalar, process_id: str):
    return spec_olustur(dict(files), process_id)


def surum_spec(version: ProcessVersion):
    """The parsed spec of a version; versions are immutable (the SHA-256 names their files), so it is cached
    per process by (id, SHA-256)."""
    return _spec_cached(_Dosyalar(version), version.process_id)


#: (version id, SHA-256) -> spec, for surum_spec_kimlikle; bounded like _spec_cached
_KIMLIKLE: dict = {}


def surum_spec_kimlikle(session: Session, version_id: int, sha: str | None = None):
    """The parsed spec of the version with this id, reading only its SHA-256 (or taking ``sha``, read by the
    caller) when the spec is already parsed: a version row carries ~90 KB of BPMN and its serialised spec,
    which every task completion would otherwise fetch and decode again (the SHA-256 keeps two databases'
    version 1 apart)."""
    if sha is None:
        sha = session.scalar(select(ProcessVersion.sha256).where(ProcessVersion.id == version_id))
    spec = _KIMLIKLE.get((version_id, sha))
    if spec is None:
        spec = surum_spec(session.get(ProcessVersion, version_id))
        if len(_KIMLIKLE) >= 32:
            _KIMLIKLE.clear()
        _KIMLIKLE[(version_id, sha)] = spec
    return spec


def surum_yukle(session: Session, files: dict[str, str], deployed_by: str,
                process_id: str = PROCESS_ID) -> ProcessVersion:
    """Deploy the files as the current version of the process; the same files twice give one version."""
    sha = dosyalar_sha256(files)
    version = session.scalars(select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.sha256 == sha)).first()
    if version is None:
        spec, subs = spec_olustur(files, process_id)
        full = SERIALIZER.to_dict(BpmnWorkflow(spec, subs))
        spec_json = json.dumps({k: full[k] for k in SPEC_KEYS})
        version = ProcessVersion(process_id=process_id, sha256=sha, files=files, spec_json=spec_json,
                                 deployed_by=deployed_by, deployed_at=utcnow())
        session.add(version)
        session.flush()
    guncel_yap(session, version)
    return version


def guncel_yap(session: Session, version: ProcessVersion) -> None:
    """Make this version the one new talepler start on (also how a roll-back is done)."""
    session.execute(update(ProcessVersion).where(ProcessVersion.process_id == version.process_id,
                                                 ProcessVersion.id != version.id).values(current=False))
    version.current = True
    session.flush()


def guncel_surum(session: Session, process_id: str = PROCESS_ID) -> ProcessVersion:
    version = session.scalars(select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.current.is_(True))).first()
    if version is None:
        raise SurecHatasi("Yüklü bir süreç sürümü yok; önce 'flask --app webapp surec yukle' çalıştırın.")
    return version


def surecleri_yukle(session: Session, klasor: str | Path, deployed_by: str = "sistem") -> ProcessVersion:
    """Deploy processes/ when its files changed since the current version (idempotent)."""
    return surum_yukle(session, dosyalari_oku(klasor), deployed_by)


def surum_sayisi(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ProcessVersion))
