/** One factory per channel type. */
import type { ChannelConfig } from '../config.js';
import type { Sink } from '../types.js';
import type { SinkDeps } from './context.js';
import { createJsonlSink } from './jsonl.js';
import { createOpsGenieSink } from './opsgenie.js';
import { createPagerDutySink } from './pagerduty.js';
import { createSesSink } from './ses.js';
import { createSlackSink } from './slack.js';
import { createSmtpSink } from './smtp.js';
import { createSnsSink } from './sns.js';
import { createStdoutSink } from './stdout.js';
import { createTeamsSink } from './teams.js';
import { createWebhookSink } from './webhook.js';

export type { SinkDeps, AwsClientOptions } from './context.js';

export function createSink(config: ChannelConfig, deps: SinkDeps): Promise<Sink> {
  switch (config.type) {
    case 'slack':
      return createSlackSink(config, deps);
    case 'teams':
      return createTeamsSink(config, deps);
    case 'pagerduty':
      return createPagerDutySink(config, deps);
    case 'opsgenie':
      return createOpsGenieSink(config, deps);
    case 'sns':
      return createSnsSink(config, deps);
    case 'ses':
      return createSesSink(config, deps);
    case 'smtp':
      return createSmtpSink(config, deps);
    case 'webhook':
      return createWebhookSink(config, deps);
    case 'stdout':
      return createStdoutSink(config, deps);
    case 'jsonl':
      return createJsonlSink(config, deps);
  }
}
