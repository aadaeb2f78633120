/**
 * The one component that owns an ECharts instance: it creates it when mounted (and
 * again when the color scheme changes), follows its container's size and disposes of
 * it when unmounted. Everything else hands it a plain option object.
 */
import { type HTMLAttributes, useEffect, useRef } from 'react';

import { type Chart, type ChartOption, type ColorScheme, createChart } from '@/lib/echarts';

/** Props of {@link EChart}; other attributes (`data-*`, `className`) go to the container. */
export interface EChartProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  /** Full option; a new object is applied with one `setOption` call. */
  readonly option: ChartOption;
  readonly scheme: ColorScheme;
}

/** A chart that fills its container (which must have a height, e.g. from CSS). */
export function EChart({ option, scheme, ...attributes }: EChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<Chart | null>(null);
  const latest = useRef(option);
  const applied = useRef<ChartOption | null>(null);

  useEffect(() => {
    const element = container.current;
    if (element === null) {
      return undefined;
    }
    const instance = createChart(element, scheme);
    chart.current = instance;
    instance.setOption(latest.current);
    applied.current = latest.current;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      if (frame === 0) {
        frame = requestAnimationFrame(() => {
          frame = 0;
          instance.resize();
        });
      }
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      instance.dispose();
      chart.current = null;
      applied.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    latest.current = option;
    if (chart.current !== null && applied.current !== option) {
      chart.current.setOption(option);
      applied.current = option;
    }
  }, [option]);

  return <div ref={container} {...attributes} />;
}
