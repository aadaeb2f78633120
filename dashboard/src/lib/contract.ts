/**
 * The contract as the dashboard imports it: everything of the generated module
 * (`src/generated/contract.ts`, written by `python -m contract.generate` from
 * `contract/spec/`), plus views of the channel table the screens share.
 *
 * No contract type is written by hand in the dashboard: change the definition in
 * `contract/` and regenerate (docs/contract.md, "The contract pipeline").
 */
import { type Channel, CHANNELS } from '@/generated/contract';

export * from '@/generated/contract';

/** Channels of the `environment` group: the three values every fleet card shows. */
export const ENVIRONMENT_CHANNELS: readonly Channel[] = CHANNELS.filter((c) => c.group === 'environment');
