/**
 * The one component that owns an ECharts instance: it creates it when mounted (and
 * again when the color scheme changes), follows its container's size, forwards the
 * chart's events and disposes of it when unmounted. Everything else hands it a plain
 * option object; new options are applied in animation frames, within a time budget
 * shared by all charts ({@link FrameBudget}).
 */
import { type HTMLAttributes, useEffect, useRef } from 'react';

import { type Chart, type ChartOption, type ColorScheme, createChart, joinGroup } from '@/lib/echarts';
import { FrameBudget } from '@/lib/frame-budget';

/** Handlers of chart events by ECharts event name (`datazoom`, ...). */
export type ChartEvents = Readonly<Record<string, (params: unknown) => void>>;

/** Props of {@link EChart}; other attributes (`data-*`, `className`) go to the container. */
export interface EChartProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  /** Full option; a new object is applied with one `setOption` call. */
  readonly option: ChartOption;
  readonly scheme: ColorScheme;
  /** Charts of one group share their tooltip position and zoom. */
  readonly group?: string;
  readonly events?: ChartEvents;
  /** Dragging across the plot selects a range to zoom to (the toolbox's zoom cursor). */
  readonly selectZoom?: boolean;
  /**
   * Names what the x axis shows; when it changes the zoom goes back to the whole axis.
   * (Options never carry the zoom, so live updates do not undo a drag in progress.)
   */
  readonly zoomKey?: string;
}

/**
 * Every chart's `setOption` goes through one queue: about 10 ms of chart work per frame,
 * so a page of charts redrawing together stays responsive on a slow machine.
 */
const updates = new FrameBudget(
  { requestFrame: (callback) => requestAnimationFrame(callback), now: () => performance.now() },
  10,
);

// Series missing from a new option are removed (a band gone at raw resolution), not kept.
const REPLACE = { replaceMerge: ['series'] };

function activateSelectZoom(chart: Chart, active: boolean): void {
  chart.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: active });
}

/** A chart that fills its container (which must have a height, e.g. from CSS). */
export function EChart({ option, scheme, group, events, selectZoom = false, zoomKey, ...attributes }: EChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<Chart | null>(null);
  const latest = useRef(option);
  const applied = useRef<ChartOption | null>(null);
  const handlers = useRef(events);
  const select = useRef(selectZoom);
  const muted = useRef(false);
  const zoomedFor = useRef(zoomKey);

  useEffect(() => {
    handlers.current = events;
  }, [events]);

  useEffect(() => {
    const element = container.current;
    if (element === null) {
      return undefined;
    }
    const instance = createChart(element, scheme);
    chart.current = instance;
    instance.setOption(latest.current, REPLACE);
    applied.current = latest.current;
    activateSelectZoom(instance, select.current);
    for (const name of ['datazoom']) {
      instance.on(name, (params: unknown) => {
        if (!muted.current) {
          handlers.current?.[name]?.(params);
        }
      });
    }
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
      updates.cancel(instance);
      instance.dispose();
      chart.current = null;
      applied.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    if (chart.current !== null && group !== undefined) {
      joinGroup(chart.current, group);
    }
  }, [group, scheme]);

  useEffect(() => {
    select.current = selectZoom;
    if (chart.current !== null) {
      activateSelectZoom(chart.current, selectZoom);
    }
  }, [selectZoom]);

  useEffect(() => {
    latest.current = option;
    const instance = chart.current;
    if (instance !== null && applied.current !== option) {
      updates.schedule(instance, () => {
        if (applied.current !== latest.current && !instance.isDisposed()) {
          instance.setOption(latest.current, REPLACE);
          applied.current = latest.current;
        }
      });
    }
  }, [option]);

  useEffect(() => {
    const instance = chart.current;
    if (instance === null || zoomedFor.current === zoomKey) {
      return;
    }
    zoomedFor.current = zoomKey;
    muted.current = true; // our own reset is not the user's zoom
    try {
      instance.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
    } finally {
      muted.current = false;
    }
  }, [zoomKey]);

  return <div ref={container} {...attributes} />;
}
