/**
 * The contract as the dashboard imports it: everything of the generated module
 * (`src/generated/contract.ts`, written by `python -m contract.generate` from
 * `contract/spec/`), plus views of the channel table the screens share.
 *
 * No contract type is written by hand in the dashboard: change the definition in
 * `contract/` and regenerate (docs/contract.md, "The contract pipeline").
 */
import { type Channel, CHANNELS, type CurrentUser } from '@/generated/contract';

export * from '@/generated/contract';

/** Channels of the `environment` group: the three values every fleet card shows. */
export const ENVIRONMENT_CHANNELS: readonly Channel[] = CHANNELS.filter((c) => c.group === 'environment');

/** What a role may do (`read`, `send_command`, ..., `manage_users`): the words of `CurrentUser.actions`. */
export type Action = CurrentUser['actions'][number];

/** A role's name: `viewer`, `operator` or `admin`. Shown to people; what they may do comes from the actions. */
export type Role = CurrentUser['role'];
