/**
 * Security groups in moto's EC2 for the tests of the deployed path: the change seed 002 describes (SSH opened to
 * the whole IPv4 internet) made for real, with the CloudTrail record of that very call.
 */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand, DescribeSecurityGroupRulesCommand, EC2Client, type EC2ClientConfig, type SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { CloudTrailRecord } from '../../src/cloudtrail/types.js';
import { alice, authorize } from '../remediate/support/events.js';

type ClientConfig = EC2ClientConfig;

/** A new group in a new VPC with tcp/22 open to 0.0.0.0/0, and the AuthorizeSecurityGroupIngress record (rule id included) of that call. */
export async function openSshToTheWorld(config: ClientConfig): Promise<{ groupId: string; record: CloudTrailRecord }> {
  const ec2 = new EC2Client(config);
  try {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }));
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `web-${Date.now()}`, Description: 'web servers', VpcId: Vpc!.VpcId! }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const [rule] = await sshRules(config, GroupId!);
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }], {
      groupId: GroupId!,
      rules: [{ id: rule!.SecurityGroupRuleId!, protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' }],
      identity: alice,
    });
    return { groupId: GroupId!, record };
  } finally {
    ec2.destroy();
  }
}

/** The group's ingress rules on port 22, as EC2 describes them now. */
export async function sshRules(config: ClientConfig, groupId: string): Promise<SecurityGroupRule[]> {
  const ec2 = new EC2Client(config);
  try {
    const { SecurityGroupRules = [] } = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
    return SecurityGroupRules.filter((r) => !r.IsEgress && r.FromPort === 22);
  } finally {
    ec2.destroy();
  }
}
