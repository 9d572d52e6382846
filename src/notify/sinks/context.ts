/** What every sink factory gets besides its own config. */
import type { ContentRenderer } from '../render/content.js';

export interface AwsClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface SinkDeps {
  /** Channel name. */
  name: string;
  /** Resolves ${env:}/${ssm:}/${secretsmanager:} references; `secret: true` registers even a literal value as a secret. */
  resolve(value: string, options?: { secret?: boolean }): Promise<string>;
  renderer: ContentRenderer;
  /** Defaults for AWS-backed sinks (the notifications.aws section, or test overrides). */
  aws: AwsClientOptions;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  now(): number;
}
