/**
 * Bucket policy checks and templates. Zod-free and Node-free, so the renderer checks a policy as it is
 * typed and main enforces the same rules before `buckets:setPolicy` sends it.
 */

export interface PolicyCheck {
  /** Problems that keep the policy from being saved. */
  problems: string[];
  /** Saved only after the user confirms: public access. */
  warnings: string[];
}

/** S3's limit for a bucket policy. */
export const MAX_POLICY_BYTES = 20 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function checkPolicy(text: string, bucket: string): PolicyCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (new TextEncoder().encode(text).length > MAX_POLICY_BYTES) problems.push(`A bucket policy has at most ${MAX_POLICY_BYTES / 1024} KB.`);
  let policy: Json;
  try {
    policy = JSON.parse(text) as Json;
  } catch (error) {
    return { problems: [...problems, `The policy is not valid JSON: ${(error as Error).message}.`], warnings };
  }
  if (!isObject(policy)) return { problems: [...problems, 'A policy is a JSON object with "Version" and "Statement".'], warnings };
  if (policy.Version !== '2012-10-17' && policy.Version !== '2008-10-17') problems.push('Set "Version": "2012-10-17" (the policy language version, not a date of your choosing).');
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement === undefined ? [] : [policy.Statement];
  if (statements.length === 0) problems.push('The policy needs at least one entry in "Statement".');
  statements.forEach((statement, index) => checkStatement(statement, index + 1, bucket, problems, warnings));
  return { problems, warnings };
}

function checkStatement(statement: Json, n: number, bucket: string, problems: string[], warnings: string[]): void {
  const where = `Statement ${n}`;
  if (!isObject(statement)) {
    problems.push(`${where} must be an object.`);
    return;
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') problems.push(`${where}: "Effect" must be "Allow" or "Deny".`);
  if (statement.Principal === undefined && statement.NotPrincipal === undefined) problems.push(`${where} needs a "Principal": who it applies to (a bucket policy always names one).`);
  const actions = strings(statement.Action ?? statement.NotAction);
  if (!actions) problems.push(`${where} needs "Action": a list like ["s3:GetObject"].`);
  else for (const action of actions) if (action !== '*' && !/^s3:[A-Za-z*?]+$/.test(action)) problems.push(`${where}: "${action}" is not an S3 action (they look like "s3:GetObject").`);
  const resources = strings(statement.Resource ?? statement.NotResource);
  if (!resources) problems.push(`${where} needs "Resource": "arn:aws:s3:::${bucket}" and/or "arn:aws:s3:::${bucket}/*".`);
  else {
    for (const resource of resources) {
      if (resource !== `arn:aws:s3:::${bucket}` && !resource.startsWith(`arn:aws:s3:::${bucket}/`)) problems.push(`${where}: "${resource}" is not in this bucket; use arn:aws:s3:::${bucket} or arn:aws:s3:::${bucket}/….`);
    }
  }
  if (statement.Effect === 'Allow' && isEveryone(statement.Principal)) {
    const what = actions?.join(', ') ?? 'these actions';
    warnings.push(
      statement.Condition === undefined
        ? `${where} lets anyone on the internet, without a key, use ${what} on ${resources?.join(', ') ?? 'this bucket'}.`
        : `${where} allows everyone (Principal "*") ${what}, limited only by its Condition; check the condition carefully.`,
    );
  }
}

function isEveryone(principal: Json | undefined): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  const aws = principal.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

function strings(value: Json | undefined): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How a bucket policy names one user: AWS takes the canonical user ID; RGW takes its user as an IAM ARN
 * ("tenant$user" → arn:aws:iam::tenant:user/user).
 */
export function userPrincipal(id: string, server: string): Record<string, string | string[]> {
  if (server === 'ceph-rgw') {
    const [tenant, user] = id.includes('$') ? id.split('$', 2) : ['', id];
    return { AWS: [`arn:aws:iam::${tenant}:user/${user}`] };
  }
  return { CanonicalUser: id };
}

export const POLICY_TEMPLATES = {
  /** One user may list the bucket and read every object. */
  readOnlyUser: (bucket: string, userId: string, server: string) =>
    JSON.stringify(
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ListBucket', Effect: 'Allow', Principal: userPrincipal(userId, server), Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`] },
          { Sid: 'ReadObjects', Effect: 'Allow', Principal: userPrincipal(userId, server), Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] },
        ],
      },
      null,
      2,
    ),
  /** Anyone may download objects under the prefix (no listing). */
  publicReadPrefix: (bucket: string, prefix: string) =>
    JSON.stringify(
      {
        Version: '2012-10-17',
        Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/${prefix}*`] }],
      },
      null,
      2,
    ),
};
