/**
 * Secret references in the notification config and the redactor that keeps their values out of
 * every log line, error message, `notify status` output and the store.
 *
 *   ${env:SLACK_WEBHOOK_URL}                 an environment variable
 *   ${ssm:/trailguard/pagerduty-key}         an SSM Parameter Store parameter (decrypted)
 *   ${secretsmanager:trailguard/opsgenie}    a Secrets Manager secret's SecretString
 *   ${secretsmanager:trailguard/smtp#password}   one key of a JSON SecretString
 *
 * References may be embedded in a longer value (`https://example.com/hook/${env:TOKEN}`). They are
 * resolved lazily — when a channel first sends — and cached for the life of the process. Every
 * resolved value (and the whole string it was embedded in) is registered with the process-wide
 * redactor; so are literal values of secret fields (a webhook URL pasted into the file).
 */
import { NotifyConfigError } from './errors.js';
import { secretRedactor, type Redactor } from './redact.js';

export { Redactor, secretRedactor, redact } from './redact.js';

const REFERENCE = /\$\{(env|ssm|secretsmanager):([^}]+)\}/g;

export function hasSecretReference(value: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(value);
}

/** A secret that could not be resolved; `retryable` when the cause may pass (throttling, network). */
export class SecretError extends NotifyConfigError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message, { code: 'secret-unresolved' });
  }
}

export interface SecretBackends {
  env?: NodeJS.ProcessEnv;
  /** Returns the decrypted value of an SSM parameter. */
  ssm?: (name: string) => Promise<string | undefined>;
  /** Returns the SecretString of a Secrets Manager secret. */
  secretsManager?: (secretId: string) => Promise<string | undefined>;
}

export interface AwsSecretClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Default AWS backends: the SDK is loaded only when an ssm/secretsmanager reference is actually resolved. */
export function awsSecretBackends(options: AwsSecretClientOptions = {}): Required<Pick<SecretBackends, 'ssm' | 'secretsManager'>> {
  const config = { ...(options.region ? { region: options.region } : {}), ...(options.endpoint ? { endpoint: options.endpoint } : {}), ...(options.credentials ? { credentials: options.credentials } : {}), maxAttempts: 3 };
  return {
    ssm: async (name) => {
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const client = new SSMClient(config);
      try {
        return (await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value;
      } finally {
        client.destroy();
      }
    },
    secretsManager: async (secretId) => {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient(config);
      try {
        return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
      } finally {
        client.destroy();
      }
    },
  };
}

export class SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly backends: SecretBackends = {},
    private readonly redactor: Redactor = secretRedactor,
  ) {}

  /** Resolves every reference in `value`; the result (and each resolved part) is registered as a secret. */
  async resolve(value: string, options: { secret?: boolean } = {}): Promise<string> {
    const parts: Promise<string>[] = [];
    value.replace(REFERENCE, (_m, kind: string, ref: string) => {
      parts.push(this.resolveOne(kind as 'env' | 'ssm' | 'secretsmanager', ref.trim()));
      return '';
    });
    const resolved = await Promise.all(parts);
    let i = 0;
    const out = value.replace(REFERENCE, () => resolved[i++]!);
    // A literal value of a secret field is as secret as a referenced one.
    if (options.secret || resolved.length > 0) this.redactor.add(out);
    return out;
  }

  private resolveOne(kind: 'env' | 'ssm' | 'secretsmanager', ref: string): Promise<string> {
    const key = `${kind}:${ref}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.fetch(kind, ref).then((v) => {
        this.redactor.add(v);
        return v;
      });
      // A transient failure must not be cached for the life of the process.
      pending.catch(() => this.cache.delete(key));
      this.cache.set(key, pending);
    }
    return pending;
  }

  private async fetch(kind: 'env' | 'ssm' | 'secretsmanager', ref: string): Promise<string> {
    if (kind === 'env') {
      const value = (this.backends.env ?? process.env)[ref];
      if (value === undefined || value === '') throw new SecretError(`secret \${env:${ref}}: environment variable ${ref} is not set`, false);
      return value;
    }
    if (kind === 'ssm') {
      const ssm = this.backends.ssm ?? awsSecretBackends().ssm;
      const value = await this.callAws(`\${ssm:${ref}}`, () => ssm(ref));
      if (value === undefined) throw new SecretError(`secret \${ssm:${ref}}: parameter has no value`, false);
      return value;
    }
    const hash = ref.lastIndexOf('#');
    const secretId = hash >= 0 ? ref.slice(0, hash) : ref;
    const jsonKey = hash >= 0 ? ref.slice(hash + 1) : undefined;
    const sm = this.backends.secretsManager ?? awsSecretBackends().secretsManager;
    const text = await this.callAws(`\${secretsmanager:${ref}}`, () => sm(secretId));
    if (text === undefined) throw new SecretError(`secret \${secretsmanager:${ref}}: secret has no SecretString (binary secrets are not supported)`, false);
    if (jsonKey === undefined) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SecretError(`secret \${secretsmanager:${ref}}: SecretString is not JSON, so it has no key "${jsonKey}"`, false);
    }
    const value = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[jsonKey] : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new SecretError(`secret \${secretsmanager:${ref}}: key "${jsonKey}" is missing or not a string`, false);
    // The whole SecretString is secret too (it holds the other keys).
    this.redactor.add(text);
    return String(value);
  }

  private async callAws(label: string, call: () => Promise<string | undefined>): Promise<string | undefined> {
    try {
      return await call();
    } catch (error) {
      // The one AWS error classification (loaded only now: it is the SDK's). A wrong reference or a refusal stays
      // wrong (not retryable); throttling, a server fault or no answer at all may pass.
      const { classifyAwsError } = await import('../util/aws-errors.js');
      const c = classifyAwsError(error);
      // The AWS error message names the reference, never its value (which we do not have).
      throw new SecretError(`secret ${label}: ${c.code}: ${c.message}`.trimEnd(), c.retryable);
    }
  }
}
