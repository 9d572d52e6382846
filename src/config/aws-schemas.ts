/**
 * Zod schemas for the AWS names a config file holds, built on the one definition of each shape (src/util/aws-names.ts),
 * so every section of the config — and the commands that take the same values as options — accept the same names.
 */
import * as z from 'zod';
import { AWS_ACCOUNT_ID_PATTERN, AWS_REGION_PATTERN } from '../util/aws-names.js';

/** An AWS region name; the message shows `example`. */
export const awsRegionSchema = (example = 'us-east-1') => z.string().regex(AWS_REGION_PATTERN, `must be an AWS region like ${example}`);

/** A 12-digit AWS account id. */
export const awsAccountIdSchema = () => z.string().regex(AWS_ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id');

