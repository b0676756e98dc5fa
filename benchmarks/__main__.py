"""`make bench`: every benchmark, with the figures they print."""

from __future__ import annotations

from benchmarks import push


def main() -> None:
    for records, latency in ((1_000, 0.0), (1_000, 20.0), (10_000, 20.0)):
        print(f"== push {records} products, {latency:g} ms per Odoo call")
        push.main(["--records", str(records), "--latency-ms", str(latency)])


if __name__ == "__main__":
    main()
