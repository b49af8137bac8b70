import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { label } from './format.ts';

const COLOURS = ['#e4572e', '#17bebb', '#4e79a7', '#f6ae2d', '#76b041', '#9c6ade'];

/** A time chart of several series; x in seconds since the epoch. */
export function lineChart(
  target: HTMLElement,
  title: string,
  names: readonly string[],
  data: uPlot.AlignedData,
): uPlot {
  target.replaceChildren();
  const width = Math.max(280, target.clientWidth || 600);
  return new uPlot(
    {
      title,
      width,
      height: 240,
      series: [
        {},
        ...names.map((n, i) => ({
          label: label(n),
          stroke: COLOURS[i % COLOURS.length] ?? '#333',
          width: 1.5,
          spanGaps: false,
        })),
      ],
      axes: [{}, { size: 60 }],
    },
    data,
    target,
  );
}

/** Daily COP as bars. */
export function barChart(
  target: HTMLElement,
  title: string,
  days: number[],
  values: (number | null)[],
): uPlot {
  target.replaceChildren();
  return new uPlot(
    {
      title,
      width: Math.max(280, target.clientWidth || 600),
      height: 200,
      series: [
        {},
        {
          label: 'COP',
          fill: '#17bebb88',
          stroke: '#17bebb',
          paths: uPlot.paths.bars?.({ size: [0.7, 40] }),
        },
      ],
      scales: { y: { range: [0, Math.max(5, ...values.map((v) => v ?? 0)) + 0.5] } },
    },
    [days, values],
    target,
  );
}

/** A small inline chart of recent values. */
export function sparkline(values: readonly number[], width = 120, height = 28): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'spark');
  if (values.length < 2) return svg;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const points = values.map(
    (v, i) =>
      `${((i / (values.length - 1)) * width).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`,
  );
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points.join(' '));
  svg.append(line);
  return svg;
}
