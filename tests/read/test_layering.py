"""read/ is the first stage: it imports no later one, and holds the one home of ports and IP protocol numbers."""

from __future__ import annotations

import ast
from pathlib import Path

import ikepcap.read
from ikepcap.read import model

READ = Path(ikepcap.read.__file__).parent
# Below every stage: imports nothing of ikepcap (checked below), so any stage may use it.
UNDER_THE_STAGES = {"ikepcap.marks", "ikepcap.compiled"}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in sorted(READ.glob("*.py"))]


def test_read_imports_no_later_stage():
    later = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            later += [f"{path.name}: {name}" for name in names
                      if name.startswith("ikepcap") and not name.startswith("ikepcap.read")
                      and name not in UNDER_THE_STAGES]
    assert later == []
    for name in UNDER_THE_STAGES:
        path = READ.parent / (name.split(".")[-1] + ".py")
        tree = ast.parse(path.read_text())
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("ikepcap")]


def test_ports_and_protocol_numbers_are_declared_once_in_read_model():
    numbers = {name for name in vars(model) if name.endswith("_PORT") or name.startswith("PROTO_")}
    assert {"IKE_PORT", "NAT_T_PORT", "PROTO_UDP", "PROTO_ESP", "PROTO_ICMP", "PROTO_ICMPV6"} <= numbers
    again = []
    for path, tree in _modules():
        if path.name == "model.py":
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            again += [f"{path.name}: {t.id}" for t in targets if isinstance(t, ast.Name) and t.id in numbers]
    assert again == []
