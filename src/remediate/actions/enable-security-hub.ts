/**
 * enable-security-hub: undoes DisableSecurityHub by enabling Security Hub again in the region.
 *
 * EnableSecurityHub would also turn on the default standards unless told not to; the event does not
 * say which standards were on before DisableSecurityHub switched them off, so by default none are
 * enabled (`EnableDefaultStandards: false`) and the decision says so. Options: enableDefaultStandards
 * (boolean), controlFindingGenerator (SECURITY_CONTROL | STANDARD_CONTROL). ResourceConflictException
 * (the account is already subscribed) counts as done.
 *
 * Permissions: securityhub:EnableSecurityHub (arn:${Partition}:securityhub:${Region}:${Account}:hub/default);
 * iam:CreateServiceLinkedRole for securityhub.amazonaws.com (only used when the role no longer exists).
 */
import * as z from 'zod';
import type { RemediationAction } from '../types.js';
import { by, execute, notApplicable, singlePlan } from './shared.js';

const optionsSchema = z.strictObject({
  enableDefaultStandards: z.boolean().optional(),
  controlFindingGenerator: z.enum(['SECURITY_CONTROL', 'STANDARD_CONTROL']).optional(),
});

export const enableSecurityHub: RemediationAction = {
  id: 'enable-security-hub',
  title: 'Enable Security Hub again',
  description: 'Undoes DisableSecurityHub: EnableSecurityHub in the same region (default standards only when configured).',
  triggers: { rules: ['securityhub-disabled'], events: ['securityhub.amazonaws.com:DisableSecurityHub'] },
  permissions: [
    { actions: ['securityhub:EnableSecurityHub'], resource: 'arn:${Partition}:securityhub:${Region}:${Account}:hub/default', purpose: 'remediate' },
    {
      actions: ['iam:CreateServiceLinkedRole'],
      resource: 'arn:${Partition}:iam::${Account}:role/aws-service-role/securityhub.amazonaws.com/AWSServiceRoleForSecurityHub',
      condition: { StringEquals: { 'iam:AWSServiceName': 'securityhub.amazonaws.com' } },
      purpose: 'remediate',
      note: 'EnableSecurityHub recreates its service-linked role if it was deleted',
    },
  ],
  optionsSchema,
  async plan(input, context) {
    const { record } = input;
    if (record.eventSource !== 'securityhub.amazonaws.com' || record.eventName !== 'DisableSecurityHub') return notApplicable(enableSecurityHub, record);
    const options = context.options as z.infer<typeof optionsSchema>;
    const request: Record<string, unknown> = { EnableDefaultStandards: options.enableDefaultStandards ?? false };
    if (options.controlFindingGenerator) request.ControlFindingGenerator = options.controlFindingGenerator;
    return singlePlan(
      enableSecurityHub.id,
      [
        {
          service: 'securityhub',
          operation: 'EnableSecurityHub',
          input: request,
          region: input.region,
          account: input.account,
          description: `enable Security Hub in ${input.account}/${input.region}`,
          alreadyDoneCodes: ['ResourceConflictException'],
        },
      ],
      { done: `Security Hub re-enabled in ${input.account}/${input.region} after ${by(input)} disabled it`, todo: `enable Security Hub in ${input.account}/${input.region} (disabled by ${by(input)})` },
      [{ type: 'securityhub-hub', id: 'default', region: input.region, account: input.account }],
      options.enableDefaultStandards
        ? ['the default standards are enabled; other standards that were on before are not known from the event']
        : ['the standards that were on before are not known from the event and are not re-enabled (options.enableDefaultStandards turns the default ones on)'],
    );
  },
  execute,
};

export default enableSecurityHub;
