"""`make bench-quick`: 1,000 products pushed and 1,000 partners imported against a simulator with
real Odoo's costs, each beside Odoo's own fastest way in the same run. It ends with two lines:

    push: <r> rec/s, <c> calls/1k, <x>x naive, <b>x odoo batch, <d> ddb/1k
    import: <r> rec/s, <c> calls/1k, <d> ddb/1k, <b>x odoo read

`odoo batch` is Odoo's own one-call create of as many products, `odoo read` one search_read of
the import's domain and fields; `ddb/1k` DynamoDB requests per 1,000 records (every AWS request
is counted: local_stack.meter). `make bench` measures the rest and writes docs/benchmarks.md.
"""

from __future__ import annotations

import argparse

from benchmarks import pull, push
from benchmarks.harness import print_figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.quick", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000)
    args = parser.parse_args(argv)
    pushed = push.run(args.records, worker_memory=False)
    print_figures(pushed)
    imported = pull.run(args.records, memory_page=0)
    print_figures(imported)
    print(pushed.summary())
    print(imported.summary(), flush=True)


if __name__ == "__main__":
    main()
