/**
 * revoke-security-group-egress: undoes AuthorizeSecurityGroupEgress (and egress rules rewritten by
 * ModifySecurityGroupRules) for the destinations policy forbids. Default `forbid: unlisted`: only groups
 * with an egress allowlist are governed (egress to 0.0.0.0/0 is every group's default rule, so "the
 * world" is no useful line for egress). Logic shared with the ingress action in ../security-group.ts.
 *
 * Permissions: ec2:RevokeSecurityGroupEgress (security-group/*); lookups ec2:DescribeSecurityGroupRules,
 * ec2:DescribeSecurityGroups ("*").
 */
import { securityGroupAction } from '../security-group.js';

export const revokeSecurityGroupEgress = securityGroupAction('egress');
export default revokeSecurityGroupEgress;
