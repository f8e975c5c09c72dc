#!/usr/bin/env python3
"""Checks the module graph against DESIGN §2 ("Package layout"): which project module may import which, and that
the daemon links no test-support or bench tooling. Run by `make test` before the Swift suites; exits non-zero
naming every forbidden edge.

Two sources are checked, because either can drift on its own:
- the `import` lines of every Swift file under Sources/<Module>/ (what the code uses);
- the target dependencies in Package.swift, through `swift package dump-package` (what is linked).
"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# DESIGN §2: what each project module may import. System modules (Foundation, Glibc, Synchronization, Dispatch)
# and third-party packages are not project modules and are not checked here; the C wrappers are.
C_MODULES = {"CModbus", "CMosquitto", "CSystemd", "CClp"}
ALLOWED = {
    "VPPCore": set(),
    "Fleet": {"VPPCore"},
    "StrictYAML": {"VPPCore"},
    "DeviceIO": {"VPPCore", "Fleet", "CModbus", "CMosquitto", "StrictYAML"},
    "Optimizer": {"VPPCore", "CClp"},
    "Market": {"VPPCore", "Optimizer", "StrictYAML"},
    "DispatchControl": {"VPPCore", "Fleet"},
    "Store": {"VPPCore"},
    "Daemon": {"VPPCore", "Fleet", "DeviceIO", "Optimizer", "Market", "DispatchControl", "Store", "CSystemd",
               "StrictYAML"},
    # Test-support and bench tooling: linked by tests, vppsim and vppbench, never by vppd.
    "Simulator": {"VPPCore", "Fleet", "DeviceIO", "CModbus", "StrictYAML"},
    "BenchSupport": {"VPPCore", "Fleet", "DeviceIO", "Optimizer", "Market", "DispatchControl", "Store",
                     "Daemon", "Simulator", "CModbus"},
    # Thin executables.
    "vppd": {"Daemon"},
    "vppctl": {"VPPCore", "Fleet", "DeviceIO", "Market", "Optimizer"},
    "vppsim": {"VPPCore", "Fleet", "DeviceIO", "Simulator"},
    "vppbench": {"VPPCore", "Fleet", "DeviceIO", "Optimizer", "Market", "DispatchControl", "Store", "Daemon",
                 "Simulator", "BenchSupport"},
}
TOOLING = {"Simulator", "BenchSupport"}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_implementationOnly\s+|(?:public|internal|package)\s+)?import\s+"
                    r"(?:struct\s+|class\s+|enum\s+|func\s+|protocol\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def source_edges(problems):
    project = set(ALLOWED) | C_MODULES
    for module_dir in sorted((ROOT / "Sources").iterdir()):
        module = module_dir.name
        if module in C_MODULES or not module_dir.is_dir():
            continue
        if module not in ALLOWED:
            problems.append(f"Sources/{module}: module not in DESIGN §2's table (add it to scripts/check-modules.py)")
            continue
        for f in sorted(module_dir.rglob("*.swift")):
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                m = IMPORT.match(line)
                if not m:
                    continue
                used = m.group(1)
                if used in project and used != module and used not in ALLOWED[module]:
                    problems.append(f"{f.relative_to(ROOT)}:{n}: {module} may not import {used} (DESIGN §2)")


def package_edges(problems):
    try:
        out = subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, check=True, capture_output=True,
                             text=True, timeout=300).stdout
    except (OSError, subprocess.SubprocessError) as e:
        problems.append(f"swift package dump-package failed: {e}")
        return
    targets = {}
    for t in json.loads(out)["targets"]:
        deps = set()
        for d in t.get("dependencies", []):
            for key in ("byName", "target"):
                if key in d:
                    deps.add(d[key][0])
        targets[t["name"]] = (t["type"], deps)
    for name, (kind, deps) in targets.items():
        if kind == "test" or name in C_MODULES:
            continue
        if name not in ALLOWED:
            problems.append(f"Package.swift: target {name} not in DESIGN §2's table")
            continue
        for d in sorted(deps & set(targets)):
            if d != name and d not in ALLOWED[name]:
                problems.append(f"Package.swift: {name} depends on {d} (DESIGN §2)")
    # vppd must link no tooling, directly or through anything it depends on.
    seen, todo = set(), ["vppd"]
    while todo:
        t = todo.pop()
        if t in seen or t not in targets:
            continue
        seen.add(t)
        todo.extend(targets[t][1])
    for t in sorted(seen & TOOLING):
        problems.append(f"Package.swift: vppd links test-support/bench target {t} (DESIGN §2)")


def main():
    problems = []
    source_edges(problems)
    package_edges(problems)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} forbidden module edge(s)", file=sys.stderr)
        return 1
    print("module graph conforms to DESIGN §2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
