// Where each receiver sends its notifications: what Alertmanager's egress policy must let it reach. A URL that is a
// Secret (Slack's, Discord's, Teams') is not known at synth, but its service's host and port are.
import type { Receiver } from './types';

export interface ReceiverDestination {
  readonly receiver: string;
  /** A URL or a `host:port` (an email smarthost). */
  readonly address: string;
}

/** The hosts of the integrations whose URL is a credential, or that have a default one (Alertmanager's defaults). */
const SERVICE_HOSTS: Partial<Record<Receiver['type'], string>> = {
  slack: 'https://hooks.slack.com/',
  pagerduty: 'https://events.pagerduty.com/v2/enqueue',
  opsgenie: 'https://api.opsgenie.com/',
  telegram: 'https://api.telegram.org',
  discord: 'https://discord.com/api/webhooks/',
  msteams: 'https://outlook.office.com/webhook/',
};

/** Every address a receiver sends to (none for the null receiver). */
export function receiverDestinations(receiver: Receiver): ReceiverDestination[] {
  const to = (address: string) => [{ receiver: receiver.name, address }];
  switch (receiver.type) {
    case 'null': return [];
    case 'webhook': return to(receiver.url);
    case 'email': return to(receiver.smarthost);
    case 'opsgenie': return to(receiver.apiUrl ?? SERVICE_HOSTS.opsgenie!);
    default: return to(SERVICE_HOSTS[receiver.type]!);
  }
}
