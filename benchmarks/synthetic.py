"""A synthetic plan N times the size of the bundled one, for the scale benchmark.

    python benchmarks/synthetic.py N OUT_DIR

Copies the bundled plan, then adds N-1 copies of every portfolio (with its
programmes), every metric and every board paper, each under new ids (``-s2``,
``-s3``...), wired to the same priorities, so the plan still passes ``check``. The
places (ICPs, organisations) are not multiplied: the finance and activity tables
must add up per place, and copying them would test the copy, not lscplan.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")


def generate(factor: int, out: Path) -> Path:
    """Write a plan ``factor`` times the bundled one's size to ``out``."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "plan", out)
    if factor <= 1:
        return out
    suffixes = [f"-s{k}" for k in range(2, factor + 1)]

    priorities = yaml.safe_load((out / "priorities.yaml").read_text(encoding="utf-8"))
    for path in sorted((out / "portfolios").glob("*.yaml")):
        portfolio = yaml.safe_load(path.read_text(encoding="utf-8"))
        for suffix in suffixes:
            copy = dict(portfolio, id=portfolio["id"] + suffix,
                        title=f"{portfolio['title']} ({suffix[2:]})")
            copy["programmes"] = [dict(p, id=p["id"] + suffix)
                                  for p in portfolio.get("programmes", [])]
            _dump(out / "portfolios" / f"{copy['id']}.yaml", copy)
            for priority in priorities["priorities"]:
                if portfolio["id"] in priority.get("portfolios", []):
                    priority["portfolios"].append(copy["id"])
    _dump(out / "priorities.yaml", priorities)

    metrics = yaml.safe_load((out / "metrics.yaml").read_text(encoding="utf-8"))
    originals = list(metrics["metrics"])
    for suffix in suffixes:
        for metric in originals:
            copy = dict(metric, id=metric["id"] + suffix,
                        title=f"{metric['title']} ({suffix[2:]})")
            copy.pop("national_metric", None)
            metrics["metrics"].append(copy)
    _dump(out / "metrics.yaml", metrics)

    for path in sorted((out / "board").glob("*.yaml")):
        paper = yaml.safe_load(path.read_text(encoding="utf-8"))
        for suffix in suffixes:
            _dump(out / "board" / f"{paper['id']}{suffix}.yaml",
                  dict(paper, id=paper["id"] + suffix))
    return out


if __name__ == "__main__":
    print(generate(int(sys.argv[1]), Path(sys.argv[2])))
