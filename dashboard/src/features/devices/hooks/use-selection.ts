/** Which devices the user picked in the list; none picked means "show all". */
import { useCallback, useState } from 'react';

/** The selection and a toggle for it. */
export interface Selection {
  readonly selected: ReadonlySet<string>;
  readonly toggle: (device: string) => void;
}

/** Keep a set of selected device ids. */
export function useSelection(): Selection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((device: string) => {
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(device)) {
        next.add(device);
      }
      return next;
    });
  }, []);
  return { selected, toggle };
}
