// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { useSelection } from '../hooks/use-selection';
import type { DeviceView } from '../model/devices';
import { DeviceList } from './DeviceList';

const T0 = Date.UTC(2026, 10, 22, 8, 30, 0);

function view(device: string, online: boolean, overrides: Partial<DeviceView> = {}): DeviceView {
  return {
    device,
    online,
    boot: 'b1',
    lastSeen: T0,
    statusTs: T0,
    latest: { seq: 1, ts: T0, rx: T0, values: { temperature: 21.44, humidity: 44, pressure: 1013.25 } },
    pending: 0,
    dropped: 0,
    ...overrides,
  };
}

function Harness({ devices }: { devices: DeviceView[] }) {
  const { selected, toggle } = useSelection();
  return <DeviceList devices={devices} selected={selected} onToggle={toggle} loaded />;
}

afterEach(() => {
  cleanup();
});

describe('DeviceList', () => {
  it('shows every device with its presence for people and for end-to-end tests', () => {
    render(<Harness devices={[view('sim-1', true), view('sim-2', false, { latest: null, lastSeen: null })]} />);
    const first = screen.getByTestId('device-sim-1');
    const second = screen.getByTestId('device-sim-2');
    expect(first.dataset.online).toBe('true');
    expect(second.dataset.online).toBe('false');
    expect(within(first).getByText('online')).toBeTruthy();
    expect(within(second).getByText('offline')).toBeTruthy();
    expect(within(second).getByText('never seen')).toBeTruthy();
  });

  it('shows the latest temperature, humidity and pressure with units', () => {
    render(<Harness devices={[view('sim-1', true)]} />);
    const entry = screen.getByTestId('device-sim-1');
    expect(within(entry).getByTitle('Temperature').textContent).toBe('21.4 °C');
    expect(within(entry).getByTitle('Humidity').textContent).toBe('44.0 %RH');
    expect(within(entry).getByTitle('Pressure').textContent).toBe('1013.3 hPa');
  });

  it('selects and deselects a device on click', () => {
    render(<Harness devices={[view('sim-1', true), view('sim-2', true)]} />);
    const entry = screen.getByRole('button', { name: /sim-2/ });
    expect(entry.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(entry);
    expect(entry.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('device-sim-1').getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(entry);
    expect(entry.getAttribute('aria-pressed')).toBe('false');
  });

  it('says whether the fleet is still loading or empty', () => {
    const { rerender } = render(<DeviceList devices={[]} selected={new Set()} onToggle={() => undefined} loaded={false} />);
    expect(screen.getByText('Loading devices…')).toBeTruthy();
    rerender(<DeviceList devices={[]} selected={new Set()} onToggle={() => undefined} loaded />);
    expect(screen.getByText('No devices yet.')).toBeTruthy();
  });
});
