/**
 * A plan's calls against something that is not the service: a proxy or load balancer answering with an HTML error
 * page. The real SDK clients (XML for EC2, JSON for CloudTrail) against a loopback server: the failure is the
 * service's error when the page carries one, else one line, "HTTP 502 from <service> <operation>" — never the
 * SDK's deserialisation complaint ("Unexpected token '<'", "$response").
 */
import '../notify/support/loopback-only.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemediationClients } from '../../src/remediate/clients.js';
import { executeCall } from '../../src/remediate/execute.js';
import type { PlannedCall } from '../../src/remediate/types.js';
import { startServer, type TestServer } from '../notify/support/http-server.js';
import { harness, findingFor } from './support/harness.js';
import { stopLogging } from './support/events.js';

const BAD_GATEWAY = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

let server: TestServer;
beforeAll(async () => {
  server = await startServer(() => ({ status: 502, headers: { 'content-type': 'text/html' }, body: BAD_GATEWAY }));
});
afterAll(() => server.close());

const clients = () =>
  createRemediationClients({ configFor: (region) => ({ region, endpoint: server.url, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 }) });

const revoke: PlannedCall = {
  service: 'ec2',
  operation: 'RevokeSecurityGroupIngress',
  input: { GroupId: 'sg-0123456789abcdef0', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
  region: 'us-east-1',
  account: '123456789012',
  description: 'revoke ingress tcp/22 from 0.0.0.0/0 on sg-0123456789abcdef0',
};
const startLogging: PlannedCall = { service: 'cloudtrail', operation: 'StartLogging', input: { Name: 'management-events' }, region: 'us-east-1', account: '123456789012', description: 'start logging' };

const noise = /Unexpected token|Deserialization|\$response|XML parse|SyntaxError|not valid JSON/;

describe('an HTML error page instead of the service', () => {
  it.each([
    ['an XML service (EC2)', revoke, 'HTTP 502 from ec2 RevokeSecurityGroupIngress (502 Bad Gateway)'],
    ['a JSON service (CloudTrail)', startLogging, 'HTTP 502 from cloudtrail StartLogging'],
  ])('%s: "HTTP 502 from <service> <operation>", code BadGateway', async (_name, call, message) => {
    const outcome = await executeCall(call, clients());
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'BadGateway', message } });
    expect(JSON.stringify(outcome)).not.toMatch(noise);
  });

  it('the service\'s own error, when the page carries one', async () => {
    server.respond(() => ({ status: 503, headers: { 'content-type': 'text/html', 'x-amzn-errortype': 'ServiceUnavailableException:http://internal.amazon.com/' }, body: '<html><body>Service Unavailable</body></html>' }));
    try {
      const outcome = await executeCall(startLogging, clients());
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'ServiceUnavailableException', message: 'HTTP 503 from cloudtrail StartLogging' } });
    } finally {
      server.respond(() => ({ status: 502, headers: { 'content-type': 'text/html' }, body: BAD_GATEWAY }));
    }
  });

  it('the decision says it in one line, whether the call or a lookup before it met the page', async () => {
    const config = { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } };
    const [decision] = await harness(config, { clients: clients(), lookups: false }).runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(decision).toMatchObject({ status: 'failed', error: 'StartLogging: BadGateway: HTTP 502 from cloudtrail StartLogging' });
    expect(decision!.message).toMatch(/^REMEDIATION FAILED: .*: StartLogging: BadGateway: HTTP 502 from cloudtrail StartLogging$/);
    expect(JSON.stringify(decision)).not.toMatch(noise);
    // Reading the trail's tags first (scope by tag): the lookup's failure is one line too.
    const [looked] = await harness(config, { clients: clients() }).runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(looked).toMatchObject({ status: 'failed', error: 'could not read the tags of management-events (BadGateway: HTTP 502 from the service): not acting without knowing whether it is excluded' });
    expect(JSON.stringify(looked)).not.toMatch(noise);
  });
});
