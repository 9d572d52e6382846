/**
 * revoke-security-group-ingress: undoes AuthorizeSecurityGroupIngress (and ingress rules rewritten by
 * ModifySecurityGroupRules) for the sources policy forbids. Logic shared with the egress action in
 * ../security-group.ts, which documents what is revoked and how.
 *
 * Permissions: ec2:RevokeSecurityGroupIngress (arn:${Partition}:ec2:${Region}:${Account}:security-group/*,
 * may be narrowed with ec2:ResourceTag conditions); lookups ec2:DescribeSecurityGroupRules and
 * ec2:DescribeSecurityGroups (resource "*": Describe* cannot be scoped).
 */
import { securityGroupAction } from '../security-group.js';

export const revokeSecurityGroupIngress = securityGroupAction('ingress');
export default revokeSecurityGroupIngress;
