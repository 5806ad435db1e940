/**
 * The console's plot of data points (`dataPointMessage`: type `data`, data `{key, x, y, t}`):
 * one series per sender and key, drawn by uPlot over `x` or over room time. Points are kept
 * in plain arrays and drawn at most once per animation frame, so thousands of points a second
 * stay smooth. The uPlot instance is `window.__consolePlot` (its `data` is what is drawn).
 *
 * @module
 */

import uPlot from "uplot";
import { isJsonObject, type Json, own } from "wscomsrv-protocol";

/**
 * What the plot is drawn over: the points' `x`, or room time in seconds.
 *
 * @example
 * ```ts
 * const axis: PlotAxis = "time";
 * ```
 */
export type PlotAxis = "x" | "time";

/**
 * The most points kept per series; the oldest tenth goes when a series is full.
 *
 * @example
 * ```ts
 * series.ys.length <= MAX_SERIES_POINTS; // always
 * ```
 */
export const MAX_SERIES_POINTS = 100_000;

/** Series colours, in the order series appear. */
const COLOURS = ["#38c", "#d33", "#2a2", "#d90", "#93c", "#0aa", "#c5a", "#777"];

interface Series {
  label: string;
  xs: number[];
  times: number[];
  ys: number[];
}

declare global {
  interface Window {
    /** The console's uPlot instance, for tests and for the curious (undefined before data). */
    __consolePlot?: uPlot;
  }
}

function finite(value: Json | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Lines the series up on the union of their x values, as uPlot wants: one x column, and per
 * series a column with `null` where it has no point (drawn across, `spanGaps`). A repeated x
 * in one series keeps its last y.
 *
 * @example
 * ```ts
 * align([{ xs: [1, 2], ys: [10, 20] }, { xs: [2, 3], ys: [5, 6] }]);
 * // [[1, 2, 3], [10, 20, null], [null, 5, 6]]
 * ```
 */
export function align(columns: readonly { xs: number[]; ys: number[] }[]): uPlot.AlignedData {
  const all = Float64Array.from(columns.flatMap((column) => column.xs)).sort();
  const xs: number[] = [];
  for (const x of all) if (xs.length === 0 || xs[xs.length - 1] !== x) xs.push(x);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = columns.map(({ xs: own, ys: values }) => {
    const aligned: (number | null)[] = new Array(xs.length).fill(null);
    own.forEach((x, i) => {
      const at = index.get(x);
      if (at !== undefined) aligned[at] = values[i] ?? null;
    });
    return aligned;
  });
  return [xs, ...ys];
}

/**
 * The plot panel.
 *
 * @example
 * ```ts
 * const plot = new PlotPanel(byId("plot", HTMLDivElement), axisSelect, clearButton, countSpan,
 *   (t) => t - (client.time ?? 0));
 * plot.point("Sensor", { key: "temperature", x: 1, y: 21.5, t: 1795667433.6 });
 * ```
 */
export class PlotPanel {
  readonly #container: HTMLElement;
  readonly #count: HTMLElement;
  readonly #roomTime: (t: number | undefined) => number;
  readonly #series = new Map<string, Series>();
  #axis: PlotAxis = "x";
  #plot: uPlot | undefined;
  /** The series and axis the current plot was made for; a change makes a new plot. */
  #layout = "";
  #drawing = false;
  #points = 0;

  /**
   * @param roomTime - A point's room time in seconds from its `t` (undefined when it has none).
   */
  constructor(
    container: HTMLElement,
    axis: HTMLSelectElement,
    clear: HTMLButtonElement,
    count: HTMLElement,
    roomTime: (t: number | undefined) => number,
  ) {
    this.#container = container;
    this.#count = count;
    this.#roomTime = roomTime;
    axis.addEventListener("change", () => {
      this.#axis = axis.value === "time" ? "time" : "x";
      this.#schedule();
    });
    clear.addEventListener("click", () => {
      this.#series.clear();
      this.#points = 0;
      this.#schedule();
    });
    addEventListener("resize", () => this.#plot?.setSize(this.#size()));
  }

  /** Adds a data point from `sender`; a malformed one is left out and `false` returned. */
  point(sender: string, data: Json | undefined): boolean {
    if (!isJsonObject(data)) return false;
    const key = own(data, "key");
    const x = own(data, "x");
    const y = own(data, "y");
    const t = own(data, "t");
    if (typeof key !== "string" || !finite(x) || !finite(y)) return false;
    const id = JSON.stringify([sender, key]);
    let series = this.#series.get(id);
    if (series === undefined) {
      series = { label: `${sender} ${key}`, xs: [], times: [], ys: [] };
      this.#series.set(id, series);
    }
    if (series.ys.length >= MAX_SERIES_POINTS) {
      const cut = MAX_SERIES_POINTS / 10;
      series.xs.splice(0, cut);
      series.times.splice(0, cut);
      series.ys.splice(0, cut);
      this.#points -= cut;
    }
    series.xs.push(x);
    series.times.push(this.#roomTime(finite(t) ? t : undefined));
    series.ys.push(y);
    this.#points += 1;
    this.#schedule();
    return true;
  }

  #schedule(): void {
    if (this.#drawing) return;
    this.#drawing = true;
    requestAnimationFrame(() => {
      this.#drawing = false;
      this.#draw();
    });
  }

  #draw(): void {
    const series = [...this.#series.values()];
    const data = align(
      series.map((each) => ({ xs: this.#axis === "x" ? each.xs : each.times, ys: each.ys })),
    );
    const layout = JSON.stringify([this.#axis, series.map((each) => each.label)]);
    this.#count.textContent = `${this.#points} points, ${series.length} series`;
    if (this.#plot !== undefined && layout === this.#layout) {
      this.#plot.setData(data);
      return;
    }
    this.#plot?.destroy();
    this.#layout = layout;
    const axisLabel = this.#axis === "x" ? "x" : "room time (s)";
    this.#plot = new uPlot(
      {
        ...this.#size(),
        scales: { x: { time: false } },
        axes: [{ label: axisLabel }, {}],
        series: [
          { label: axisLabel },
          ...series.map((each, i) => ({
            label: each.label,
            stroke: COLOURS[i % COLOURS.length] ?? "#38c",
            width: 1.5,
            spanGaps: true,
          })),
        ],
      },
      data,
      this.#container,
    );
    window.__consolePlot = this.#plot;
  }

  #size(): { width: number; height: number } {
    return { width: Math.max(300, this.#container.clientWidth), height: 300 };
  }
}
