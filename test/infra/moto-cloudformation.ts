/**
 * A minimal CloudFormation client for moto (the project has no @aws-sdk/client-cloudformation): the Query protocol
 * over fetch, with an Authorization header whose credential scope names the service (moto routes by it and does not
 * check signatures).
 */
export interface CfnStackStatus {
  status: string;
  reason?: string;
  resources: Array<{ logicalId: string; type: string; status: string; physicalId?: string }>;
  outputs: Record<string, string>;
}

export class MotoCloudFormation {
  constructor(
    private readonly endpoint: string,
    private readonly region: string,
  ) {}

  private async call(action: string, params: Record<string, string>): Promise<string> {
    const body = new URLSearchParams({ Action: action, Version: '2010-05-15', ...params });
    const response = await fetch(`${this.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${this.region}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`CloudFormation ${action}: HTTP ${response.status}: ${text.slice(0, 500)}`);
    return text;
  }

  async createStack(name: string, templateBody: string, parameters: Record<string, string> = {}): Promise<void> {
    const params: Record<string, string> = { StackName: name, TemplateBody: templateBody, 'Capabilities.member.1': 'CAPABILITY_NAMED_IAM' };
    Object.entries(parameters).forEach(([key, value], i) => {
      params[`Parameters.member.${i + 1}.ParameterKey`] = key;
      params[`Parameters.member.${i + 1}.ParameterValue`] = value;
    });
    await this.call('CreateStack', params);
  }

  async describe(name: string): Promise<CfnStackStatus> {
    const stack = await this.call('DescribeStacks', { StackName: name });
    const status = /<StackStatus>([^<]+)<\/StackStatus>/.exec(stack)?.[1] ?? 'UNKNOWN';
    const reason = /<StackStatusReason>([^<]*)<\/StackStatusReason>/.exec(stack)?.[1];
    const outputs: Record<string, string> = {};
    for (const m of stack.matchAll(/<member>\s*<OutputKey>([^<]+)<\/OutputKey>\s*<OutputValue>([^<]*)<\/OutputValue>/g)) outputs[m[1]!] = m[2]!;
    const list = await this.call('ListStackResources', { StackName: name });
    const resources = [...list.matchAll(/<member>([\s\S]*?)<\/member>/g)].map((m) => {
      const field = (n: string) => new RegExp(`<${n}>([^<]*)</${n}>`).exec(m[1]!)?.[1];
      return { logicalId: field('LogicalResourceId') ?? '', type: field('ResourceType') ?? '', status: field('ResourceStatus') ?? '', ...(field('PhysicalResourceId') ? { physicalId: field('PhysicalResourceId')! } : {}) };
    });
    return { status, ...(reason ? { reason } : {}), resources, outputs };
  }

  /** Creates the stack and waits until it is no longer in progress (or the timeout passes). */
  async deploy(name: string, templateBody: string, parameters: Record<string, string> = {}, timeoutMs = 30_000): Promise<CfnStackStatus> {
    await this.createStack(name, templateBody, parameters);
    const deadline = Date.now() + timeoutMs;
    let state = await this.describe(name);
    while (state.status.endsWith('_IN_PROGRESS') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      state = await this.describe(name);
    }
    return state;
  }
}
