#!/usr/bin/env python3
"""Keep the five action.yml files, their READMEs and docs/monitor.md in step.

Every input and output an action.yml declares must be in the contract tables
of docs/monitor.md (which the code reads) and in that action's README table;
every action runs the same image with its own directory name as the argument.
Prints one line per problem and exits 1 if there is any.
"""
import pathlib
import re
import sys

import yaml

root = pathlib.Path(__file__).resolve().parents[2]
contract = (root / "docs/monitor.md").read_text()
# The inputs table comes first, then the one after the "Outputs" line.
inputs_part, _, outputs_part = contract.partition("\nOutputs")
row = re.compile(r"^\| `([a-z_-]+)` \|", re.M)
documented = {"inputs": set(row.findall(inputs_part)), "outputs": set(row.findall(outputs_part))}
problems, images = [], set()

for path in sorted(root.glob("actions/*/action.yml")):
    name = path.parent.name
    action = yaml.safe_load(path.read_text())
    readme = (path.parent / "README.md").read_text() if (path.parent / "README.md").exists() else ""
    runs = action.get("runs", {})
    images.add(runs.get("image"))
    if runs.get("using") != "docker" or runs.get("args") != [name]:
        problems.append(f"{path}: runs must be `using: docker` with `args: [{name}]`")
    for kind in ("inputs", "outputs"):
        for key in action.get(kind) or {}:
            if key not in documented[kind]:
                problems.append(f"{path}: {kind[:-1]} `{key}` is not in docs/monitor.md")
            if f"| `{key}` |" not in readme:
                problems.append(f"{path.parent}/README.md: {kind[:-1]} `{key}` is missing")

if len(images) != 1:
    problems.append(f"actions use different images: {sorted(map(str, images))}")
for p in problems:
    print(f"check_actions: {p}")
print(f"check_actions: {len(list(root.glob('actions/*/action.yml')))} actions, "
      f"{'ok' if not problems else f'{len(problems)} problem(s)'}")
sys.exit(1 if problems else 0)
