"""`python -m api_reference [--check]`: write (or check) the OpenAPI document and docs/api.md.

The document goes into the shared layer (odoo_sync/api/openapi.json), from where the docs function
serves it: Lambda packages each function on its own, so it cannot import the others' resolvers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from api_reference import markdown
from api_reference.document import ROOT, build_document

DOCUMENT = ROOT / "layers" / "shared" / "odoo_sync" / "api" / "openapi.json"
REFERENCE = ROOT / "docs" / "api.md"


def generated() -> dict[Path, str]:
    document = build_document()
    return {DOCUMENT: as_json(document), REFERENCE: markdown.render(document)}


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api_reference", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file is not what the code makes")
    args = parser.parse_args(argv)
    stale = []
    for path, text in generated().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.relative_to(ROOT))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale: {', '.join(map(str, stale))}; run `make openapi`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
