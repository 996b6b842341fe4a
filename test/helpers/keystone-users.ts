import { randomBytes } from 'node:crypto';
import type { KeystoneInfo } from '../servers/keystone';

/** Keystone set-up for tests through the plain API with the admin user, independent of the code under test. */

export interface KeystoneUser {
  userId: string;
  username: string;
  password: string;
  projectId: string;
  projectName: string;
}

async function keystone(info: KeystoneInfo, token: string | undefined, method: string, path: string, body?: unknown) {
  const response = await fetch(`${info.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { 'x-auth-token': token }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`Keystone ${method} ${path}: ${response.status} ${await response.text()}`);
  return { headers: response.headers, json: response.status === 204 ? {} : ((await response.json()) as Record<string, any>) };
}

export async function passwordToken(info: KeystoneInfo, username: string, password: string, project: string): Promise<string> {
  const { headers } = await keystone(info, undefined, 'POST', '/auth/tokens', {
    auth: {
      identity: { methods: ['password'], password: { user: { name: username, domain: { id: 'default' }, password } } },
      scope: { project: { name: project, domain: { id: 'default' } } },
    },
  });
  return headers.get('x-subject-token')!;
}

const adminToken = (info: KeystoneInfo) => passwordToken(info, info.admin.username, info.admin.password, info.admin.project);

export async function createProject(info: KeystoneInfo, prefix = 'proj'): Promise<{ id: string; name: string }> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  const { json } = await keystone(info, await adminToken(info), 'POST', '/projects', { project: { name, domain_id: 'default' } });
  return { id: json.project.id, name };
}

/** A user with the member role in a new project. */
export async function createKeystoneUser(info: KeystoneInfo, prefix = 'user'): Promise<KeystoneUser> {
  const admin = await adminToken(info);
  const project = await createProject(info, prefix);
  const username = `${prefix}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const { json } = await keystone(info, admin, 'POST', '/users', { user: { name: username, password, domain_id: 'default', default_project_id: project.id } });
  await grantMember(info, json.user.id, project.id);
  return { userId: json.user.id, username, password, projectId: project.id, projectName: project.name };
}

export async function grantMember(info: KeystoneInfo, userId: string, projectId: string): Promise<void> {
  const admin = await adminToken(info);
  const { json } = await keystone(info, admin, 'GET', '/roles?name=member');
  await keystone(info, admin, 'PUT', `/projects/${projectId}/users/${userId}/roles/${json.roles[0].id}`);
}

export async function createApplicationCredential(info: KeystoneInfo, user: KeystoneUser): Promise<{ id: string; secret: string }> {
  const token = await passwordToken(info, user.username, user.password, user.projectName);
  const { json } = await keystone(info, token, 'POST', `/users/${user.userId}/application_credentials`, {
    application_credential: { name: `app-${randomBytes(4).toString('hex')}` },
  });
  return { id: json.application_credential.id, secret: json.application_credential.secret };
}

/** Sets a new password as admin; Keystone revokes the user's existing tokens. */
export async function setPassword(info: KeystoneInfo, userId: string, password: string): Promise<void> {
  await keystone(info, await adminToken(info), 'PATCH', `/users/${userId}`, { user: { password } });
}

/** Disables and re-enables a user: revokes its tokens while its password keeps working. */
export async function revokeTokens(info: KeystoneInfo, userId: string): Promise<void> {
  const admin = await adminToken(info);
  await keystone(info, admin, 'PATCH', `/users/${userId}`, { user: { enabled: false } });
  await keystone(info, admin, 'PATCH', `/users/${userId}`, { user: { enabled: true } });
}

/** The EC2 credentials Keystone holds for a user, read as admin. */
export async function ec2Credentials(info: KeystoneInfo, userId: string): Promise<{ access: string; tenant_id: string }[]> {
  const { json } = await keystone(info, await adminToken(info), 'GET', `/users/${userId}/credentials/OS-EC2`);
  return json.credentials;
}
