import type { PromDuration, SecretKeyRef } from '../core/primitives';
// Alertmanager routing as plain values: receivers, the routing tree, inhibit rules, expectations.

/** A label matcher in Alertmanager's syntax: `severity="critical"`, `namespace=~"team-.*"`, `alertname!="Watchdog"`. */
export type Matcher = string;

interface ReceiverBase {
  /** Unique name; routes refer to it. */
  readonly name: string;
  /** Also notify when alerts resolve. @default true (false for email) */
  readonly sendResolved?: boolean;
}

export interface NullReceiver extends ReceiverBase {
  readonly type: 'null';
}

export interface WebhookReceiver extends ReceiverBase {
  readonly type: 'webhook';
  /** The endpoint. Must not carry credentials: use bearerToken or basicAuth. */
  readonly url: string;
  readonly bearerToken?: SecretKeyRef;
  readonly basicAuth?: { readonly username: SecretKeyRef; readonly password: SecretKeyRef };
  /** At most this many alerts per message; 0 means all. @default 0 */
  readonly maxAlerts?: number;
}

export interface SlackReceiver extends ReceiverBase {
  readonly type: 'slack';
  /** The incoming-webhook URL, which is a credential. */
  readonly apiUrl: SecretKeyRef;
  readonly channel: string;
  readonly title?: string;
  readonly text?: string;
}

export interface PagerDutyReceiver extends ReceiverBase {
  readonly type: 'pagerduty';
  /** Events API v2 integration (routing) key. */
  readonly routingKey: SecretKeyRef;
  /** e.g. `{{ .CommonLabels.severity }}` */
  readonly severity?: string;
}

export interface EmailReceiver extends ReceiverBase {
  readonly type: 'email';
  readonly to: string;
  readonly from: string;
  /** `host:port` of the SMTP server. */
  readonly smarthost: string;
  readonly authUsername?: string;
  readonly authPassword?: SecretKeyRef;
  /** @default true */
  readonly requireTls?: boolean;
}

export interface OpsgenieReceiver extends ReceiverBase {
  readonly type: 'opsgenie';
  readonly apiKey: SecretKeyRef;
  /** e.g. `https://api.eu.opsgenie.com/` @default Opsgenie's US API */
  readonly apiUrl?: string;
  readonly priority?: string;
}

export interface TelegramReceiver extends ReceiverBase {
  readonly type: 'telegram';
  readonly botToken: SecretKeyRef;
  readonly chatId: number;
}

export interface DiscordReceiver extends ReceiverBase {
  readonly type: 'discord';
  readonly webhookUrl: SecretKeyRef;
}

export interface MsTeamsReceiver extends ReceiverBase {
  /** Microsoft Teams (Alertmanager 0.26 and later). */
  readonly type: 'msteams';
  readonly webhookUrl: SecretKeyRef;
}

export type Receiver =
  | NullReceiver
  | WebhookReceiver
  | SlackReceiver
  | PagerDutyReceiver
  | EmailReceiver
  | OpsgenieReceiver
  | TelegramReceiver
  | DiscordReceiver
  | MsTeamsReceiver;

export interface Route {
  readonly receiver: string;
  /** All must match. @default [] (matches every alert) */
  readonly matchers?: Matcher[];
  /** Keep looking at the following siblings after this route matched. @default false */
  readonly continue?: boolean;
  /** `['...']` groups by all labels. @default the parent's */
  readonly groupBy?: string[];
  readonly groupWait?: PromDuration;
  readonly groupInterval?: PromDuration;
  readonly repeatInterval?: PromDuration;
  /** Names of time intervals during which this route sends nothing. */
  readonly muteTimeIntervals?: string[];
  /** Names of time intervals outside of which this route sends nothing. */
  readonly activeTimeIntervals?: string[];
  readonly routes?: Route[];
}

export interface InhibitRule {
  readonly sourceMatchers: Matcher[];
  readonly targetMatchers: Matcher[];
  /** Labels that must be equal on source and target. */
  readonly equal: string[];
}

export interface TimeRange {
  /** `HH:MM` */
  readonly startTime: string;
  readonly endTime: string;
}

export interface TimeInterval {
  readonly name: string;
  readonly times?: TimeRange[];
  /** e.g. `monday:friday`, `saturday` */
  readonly weekdays?: string[];
  /** e.g. `1:5`, `-1` */
  readonly daysOfMonth?: string[];
  readonly months?: string[];
  /** IANA name, e.g. `Europe/Berlin`. @default UTC */
  readonly location?: string;
}

/** "An alert with these labels goes to exactly these receivers": checked at synth and with amtool. */
export interface RoutingExpectation {
  readonly labels: Record<string, string>;
  readonly receivers: string[];
}

/** A team's own routing, delivered as an AlertmanagerConfig in its namespace. */
export interface TeamRouting {
  /** The team's namespace: the AlertmanagerConfig and its Secrets live there. */
  readonly namespace: string;
  readonly receivers: Receiver[];
  readonly route: Route;
  readonly inhibitRules?: InhibitRule[];
}
