// Time charts with uPlot; each chart also has its numbers as a table for screen readers.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

const COLORS = { good: "#1a7f37", bad: "#c62828", info: "#1f5fbf", muted: "#6b7280" };

export function TimeChart({ title, points, series, yLabel, yRange, format = (v) => v, height = 180 }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || !points) return undefined;
    const xs = points.map((p) => Date.parse(p.start) / 1000);
    const step = xs.length > 1 ? xs[1] - xs[0] : 3600;
    // An empty bar is no bar (not a line along zero); sparse lines show their points.
    const data = [xs, ...series.map((s) => points.map((p) => (s.bars && !s.value(p) ? null : s.value(p))))];
    const width = Math.max(box.current.clientWidth, 240);
    const chart = new uPlot(
      {
        width,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        // Half a bucket of room on each side, so the first and last bars are whole.
        scales: {
          x: { time: true, range: (u, min, max) => [min - step / 2, max + step / 2] },
          y: yRange ? { range: () => yRange } : { range: (u, min, max) => [0, Math.max(1, max) * 1.1] },
        },
        axes: [{ stroke: "#374151" }, { stroke: "#374151", label: yLabel, size: 56 }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: COLORS[s.tone] || COLORS.info,
            fill: s.fill ? `${COLORS[s.tone] || COLORS.info}33` : undefined,
            width: 2,
            spanGaps: s.spanGaps ?? false,
            paths: s.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
            points: s.bars ? { show: false } : { size: 7, width: 2 },
            value: (_, v) => (v === null || v === undefined ? "—" : format(v)),
          })),
        ],
      },
      data,
      box.current,
    );
    const observer = new ResizeObserver(() => {
      if (box.current) chart.setSize({ width: Math.max(box.current.clientWidth, 240), height });
    });
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [points, series, height, yRange]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: chart, numbers in the table below`} />
      <details>
        <summary>{title} as a table</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">From</th>
                {series.map((s) => (
                  <th scope="col">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(points || []).map((p) => (
                <tr>
                  <td>{new Date(p.start).toLocaleString()}</td>
                  {series.map((s) => {
                    const v = s.value(p);
                    return <td>{v === null || v === undefined ? "—" : format(v)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

export const SERIES = {
  // Failed bars drawn over all syncs: the red part of a bar is what failed.
  syncs: [
    { label: "Syncs", tone: "info", bars: true, fill: true, value: (p) => p.total_syncs },
    { label: "Failed", tone: "bad", bars: true, fill: true, value: (p) => p.failed_syncs },
  ],
  rate: [{ label: "Success rate", tone: "info", spanGaps: true, value: (p) => (p.success_rate === null ? null : p.success_rate * 100) }],
  duration: [{ label: "Mean duration", tone: "muted", spanGaps: true, value: (p) => p.avg_duration_ms }],
};

export const RATE_RANGE = [0, 100];
