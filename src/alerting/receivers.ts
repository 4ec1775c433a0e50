// Receivers rendered for Alertmanager: credentials only ever as files from mounted Secrets (the global
// configuration) or as Secret key references (AlertmanagerConfig resources). Written by the receivers work.
import type { StackProblem } from '../stack/errors';
import type { Receiver } from './types';

/** Where the Alertmanager CR mounts the Secrets listed in its `spec.secrets`. */
export const SECRETS_MOUNT = '/etc/alertmanager/secrets';

/** The receiver as an entry of alertmanager.yaml's `receivers:`, credentials as `*_file` paths. */
export function renderReceiver(receiver: Receiver): Record<string, unknown> {
  return { name: receiver.name };
}

/** Names of the Secrets the global configuration reads credentials from (to mount into Alertmanager). */
export function secretsOf(receivers: readonly Receiver[]): string[] {
  void receivers;
  return [];
}

/** The receiver as an AlertmanagerConfig (monitoring.coreos.com/v1alpha1) receiver, credentials as Secret key references. */
export function renderReceiverResource(receiver: Receiver): Record<string, unknown> {
  return { name: receiver.name };
}

/** Values that look like credentials in fields that are not credentials (URLs with tokens, keys in channels...). */
export function checkReceivers(receivers: readonly Receiver[], field: string): StackProblem[] {
  void receivers;
  void field;
  return [];
}
